import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGovernorBench } from '../../src/cli/benchGovernor';

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
