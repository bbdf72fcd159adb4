import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, runCli } from '../support/runCli';

/**
 * `helios run --verify` end to end: the real sandbox runtime runs the verify command in a scratch
 * copy with each proposal applied; a failing proposal goes back to the Coder once, and the
 * Reviewer then sees the result. The user's workspace is never written.
 */
const MATH = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
// The "test suite": fails whenever the change created src/strings.ts, passes otherwise.
const CHECK = "const fs = require('node:fs');\nif (fs.existsSync('src/strings.ts')) { console.log('not ok 1 - strings.ts must not exist\\n# fail 1'); process.exit(1); }\nconsole.log('ok 1 - layout\\n# fail 0');\n";
const tasks: Task[] = [
  { id: 'T1', title: 'Add a subtraction helper', description: 'Add sub() next to add().', taskType: 'code_generation', dependsOn: [], files: ['src/math.ts'], priority: 2, estimatedTokens: 1_200 },
  { id: 'T3', title: 'Create string helpers', description: 'Create a module of string helpers.', taskType: 'code_generation', dependsOn: [], files: ['src/strings.ts'], priority: 2, estimatedTokens: 1_200 },
];
const plan = createPlan({
  prd: { path: 'PRD.md', text: '', sha256: 'e'.repeat(64), bytes: 0 },
  result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
  provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
});

describe('helios run --verify (real sandbox runtime)', () => {
  let sim: ClaudeSimulator;
  let outside: string;
  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    outside = await mkdtemp(path.join(tmpdir(), 'helios-verify-run-'));
  });
  after(async () => {
    await sim.stop();
    await rm(outside, { recursive: true, force: true });
  });

  it('catches a proposal that breaks the check, retries it once, and reviews with the result attached', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const work = path.join(outside, 'workspace');
    await mkdir(path.join(work, 'src'), { recursive: true });
    await writeFile(path.join(work, 'src/math.ts'), MATH);
    await writeFile(path.join(work, 'check.js'), CHECK);
    const planFile = path.join(outside, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(outside, 'state');
    const env = { PATH: process.env.PATH, HOME: outside, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
    const { code, stdout, stderr } = await runCli(['run', planFile, '--review', '--verify', 'node check.js', '--json', '--state', state, '--workspace', work], env);
    assert.equal(code, 0, stderr);

    const stored = async (taskId: string) => JSON.parse(await readFile(path.join(state, 'changes', plan.id, `${taskId}.json`), 'utf8')) as ProposedChange;
    const good = await stored('T1');
    assert.equal(good.verification?.status, 'passed');
    const broken = await stored('T3');
    assert.equal(broken.verification?.status, 'failed');
    assert.equal(broken.verification?.failedTests, 1);
    assert.match(broken.verification.output, /strings\.ts must not exist/);
    // Verified, sent back to the Coder with the failure, verified again, then reviewed: the
    // simulated Reviewer asks for changes when verification failed, and the rework is verified
    // once more (3 runs). The loop ends there: the review rounds are spent.
    const t3 = stderr.split('\n').filter((l) => l.includes(`${plan.id}/T3`) && /^ *(verify|review) /.test(l)).map((l) => l.trim().split(' ')[0]);
    assert.deepEqual(t3, ['verify', 'verify', 'review', 'verify', 'review'], stderr);
    assert.equal(stderr.match(new RegExp(`verify ${plan.id}/T3: failed \\(1 failing tests\\)`, 'g'))?.length, 3, stderr);
    assert.doesNotMatch(stderr, new RegExp(`verify ${plan.id}/T1: failed`), 'a passing change is never sent back for verification');
    assert.ok(broken.review, 'the Reviewer still reviewed the failing change, with the result attached');
    const report = JSON.parse(stdout) as { changes: Array<{ taskId: string; verification?: string }> };
    assert.deepEqual(report.changes.map((c) => [c.taskId, c.verification]), [['T1', 'passed'], ['T3', 'failed']]);
    assert.equal(await readFile(path.join(work, 'src/math.ts'), 'utf8'), MATH, 'the workspace is untouched');
    assert.ok(!existsSync(path.join(work, 'src/strings.ts')));
  });
});
