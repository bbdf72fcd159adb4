import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChangeDiff, reviewMessage } from '../../src/core/agents/reviewerPrompt';
import { parseReviewRequest, REQUEST_CHANGES_MARKER, reviewFindings, wantsChanges } from '../../src/simulator/brains/reviewer';
import type { Task } from '../../src/shared/taskGraph';

/** The simulator's Reviewer brain reads exactly the prompt Helios's Reviewer sends. */

const base = 'export const a = 1;\n';
const proposed = 'export const a = 1;\n\nexport function b(): number {\n  return 2;\n}\n';
const task = (id: string, description = 'Add b.'): Task => ({
  id, title: 'Add b', description, taskType: 'code_generation', dependsOn: [], files: ['src/a.ts'], priority: 2, estimatedTokens: 500,
});
const prompt = (t: Task, extra: Partial<Parameters<typeof reviewMessage>[0]> = {}) => reviewMessage({
  task: t, summary: 'Adds b.', diff: renderChangeDiff([{ path: 'src/a.ts', action: 'edit', base, baseKnown: true, proposed }], 10_000), ...extra,
}).content[0]!.text;

describe('simulator Reviewer brain', () => {
  it('puts its findings on the first added non-blank line, with a one-line replacement', () => {
    const view = parseReviewRequest([prompt(task('T3'))])!;
    assert.deepEqual(view.files.map((f) => [f.path, f.proposedLines]), [['src/a.ts', 5]]);
    const review = reviewFindings(view) as { verdict: string; findings: { startLine: number; severity: string; replacement?: string }[] };
    assert.equal(review.verdict, 'approve');
    assert.deepEqual(review.findings.map((f) => [f.startLine, f.severity]), [[3, 'nit']]);
    assert.equal(review.findings[0]!.replacement, '// Explains the step below (simulated review suggestion).\nexport function b(): number {');
  });

  it('requests changes on a first review for a stable quarter of ids, the marker, or a failed verification; approves a re-review', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `T${i + 1}`);
    const share = ids.filter(wantsChanges).length / ids.length;
    assert.ok(share > 0.18 && share < 0.32, `about a quarter (${share})`);
    const verdict = (text: string) => (reviewFindings(parseReviewRequest([text])!) as { verdict: string }).verdict;
    assert.equal(verdict(prompt(task('T1'))), 'request_changes');
    assert.equal(verdict(prompt(task('T3', `Add b. ${REQUEST_CHANGES_MARKER}`))), 'request_changes');
    const failed = { status: 'failed' as const, output: 'not ok', durationMs: 1, timedOut: false, violations: [] };
    assert.equal(verdict(prompt(task('T3'), { verification: failed })), 'request_changes');
    const previous = { verdict: 'request_changes' as const, summary: '', findings: [], model: 'm', reviewedAt: '', costUsd: 0, tokens: 0 };
    assert.equal(verdict(prompt(task('T1'), { previous })), 'approve');
    assert.equal(prompt(task('T1')), prompt(task('T1')), 'a pure function of the request');
  });
});
