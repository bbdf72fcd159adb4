import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runGovernorBench } from '../../src/cli/benchGovernor';
import type { ProcessesBenchResult } from '../../src/cli/benchGovernorProcesses';
import { skipWithoutRedis } from '../support/redisServer';
import { CLI, runCli } from '../support/runCli';

/**
 * The governor's promise under load, through the real SDK and the simulator: 20 calls in flight,
 * random prompt sizes, models and output budgets, injected 429/529 mid-run (the SDK retries), and
 * callers aborting while they wait or while their call streams. No window may pass its cap, and
 * every reservation must be settled or released.
 */
describe('governor bench (SDK + simulator)', () => {
  for (const [cap, seed] of [[20_000, 7], [60_000, 11], [150_000, 23]] as const) {
    it(`never overshoots a cap of ${cap} weighted tokens with faults and aborts`, async () => {
      const r = await runGovernorBench({ calls: 150, concurrency: 20, cap, faultRate: 0.15, abortRate: 0.1, seed, speedUp: 400 });
      assert.equal(r.overshoot, 0, `fullest window committed ${r.committed} of ${cap}`);
      assert.equal(r.leakedReservations, 0);
      assert.ok(r.aborted > 0, 'some callers aborted');
      assert.equal(r.completed + r.aborted + r.failed, 150);
      assert.ok(r.completed > 100, `most calls completed (${r.completed})`);
      assert.ok(r.committed > cap * 0.5 || r.windows === 1, 'windows were actually filled towards the cap');
    });
  }
});

/**
 * Team mode (#20): `bench governor --processes 4` on one Redis — Debian's redis-server, started by
 * the bench on 127.0.0.1 and a free port and stopped at the end. Local mode runs in
 * accountBoard.test.ts; here only team mode (`--mode team`), with one worker killed with SIGKILL.
 */
describe('bench governor --processes in team mode (Redis)', { skip: skipWithoutRedis }, () => {
  it('4 processes × 20 in flight on one Redis hold the cap; a SIGKILLed worker\'s reservations free up within the lease, no record lost or doubled', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const { code, stdout, stderr } = await runCli(['bench', 'governor', '--processes', '4', '--calls', '40', '--concurrency', '20', '--cap', '40000',
      '--kill-one-after-ms', '300', '--lease-ms', '1500', '--mode', 'team', '--json'], { ...process.env, NODE_V8_COVERAGE: '' }, 90_000);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout) as ProcessesBenchResult;
    assert.equal(r.mode, 'team');
    assert.match(r.where, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(r.overshoot, 0, `committed ${r.committed} of 40000`);
    assert.ok(r.committed > 0 && r.completed > 0);
    assert.deepEqual([r.leakedReservations, r.doubledRecords, r.lostRecords, r.failed], [0, 0, 0, 0]);
    assert.ok(r.killed && r.killed.held > 0, 'the victim held reservations when it was killed');
    assert.ok(r.killed.freedWithinMs !== undefined && r.killed.freedWithinMs <= r.killed.leaseMs + 500, `freed after ${r.killed.freedWithinMs} ms`);
    assert.ok(r.admissionMs.samples > 0);
  });
});
