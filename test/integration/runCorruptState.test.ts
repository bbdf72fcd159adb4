import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanRun } from '../../src/core/scheduler/runState';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chainPlan, ledgerRecords, startCli } from '../support/cliProcess';
import { CLI } from '../support/runCli';

/**
 * #18 row 8 — corrupt state is kept and named: garbage in a run-state, change or plan file is
 * moved aside (`<file>.corrupt-<time>`, its bytes kept), stderr says which file and what it means,
 * and the finished tasks are rebuilt from the plan's integrated tree — not re-run, not re-charged,
 * their cost not reset to $0.
 */
describe('helios run with garbage in its state', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  const env = () => ({ PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' });
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-corrupt-state-'));
  });
  after(() => sim.stop());

  /** A finished run of a 4-task plan: its state folder, plan id and the summary line's cost. */
  async function finishedRun(name: string): Promise<{ state: string; planFile: string; planId: string; cost: string }> {
    const plan = chainPlan(4);
    const planFile = path.join(dir, `${name}.json`);
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(dir, name);
    const first = startCli(['run', planFile, '--state', state, '--workspace', dir, '--no-git'], env());
    assert.equal(await first.exited, 0, first.stderr());
    return { state, planFile, planId: plan.id, cost: costOf(first.stdout()) };
  }

  const costOf = (stdout: string) => /· \$(\d+\.\d+)/.exec(stdout)?.[1] ?? 'none';
  const asideOf = (file: string) => readdirSync(path.dirname(file)).filter((n) => n.startsWith(`${path.basename(file)}.corrupt-`));

  it('a run-state file of garbage: moved aside and named; finished tasks restored from the tree, cost kept, nothing re-run', async () => {
    const { state, planFile, planId, cost } = await finishedRun('run-state');
    const runFile = path.join(state, 'runs', `${planId}.json`);
    await writeFile(runFile, 'garbage {"tasks":');
    const charged = ledgerRecords(path.join(state, 'ledger.jsonl')).length;

    const again = startCli(['run', planFile, '--state', state, '--workspace', dir, '--no-git', '--no-cache'], env());
    assert.equal(await again.exited, 0, again.stderr());
    const aside = asideOf(runFile);
    assert.equal(aside.length, 1, 'moved aside');
    assert.equal(readFileSync(path.join(state, 'runs', aside[0]!), 'utf8'), 'garbage {"tasks":', 'its bytes kept');
    assert.match(again.stderr(), new RegExp(`warning: ${escape(runFile)} was unreadable \\(.*\\); it was kept as ${escape(aside[0]!)} — finished tasks are restored from the plan's integrated tree`));
    assert.match(again.stderr(), /4 finished task\(s\) restored from its integrated tree, not run again \(T1, T2, T3, T4\)/);
    assert.ok(!again.stderr().includes('▶ '), 'no task started');
    assert.equal(ledgerRecords(path.join(state, 'ledger.jsonl')).length, charged, 'nothing charged again');
    assert.equal(costOf(again.stdout()), cost, 'the recorded cost is not reset to $0');
    const run = JSON.parse(readFileSync(runFile, 'utf8')) as PlanRun;
    assert.ok(Object.values(run.tasks).every((t) => t.status === 'done' && (t.costUsd ?? 0) > 0));
  });

  it('a change file of garbage: moved aside and named; its task stays done (the tree holds it), nothing re-run', async () => {
    const { state, planFile, planId } = await finishedRun('change');
    const changeFile = path.join(state, 'changes', planId, 'T2.json');
    await writeFile(changeFile, '{"planId": "' + planId);
    const charged = ledgerRecords(path.join(state, 'ledger.jsonl')).length;

    // --review reads every done task's change back for the summary.
    const again = startCli(['run', planFile, '--state', state, '--workspace', dir, '--no-git', '--review'], env());
    assert.equal(await again.exited, 0, again.stderr());
    const aside = asideOf(changeFile);
    assert.equal(aside.length, 1, 'moved aside');
    assert.match(again.stderr(), new RegExp(`warning: ${escape(changeFile)} was unreadable .*; it was kept as ${escape(aside[0]!)} — a task whose change the plan's tree already holds stays done`));
    assert.equal(ledgerRecords(path.join(state, 'ledger.jsonl')).length, charged, 'nothing charged again');
    assert.match(again.stdout(), /4 done, 0 failed/);
  });

  it('a stored plan file of garbage: moved aside and named (what it means said), the PRD planned afresh', async () => {
    await copyFile(path.resolve('test/fixtures/prds/sim-english.md'), path.join(dir, 'PRD.md'));
    const state = path.join(dir, 'plan-file');
    const args = ['run', path.join(dir, 'PRD.md'), '--state', state, '--workspace', dir, '--no-git'];
    const first = startCli(args, env());
    assert.equal(await first.exited, 0, first.stderr());
    const [name] = readdirSync(path.join(state, 'plans')).filter((n) => n.endsWith('.json'));
    const planFile = path.join(state, 'plans', name!);
    await writeFile(planFile, '\u0000\u0001 not a plan');

    const again = startCli(args, env());
    assert.equal(await again.exited, 0, again.stderr());
    const aside = asideOf(planFile);
    assert.equal(aside.length, 1, 'moved aside');
    assert.equal(readFileSync(path.join(state, 'plans', aside[0]!), 'utf8'), '\u0000\u0001 not a plan');
    assert.match(again.stderr(), new RegExp(`warning: ${escape(planFile)} was unreadable .*; it was kept as ${escape(aside[0]!)} — that plan can no longer be resumed`));
    assert.match(again.stderr(), /Decomposing PRD\.md/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
