import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runReviewer } from '../../src/core/agents/reviewer';
import { runCoder } from '../../src/core/agents/coder';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { createPlan } from '../../src/core/plan/plan';
import { createCoderExecutor, type ReviewEvent } from '../../src/core/pipeline/taskPipeline';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { wantsChanges } from '../../src/simulator/brains/reviewer';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, runCli } from '../support/runCli';

/** The review loop end to end: executor → Coder and Reviewer → real SDK → simulator brains. */

const MATH = ['export function add(a: number, b: number): number {', '  return a + b;', '}', ''].join('\n');
const zeroFamilies = { opus: { units: 0 }, sonnet: { units: 0 }, haiku: { units: 0 }, fable: { units: 0 } };
const tasks: Task[] = [
  // T1 is in the simulated Reviewer's "request changes" quarter; T3 is not.
  { id: 'T1', title: 'Add a subtraction helper', description: 'Add sub() next to add().', taskType: 'code_generation', dependsOn: [], files: ['src/math.ts'], priority: 2, estimatedTokens: 1_200 },
  { id: 'T3', title: 'Create string helpers', description: 'Create a module of string helpers.', taskType: 'code_generation', dependsOn: [], files: ['src/strings.ts'], priority: 2, estimatedTokens: 1_200 },
];
const plan: Plan = createPlan({
  prd: { path: 'PRD.md', text: '', sha256: 'f'.repeat(64), bytes: 0 },
  result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
  provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = createHash('sha256').update(await readFile(file)).digest('hex');
  }
  return out;
}

