import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, runCli } from '../support/runCli';

/** `helios run` goes router → cache → governor → provider: a repeated request costs nothing. */
const tasks: Task[] = [
  { id: 'T1', title: 'Add a subtraction helper', description: 'Add sub() next to add().', taskType: 'code_generation', dependsOn: [], files: ['src/math.ts'], priority: 2, estimatedTokens: 1_200 },
  { id: 'T2', title: 'Create string helpers', description: 'Create a module of string helpers.', taskType: 'code_generation', dependsOn: ['T1'], files: ['src/strings.ts'], priority: 2, estimatedTokens: 1_200 },
];
const plan = createPlan({
  prd: { path: 'PRD.md', text: '', sha256: 'c'.repeat(64), bytes: 0 },
  result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
  provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
});

describe('helios run through the cache', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(tmpdir(), 'helios-cli-cache-'));
  });
  after(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a repeated run from L2 without a model call, and pays again once a file changed', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const work = path.join(dir, 'workspace');
    await mkdir(path.join(work, 'src'), { recursive: true });
    await writeFile(path.join(work, 'src/math.ts'), 'export const add = (a: number, b: number) => a + b;\n');
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
    const run = async (state: string) => {
      const before = sim.requests.length;
      const r = await runCli(['run', planFile, '--json', '--state', state, '--workspace', work], env);
      assert.equal(r.code, 0, r.stderr);
      const summary = (JSON.parse(r.stdout) as { plans: Array<{ tokens: number; done: number }> }).plans[0]!;
      return { calls: sim.requests.length - before, tokens: summary.tokens, done: summary.done };
    };

    const first = await run(path.join(dir, 'state1'));
    assert.equal(first.done, 2);
    assert.ok(first.calls >= 2 && first.tokens > 0);
    // A fresh run (new run state) that keeps the cache: the same requests, answered from L2.
    await mkdir(path.join(dir, 'state2'));
    await cp(path.join(dir, 'state1', 'cache'), path.join(dir, 'state2', 'cache'), { recursive: true });
    const second = await run(path.join(dir, 'state2'));
    assert.deepEqual(second, { calls: 0, tokens: 0, done: 2 });
    assert.equal((await readFile(path.join(dir, 'state2', 'ledger.jsonl'), 'utf8').catch(() => '')).trim(), '', 'no call reached the governor');

    // math.ts changed: T1's request differs, so it is a miss and is paid for.
    await writeFile(path.join(work, 'src/math.ts'), 'export const add = (a: number, b: number): number => a + b;\n');
    await mkdir(path.join(dir, 'state3'));
    await cp(path.join(dir, 'state1', 'cache'), path.join(dir, 'state3', 'cache'), { recursive: true });
    const third = await run(path.join(dir, 'state3'));
    assert.ok(third.calls >= 1 && third.tokens > 0, JSON.stringify(third));
  });
});
