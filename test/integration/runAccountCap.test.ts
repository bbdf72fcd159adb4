import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BUDGET, meterFor } from '../../src/core/governor/budgetPlans';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chainPlan, ledgerRecords, startCli, waitUntil } from '../support/cliProcess';
import { CLI } from '../support/runCli';

/**
 * #20's measurement, reproduced: the same 12-task plan copied three times, three `helios run` at
 * once on one account (here one `--state`), `--window-tokens 15000`. Before the account board each
 * process admitted against its own view and the three used 284 % of the cap; now every admission
 * sees the others' calls in flight, so together they stay within it and then wait for the window.
 */
describe('three helios run processes on one account', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-cap-'));
  });
  after(() => sim.stop());

  it('use at most the window cap together, then all say they are paused', async () => {
    const cap = 15_000;
    const state = path.join(dir, 'state');
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' };
    const runs = await Promise.all(['a', 'b', 'c'].map(async (copy, i) => {
      const planFile = path.join(dir, `plan-${copy}.json`);
      await writeFile(planFile, JSON.stringify(chainPlan(12, String(i + 1).repeat(64))));
      return startCli(['run', planFile, '--state', state, '--workspace', dir, '--no-git', '--window-tokens', String(cap)], env);
    }));
    try {
      // Each one ends, or stops at the cap and says so.
      await waitUntil(() => runs.every((r) => r.child.exitCode !== null || r.stderr().includes('⏸ budget: paused')), 120_000, 'every run to finish or pause at the cap');
    } finally {
      for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGTERM');
      await Promise.all(runs.map((r) => r.exited));
    }
    const meter = meterFor({ ...DEFAULT_BUDGET, plan: 'custom', windowTokens: cap, windowMessages: 0 });
    const records = ledgerRecords(path.join(state, 'ledger.jsonl'));
    const used = records.reduce((n, r) => n + meter.unitsOf(r.model, r.usage), 0);
    assert.ok(records.length >= 2, `the runs spent something (${records.length} calls)`);
    assert.ok(used <= cap, `three processes used ${used} weighted tokens of a ${cap} cap`);
    assert.ok(runs.filter((r) => r.stderr().includes('⏸ budget: paused')).length >= 2, 'the runs that did not finish say they are paused');
    console.log(`three runs on one account: ${records.length} calls, ${used} of ${cap} weighted tokens (${((used / cap) * 100).toFixed(0)} %)`);
  });
});