describe('review loop through the SDK and the simulator', () => {
  let sim: ClaudeSimulator;
  let client: AnthropicLlmClient;
  let root: string;
  const read = (p: string) => readFile(path.join(root, p), 'utf8').catch(() => undefined);

  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    client = new AnthropicLlmClient({ apiKey: 'sim-test', baseURL: sim.url, provider: 'simulator', maxRetries: 2 });
    root = await mkdtemp(path.join(tmpdir(), 'helios-review-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'src/math.ts'), MATH);
  });
  after(async () => {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('sends one task through request_changes → rework → approve, and approves the other at once', async () => {
    assert.ok(wantsChanges('T1') && !wantsChanges('T3'));
    const saved: ProposedChange[] = [];
    const events: { task: string; e: ReviewEvent }[] = [];
    const run = createCoderExecutor({
      client, budget: () => ({ state: 'ok', byFamily: zeroFamilies }), workspace: () => ({ read }),
      saveChange: async (c) => void saved.push(c), review: { enabled: true, maxRounds: 2 },
      onReview: (_p, t, e) => void events.push({ task: t.id, e }),
    });
    const results = await Promise.all(tasks.map((task) => run({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal })));
    const [t1, t3] = results;
    assert.ok(t1?.ok && t3?.ok);
    assert.deepEqual([t1.review?.verdict, t1.review?.rounds], ['approve', 2]);
    assert.deepEqual([t3.review?.verdict, t3.review?.rounds], ['approve', 1]);
    const rounds = events.filter((x) => x.task === 'T1' && x.e.kind === 'reviewed').map((x) => x.e.kind === 'reviewed' ? x.e.review.verdict : '');
    assert.deepEqual(rounds, ['request_changes', 'approve']);
    assert.equal(t1.reasonCode, 'escalated', 'the rework was routed as an escalation');
    assert.equal(t1.calls, 4);
    assert.ok(t1.costUsd > t1.review!.costUsd && t1.review!.costUsd > 0);
    const reviewModels = sim.requests.filter((r) => r.path.startsWith('/v1/messages') && r.model === 'claude-opus-5-5').length;
    assert.ok(reviewModels >= 3, 'reviews run on Opus (the router\'s code_review route)');

    for (const change of saved) {
      assert.ok(change.review, `${change.taskId} carries its review`);
      for (const f of change.review.findings) {
        const file = change.files.find((x) => x.path === f.path);
        assert.ok(file, `${f.id} names a file of the change`);
        const lines = file.proposedContent.split('\n');
        const cited = lines[f.startLine - 1];
        assert.ok(cited !== undefined && cited.trim().length > 0, `${f.path}:${f.startLine} is a real proposed line`);
        assert.ok(!MATH.split('\n').includes(cited), 'the finding sits on an added line');
        if (f.replacement !== undefined) assert.ok(f.replacement.endsWith(cited), 'the suggestion keeps the line it comments');
      }
    }
    assert.equal(await read('src/math.ts'), MATH, 'nothing was written to the workspace');
  });

  it('repairs findings on lines that do not exist once, and fails typed when they stay invalid', async () => {
    const coded = await runCoder(tasks[0]!, { client, model: 'claude-sonnet-5-5', workspace: { read }, planId: plan.id });
    sim.injectFault({ kind: 'invalid_findings' });
    const repaired = await runReviewer(tasks[0]!, coded.change, { client, model: 'claude-opus-5-5', planId: plan.id, readBase: read });
    assert.equal(repaired.repairs, 1);
    assert.ok(repaired.review.findings.length > 0);

    sim.injectFault({ kind: 'invalid_findings', count: 2 });
    await assert.rejects(
      runReviewer(tasks[0]!, coded.change, { client, model: 'claude-opus-5-5', planId: plan.id, readBase: read }),
      (e) => isHeliosError(e, 'model_output_invalid') && /has lines 1-\d+/.test(e.message) && /not a file of this change/.test(e.message),
    );
  });

  it('helios run --review prints the findings and leaves the workspace byte-identical', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const outside = await mkdtemp(path.join(tmpdir(), 'helios-review-cli-'));
    try {
      const planFile = path.join(outside, 'plan.json');
      await writeFile(planFile, JSON.stringify(plan));
      const before = await snapshot(root);
      const env = { PATH: process.env.PATH, HOME: outside, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
      const { code, stdout, stderr } = await runCli(['run', planFile, '--review', '--state', path.join(outside, 'state'), '--workspace', root], env);
      assert.equal(code, 0, stderr);
      assert.match(stdout, new RegExp(`${plan.id}/T1: .* — approved after 2 round\\(s\\)`));
      assert.match(stdout, new RegExp(`${plan.id}/T3: .* — approved after 1 round\\(s\\)`));
      assert.match(stdout, /^ {2}edit {4}src\/math\.ts \+\d+ -0$/m);
      assert.match(stdout, /^ {2}src\/math\.ts:\d+ nit .+\(suggested fix\)$/m);
      assert.match(stderr, /review .*\/T1 round 1: request_changes/);
      assert.deepEqual(await snapshot(root), before);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('helios run --review --apply writes approved changes, and never over a file edited meanwhile', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const outside = await mkdtemp(path.join(tmpdir(), 'helios-apply-cli-'));
    const work = path.join(outside, 'workspace');
    try {
      await mkdir(path.join(work, 'src'), { recursive: true });
      await writeFile(path.join(work, 'src/math.ts'), MATH);
      const planFile = path.join(outside, 'plan.json');
      await writeFile(planFile, JSON.stringify(plan));
      const env = { PATH: process.env.PATH, HOME: outside, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
      const state = path.join(outside, 'state');
      const { code, stdout, stderr } = await runCli(['run', planFile, '--review', '--apply', '--json', '--state', state, '--workspace', work], env);
      assert.equal(code, 0, stderr);
      type Landed = Record<string, { written: string[]; conflicts: string[]; refused?: string }>;
      const report = JSON.parse(stdout) as { applied: Landed; changes: Array<{ taskId: string }> };
      assert.deepEqual(report.applied[plan.id], { written: ['src/math.ts', 'src/strings.ts'], merged: [], conflicts: [] });
      for (const taskId of ['T1', 'T3']) {
        const change = JSON.parse(await readFile(path.join(state, 'changes', plan.id, `${taskId}.json`), 'utf8')) as ProposedChange;
        assert.equal(change.state, 'applied');
        for (const f of change.files) assert.equal(await readFile(path.join(work, f.path), 'utf8'), f.proposedContent, `${f.path} holds the proposal`);
      }

      // A second run of the same plan in a fresh state folder; before --apply the user rewrites
      // math.ts, the lines the plan edits included: a conflict, and nothing of the plan is written.
      await rm(path.join(work, 'src/strings.ts'));
      const state2 = path.join(outside, 'state2');
      const first = await runCli(['run', planFile, '--review', '--json', '--state', state2, '--workspace', work], env);
      assert.equal(first.code, 0, first.stderr);
      const rewritten = 'export const add = (a: number, b: number): number => a + b;\n';
      await writeFile(path.join(work, 'src/math.ts'), rewritten);
      const again = await runCli(['run', planFile, '--review', '--apply', '--json', '--state', state2, '--workspace', work], env);
      assert.equal(again.code, 1, 'a plan that did not land is not a success');
      const applied = (JSON.parse(again.stdout) as { applied: Landed }).applied;
      assert.deepEqual(applied[plan.id], { written: [], merged: [], conflicts: ['src/math.ts'] });
      assert.equal(await readFile(path.join(work, 'src/math.ts'), 'utf8'), rewritten, 'the user\'s edit is kept');
      assert.equal(existsSync(path.join(work, 'src/strings.ts')), false, 'all files or none');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
