import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, copyFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlanRun } from '../../src/core/scheduler/runState';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chargesByTask, delay, ledgerRecords, startCli, waitUntil } from '../support/cliProcess';
import { CLI } from '../support/runCli';

/**
 * #18 row 4 — resume by PRD: `helios run PRD.md` killed with SIGKILL mid-run, then the same
 * command again, resumes the stored plan whose `prdSha256` is the PRD's: no second Architect call,
 * no finished task run again, one plan in `plans/`. A PRD edited since its plan stops with one
 * sentence asking for `--replan`; `--replan` plans it afresh.
 */
describe('helios run PRD.md: kill -9, then the same command', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-prd-resume-'));
    await copyFile(path.resolve('test/fixtures/prds/sim-english.md'), path.join(dir, 'PRD.md'));
  });
  after(() => sim.stop());

  it('resumes the PRD\'s stored plan: the Architect once, every finished task kept; a changed PRD asks for --replan', async () => {
    const state = path.join(dir, 'state');
    const ledger = path.join(state, 'ledger.jsonl');
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy' };
    const args = ['run', path.join(dir, 'PRD.md'), '--state', state, '--workspace', dir, '--no-git', '--concurrency', '1'];
    const coderCalls = () => [...chargesByTask(ledgerRecords(ledger)).values()].reduce((a, b) => a + b, 0);
    const architectCalls = () => ledgerRecords(ledger).filter((r) => r.agent === 'architect').length;
    const plans = () => readdirSync(path.join(state, 'plans')).filter((n) => n.endsWith('.json'));

    sim.injectFault({ kind: 'slow_stream', delayMs: 5, count: 10_000 });
    const first = startCli(args, env);
    await waitUntil(() => coderCalls() >= 3, 120_000, 'three finished tasks');
    await delay(100);
    first.child.kill('SIGKILL');
    await first.exited;
    sim.clearFaults();
    assert.equal(architectCalls(), 1);
    assert.equal(plans().length, 1);
    const planId = plans()[0]!.slice(0, -'.json'.length);
    const killed = JSON.parse(readFileSync(path.join(state, 'runs', `${planId}.json`), 'utf8')) as PlanRun;
    const doneAtKill = Object.entries(killed.tasks).filter(([, t]) => t.status === 'done').map(([id]) => id);
    assert.ok(doneAtKill.length >= 2 && doneAtKill.length < Object.keys(killed.tasks).length, `killed mid-run (${doneAtKill.length} done)`);

    const second = startCli(args, env);
    assert.equal(await second.exited, 0, second.stderr());
    assert.match(second.stderr(), new RegExp(`Resuming plan ${planId}: .*PRD\\.md is unchanged`));
    assert.ok(!second.stderr().includes('Decomposing'), 'not decomposed again');
    assert.equal(architectCalls(), 1, 'the Architect was charged once');
    assert.deepEqual(plans(), [`${planId}.json`], 'no second plan');
    const rerun = [...second.stderr().matchAll(/^▶ [^/]+\/(\S+)/gm)].map((m) => m[1]);
    for (const id of doneAtKill) assert.ok(!rerun.includes(id), `${id} was done before the kill and did not run again`);
    const resumed = JSON.parse(readFileSync(path.join(state, 'runs', `${planId}.json`), 'utf8')) as PlanRun;
    assert.ok(Object.values(resumed.tasks).every((t) => t.status === 'done'));
    assert.equal(resumed.state, 'done', 'the old run does not stay "running"');
    for (const [task, n] of chargesByTask(ledgerRecords(ledger))) assert.ok(n <= 2, `${task} charged ${n} times`);

    // The PRD changed since its plan: one sentence, nothing charged, nothing planned.
    await appendFile(path.join(dir, 'PRD.md'), '\n## Export\n\nExport the catalogue as CSV.\n');
    const before = ledgerRecords(ledger).length;
    const changed = startCli(args, env);
    assert.equal(await changed.exited, 1, changed.stderr());
    const lines = changed.stderr().trim().split('\n');
    assert.equal(lines.length, 1, changed.stderr());
    assert.match(lines[0]!, new RegExp(`^helios: PRD\\.md changed since plan ${planId} was made from it, .*--replan`));
    assert.equal(ledgerRecords(ledger).length, before);
    assert.equal(plans().length, 1);

    const replanned = startCli([...args, '--replan'], env);
    assert.equal(await replanned.exited, 0, replanned.stderr());
    assert.match(replanned.stderr(), /Decomposing PRD\.md/);
    assert.equal(architectCalls(), 2);
    assert.equal(plans().length, 2);
    assert.ok(!readdirSync(path.join(state, 'plans')).some((n) => n.endsWith('.lock')), 'the PRD lock is released');
  });
});
