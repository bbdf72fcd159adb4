import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { PlanRun } from '../../src/core/scheduler/runState';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chainPlan, chargesByTask, ledgerRecords, startCli } from '../support/cliProcess';
import { CLI } from '../support/runCli';

/**
 * #18 row 10 — disk full and a --state Helios cannot use: one sentence with the path and the next
 * step, exit 1, no Node stack trace, no `*.tmp` left behind; after space is freed the same command
 * finishes without paying again for what was done. A 60 KB tmpfs cannot be mounted here, so
 * test/support/smallDisk.mjs (preloaded into the CLI) makes `--state` a disk of that size.
 */
describe('helios run on a full disk', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy', ...extra });
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-disk-full-'));
  });
  after(() => sim.stop());

  const temps = (root: string): string[] => readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.tmp'));
  const STACK = /^\s+at .+:\d+:\d+\)?$/m;

  it('ENOSPC mid-run: "the disk is full" with the path, no stack trace, no temp files; the rerun charges nothing twice', async () => {
    const plan = chainPlan(6);
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(dir, 'state');
    const args = ['run', planFile, '--state', state, '--workspace', dir, '--no-git'];
    const full = startCli(args, env({
      NODE_OPTIONS: `--import ${pathToFileURL(path.resolve('test/support/smallDisk.mjs')).href}`, HELIOS_TEST_DISK: state, HELIOS_TEST_DISK_BYTES: '60000',
    }));
    assert.equal(await full.exited, 1, full.stderr());
    const last = full.stderr().trim().split('\n').at(-1)!;
    assert.match(last, new RegExp(`^helios: the disk is full: Helios could not write ${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+ — free some space or point --state at another disk, then run again \\(finished tasks are kept\\)\\.$`));
    assert.doesNotMatch(full.stderr(), STACK, 'no Node stack trace');
    assert.deepEqual(temps(state), [], 'no *.tmp left behind');
    assert.ok(!readdirSync(path.join(state, 'runs')).some((n) => n.endsWith('.lock')), 'the run lock is released');

    const kept = JSON.parse(readFileSync(path.join(state, 'runs', `${plan.id}.json`), 'utf8')) as PlanRun;
    const done = Object.entries(kept.tasks).filter(([, t]) => t.status === 'done').map(([id]) => id);
    assert.ok(done.length >= 1 && done.length < 6, `stopped mid-run (${done.length} done)`);

    // Space freed: the same command finishes. What was done before the disk filled is not paid again;
    // only the task whose result could not be written (the call was paid, the answer lost) runs again.
    const again = startCli(args, env());
    assert.equal(await again.exited, 0, again.stderr());
    assert.match(again.stdout(), /6 done, 0 failed/);
    const charges = chargesByTask(ledgerRecords(path.join(state, 'ledger.jsonl')));
    for (const id of done) assert.equal(charges.get(id), 1, `${id} was done before the disk filled and was charged once`);
    assert.ok([...charges.values()].filter((n) => n > 1).length <= 1, `at most the interrupted task ran twice: ${JSON.stringify([...charges])}`);
  });

  it('--state inside a file (ENOTDIR): one sentence naming the path and --state', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const planFile = path.join(dir, 'plan.json');
    const run = startCli(['run', planFile, '--state', path.join(file, 'state'), '--workspace', dir], env());
    assert.equal(await run.exited, 1);
    assert.equal(run.stderr(), `helios: cannot keep Helios's state at ${path.join(file, 'state')}: part of that path is a file, not a folder (ENOTDIR) — point --state at a folder.\n`);
  });

  it('a stale temp file from a crashed run is swept at start', async () => {
    const state = path.join(dir, 'state');
    const stale = path.join(state, 'runs', `x.json.${process.pid}.0badc0de.tmp`);
    await writeFile(stale, '{"half');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(stale, old, old);
    const run = startCli(['run', path.join(dir, 'plan.json'), '--state', state, '--workspace', dir, '--no-git'], env());
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stderr(), /Removed 1 temp file\(s\) a crashed run left/);
    assert.ok(!existsSync(stale));
  });
});
