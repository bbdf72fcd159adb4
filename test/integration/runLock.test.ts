import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanRun } from '../../src/core/scheduler/runState';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chainPlan, chargesByTask, ledgerRecords, startCli, waitUntil } from '../support/cliProcess';
import { CLI } from '../support/runCli';

/**
 * #18 row 2 — one runner per plan: two `helios run` on the same plan and `--state` at once. The
 * second is refused at once (exit 1, one sentence naming the first one's pid) while the first
 * finishes, so every task is charged once; the lock is gone when the first exits.
 */
describe('helios run: two runs of one plan at once', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-run-lock-'));
  });
  after(() => sim.stop());

  it('refuses the second with "plan … is already running (pid N)" and charges every task once', async () => {
    const plan = chainPlan(5);
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(dir, 'state');
    const lockFile = path.join(state, 'runs', `${plan.id}.lock`);
    // Slow streams: the first run is busy for a few seconds.
    sim.injectFault({ kind: 'slow_stream', delayMs: 5, count: 10_000 });
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' };
    const args = ['run', planFile, '--state', state, '--workspace', dir, '--no-git', '--concurrency', '1'];

    const first = startCli(args, env);
    await waitUntil(() => first.stderr().includes('▶ '), 60_000, 'the first run to start a task');

    const started = Date.now();
    const second = startCli(args, env);
    const code = await second.exited;
    assert.equal(code, 1, second.stderr());
    assert.ok(first.child.exitCode === null, 'refused while the first still runs');
    assert.ok(Date.now() - started < 15_000, 'refused at once, not after waiting for the first');
    const lines = second.stderr().trim().split('\n');
    assert.equal(lines.at(-1), `helios: plan ${plan.id} is already running (pid ${first.child.pid}) — wait for it or stop it.`);
    assert.ok(!second.stderr().includes('▶ '), 'the second started no task');
    const holder = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; host: string; at: string };
    assert.equal(holder.pid, first.child.pid, 'runs/<plan>.lock names the first run');
    assert.equal(holder.host, os.hostname());
    assert.ok(!Number.isNaN(Date.parse(holder.at)));

    assert.equal(await first.exited, 0, first.stderr());
    const charged = chargesByTask(ledgerRecords(path.join(state, 'ledger.jsonl')));
    assert.deepEqual([...charged.entries()].sort(), plan.graph.tasks.map((t) => [t.id, 1]), 'every task charged exactly once');
    const run = JSON.parse(readFileSync(path.join(state, 'runs', `${plan.id}.json`), 'utf8')) as PlanRun;
    assert.ok(Object.values(run.tasks).every((t) => t.status === 'done'));
    assert.ok(!existsSync(lockFile), 'the lock is released when the run ends');

    // Free again: a third run resumes the finished plan (nothing to do, nothing charged).
    sim.clearFaults();
    const third = startCli(args, env);
    assert.equal(await third.exited, 0, third.stderr());
    assert.equal(ledgerRecords(path.join(state, 'ledger.jsonl')).length, plan.graph.tasks.length);
  });

  it('SIGTERM and Ctrl-C (SIGINT) of a run release its lock', async () => {
    const plan = chainPlan(3, 'c'.repeat(64));
    const planFile = path.join(dir, 'plan3.json');
    await writeFile(planFile, JSON.stringify(plan));
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' };
    sim.injectFault({ kind: 'slow_stream', delayMs: 5, count: 10_000 });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const state = path.join(dir, `state-${signal}`);
      const run = startCli(['run', planFile, '--state', state, '--workspace', dir, '--no-git'], env);
      await waitUntil(() => run.stderr().includes('▶ '), 60_000, 'the run to start a task');
      assert.ok(existsSync(path.join(state, 'runs', `${plan.id}.lock`)));
      run.child.kill(signal);
      await run.exited;
      assert.ok(!existsSync(path.join(state, 'runs', `${plan.id}.lock`)), `released on ${signal}`);
    }
    sim.clearFaults();
  });

  it('a lock left by a run killed with SIGKILL does not block the next run', async () => {
    const plan = chainPlan(2, 'd'.repeat(64));
    const planFile = path.join(dir, 'plan2.json');
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(dir, 'state2');
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' };
    const args = ['run', planFile, '--state', state, '--workspace', dir, '--no-git'];
    sim.injectFault({ kind: 'slow_stream', delayMs: 5, count: 10_000 });
    const first = startCli(args, env);
    await waitUntil(() => first.stderr().includes('▶ '), 60_000, 'the first run to start a task');
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok(existsSync(path.join(state, 'runs', `${plan.id}.lock`)), 'kill -9 leaves the lock file');
    sim.clearFaults();
    const next = startCli(args, env);
    assert.equal(await next.exited, 0, next.stderr());
    assert.match(next.stdout(), /2 done/);
  });
});
