import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import { runReviewer } from '../../src/core/agents/reviewer';
import { renderFileDiff } from '../../src/core/agents/reviewerPrompt';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { ProposedFileChange } from '../../src/shared/proposedChange';
import type { Task } from '../../src/shared/taskGraph';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

const task: Task = {
  id: 'T1', title: 'Add sum', description: 'Add a sum helper.', taskType: 'code_generation',
  dependsOn: [], files: ['src/util.ts', 'src/index.ts'], priority: 1, estimatedTokens: 1_000,
};
const created = 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n';
const base = 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n';
const edited = 'export const a = 1;\nexport const b = 20;\nexport const c = 3;\nexport const d = 4;\n';
const file = (path: string, action: 'create' | 'edit', proposed: string, baseContent?: string): ProposedFileChange => ({
  path, action, baseSha256: baseContent === undefined ? null : sha256Hex(baseContent), ...(baseContent !== undefined ? { baseContent } : {}),
  proposedContent: proposed, proposedSha256: sha256Hex(proposed), linesAdded: 0, linesRemoved: 0,
});
const change = makeProposedChange(
  { planId: 'p1', taskId: 'T1', model: 'claude-sonnet-5-5', summary: 'Adds sum.', createdAt: '2026-11-24T00:00:00.000Z' },
  [file('src/util.ts', 'create', created), file('src/index.ts', 'edit', edited, base)],
);
const opts = (client: ScriptedLlmClient) => ({ client, model: 'claude-opus-5-5', planId: 'p1', now: () => new Date('2026-11-24T01:00:00Z') });
const reply = (verdict: string, findings: object[]) => ({ text: JSON.stringify({ verdict, summary: 'Looks fine.', findings }) });
const good = { path: 'src/util.ts', startLine: 2, endLine: 2, severity: 'nit', message: 'Name the result.', replacement: '  const s = a + b;\n  return s;' };

describe('runReviewer', () => {
  it('sends the diff with proposed line numbers and returns open findings numbered f1..', async () => {
    const client = new ScriptedLlmClient([reply('request_changes', [good, { ...good, path: 'src/index.ts', startLine: 4, endLine: 4, severity: 'blocker', message: 'd is unused.' }])]);
    const result = await runReviewer(task, change, opts(client));
    assert.equal(result.repairs, 0);
    assert.equal(result.review.verdict, 'request_changes');
    assert.deepEqual(result.review.findings.map((f) => [f.id, f.path, f.startLine, f.severity, f.status, f.replies.length]),
      [['f1', 'src/util.ts', 2, 'nit', 'open', 0], ['f2', 'src/index.ts', 4, 'blocker', 'open', 0]]);
    assert.equal(result.review.findings[0]!.replacement, good.replacement);
    assert.ok(result.review.costUsd > 0);
    assert.equal(result.review.reviewedAt, '2026-11-24T01:00:00.000Z');
    const request = client.requests[0]!;
    assert.equal((request.outputSchema as { title?: string }).title, 'ReviewFindings');
    assert.equal(request.tags?.agent, 'reviewer');
    const prompt = request.messages[0]!.content.map((p) => p.text).join('\n');
    assert.match(prompt, /<file path="src\/index.ts" action="edit" proposed-lines="4">/);
    assert.match(prompt, /^2 \+ export const b = 20;$/m);
    assert.match(prompt, /^ {2}- export const b = 2;$/m);
    assert.match(prompt, /^4 \+ export const d = 4;$/m);
  });

  for (const [name, bad, problem] of [
    ['a line past the end', { ...good, startLine: 3, endLine: 9 }, /has lines 1-3/],
    ['an unknown path', { ...good, path: 'src/other.ts' }, /not a file of this change/],
    ['start after end', { ...good, startLine: 3, endLine: 2 }, /startLine is after endLine/],
  ] as const) {
    it(`repairs a finding with ${name} once, then fails with model_output_invalid`, async () => {
      const repaired = new ScriptedLlmClient([reply('approve', [bad]), reply('approve', [good])]);
      const ok = await runReviewer(task, change, opts(repaired));
      assert.equal(ok.repairs, 1);
      assert.equal(ok.calls.length, 2);
      const repairPrompt = repaired.requests[1]!.messages.at(-1)!.content[0]!.text;
      assert.match(repairPrompt, problem);

      const stubborn = new ScriptedLlmClient([reply('approve', [bad]), reply('approve', [bad])]);
      await assert.rejects(runReviewer(task, change, opts(stubborn)), (e) => isHeliosError(e, 'model_output_invalid'));
      assert.equal(stubborn.requests.length, 2);
    });
  }

  it('does not accept request_changes without findings', async () => {
    const client = new ScriptedLlmClient([reply('request_changes', []), reply('request_changes', [])]);
    await assert.rejects(runReviewer(task, change, opts(client)), (e) => isHeliosError(e, 'model_output_invalid') && /no findings/.test(e.message));
  });

  it('shows the verification and, on a re-review, the previous findings', async () => {
    const first = await runReviewer(task, change, opts(new ScriptedLlmClient([reply('request_changes', [{ ...good, severity: 'blocker' }])])));
    const client = new ScriptedLlmClient([reply('approve', [])]);
    await runReviewer(task, change, {
      ...opts(client), previous: first.review,
      verification: { status: 'failed', command: 'npm test', exitCode: 1, failedTests: 2, output: 'not ok 1 - sum', durationMs: 5, timedOut: false, violations: [] },
    });
    const prompt = client.requests[0]!.messages[0]!.content[0]!.text;
    assert.match(prompt, /<verification status="failed" exit-code="1" failed-tests="2" command="npm test">\nnot ok 1 - sum/);
    assert.match(prompt, /<previous-review>\n- src\/util.ts:2-2 \[blocker\] Name the result\./);
  });
});

describe('renderFileDiff', () => {
  it('numbers context and added lines by the proposed file and leaves removed lines unnumbered', () => {
    const text = renderFileDiff({ path: 'a.ts', action: 'edit', base, baseKnown: true, proposed: edited });
    assert.deepEqual(text.split('\n'), [
      '@@ proposed lines 2-2 @@', '1   export const a = 1;', '  - export const b = 2;', '2 + export const b = 20;', '3   export const c = 3;', '4 + export const d = 4;',
    ]);
  });
});
