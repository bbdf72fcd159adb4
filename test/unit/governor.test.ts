import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, type BudgetConfig } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { Governor, type Admission } from '../../src/core/governor/governor';
import { observedCeiling } from '../../src/core/governor/limitLearning';
import { recordFromClaudeCodeEntry } from '../../src/core/governor/externalUsage';
import { HeliosError } from '../../src/core/errors/heliosError';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { ZERO_USAGE } from '../../src/shared/usage';
import { FakeClock } from '../support/fakeClock';
import { MemoryLedger } from '../support/memoryLedger';

const T0 = Date.parse('2026-11-24T10:20:00Z');
const custom = (tokens: number, extra: Partial<BudgetConfig> = {}): BudgetConfig => ({ ...DEFAULT_BUDGET, plan: 'custom', windowTokens: tokens, windowMessages: 0, ...extra });

function record(clock: FakeClock, model: string, input: number, output: number): UsageRecord {
  return {
    v: 1, ts: new Date(clock.now()).toISOString(), workspace: 'file:///w', provider: 'test', model, requestId: null,
    usage: { ...ZERO_USAGE, inputTokens: input, outputTokens: output }, costUsd: null,
  };
}

async function setup(config: BudgetConfig, ledger = new MemoryLedger()) {
  const clock = new FakeClock(T0);
  const governor = await Governor.create({ ledger, config, clock });
  return { clock, governor, ledger };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('Governor admission', () => {
  it('reserves the upper bound, settles the real usage, and tracks the state', async () => {
    const { clock, governor } = await setup(custom(10_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 2_000 });
    assert.equal(a.maxTokens, 2_000);
    assert.equal(a.reservedUnits, 3_000);
    assert.equal(governor.view().reserved, 3_000);
    await governor.settle(a, record(clock, 'claude-sonnet-5-5', 1_000, 500));
    assert.equal(governor.view().used, 1_500);
    assert.equal(governor.view().reserved, 0);
    assert.equal(governor.state, 'ok');
    const b = await governor.admit({ model: 'claude-opus-5-5', inputTokens: 3_000, maxTokens: 500 });
    // Opus weighs 2: (3000 + 500) × 2 = 7000 reserved → 8500 of 10000 = throttled.
    assert.equal(b.reservedUnits, 7_000);
    assert.equal(governor.state, 'throttled');
    await governor.settle(b, record(clock, 'claude-opus-5-5', 3_000, 500));
    assert.equal(governor.view().used, 8_500);
  });

  it('grants a smaller max_tokens so a call cannot overshoot the cap', async () => {
    const { governor } = await setup(custom(10_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 4_000, maxTokens: 32_000 });
    assert.equal(a.maxTokens, 6_000);
    assert.equal(a.reservedUnits, 10_000);
  });

  it('queues a call that does not fit and admits it when a reservation is released', async () => {
    const { governor } = await setup(custom(10_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 8_000 });
    let second: Admission | undefined;
    const pending = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 4_000 }).then((x) => (second = x));
    await flush();
    assert.equal(second, undefined);
    assert.equal(governor.state, 'paused');
    assert.equal(governor.view().waiting, 1);
    governor.release(a);
    await pending;
    assert.equal((second as Admission | undefined)?.maxTokens, 4_000);
    assert.equal(governor.state, 'ok');
  });

  it('keeps a paused call until the window resets, then admits it', async () => {
    const { clock, governor } = await setup(custom(5_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 3_000 });
    await governor.settle(a, record(clock, 'claude-sonnet-5-5', 1_000, 3_800));
    let admitted = false;
    const pending = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 2_000 }).then(() => (admitted = true));
    clock.advance(4 * 3_600_000);
    await flush();
    assert.equal(admitted, false, 'still inside the window that started at 10:00');
    clock.advance(40 * 60_000 + 1); // past 15:00
    await pending;
    assert.equal(admitted, true);
    assert.equal(governor.view().period.start, Date.parse('2026-11-24T15:00:00Z'));
  });

  it('rejects a waiting call when it is aborted, and forgets it', async () => {
    const { governor } = await setup(custom(1_000));
    await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 500, maxTokens: 500 });
    const abort = new AbortController();
    const pending = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 500, maxTokens: 500, signal: abort.signal });
    abort.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof HeliosError && e.reason === 'cancelled');
    assert.equal(governor.view().waiting, 0);
  });

  it('holds every new call while the user has paused, and lets them go on resume', async () => {
    const { governor } = await setup(custom(100_000));
    governor.setPaused(true);
    let admitted = false;
    const pending = governor.admit({ model: 'claude-haiku-5-5', inputTokens: 10, maxTokens: 10 }).then(() => (admitted = true));
    await flush();
    assert.equal(admitted, false);
    assert.equal(governor.state, 'paused');
    governor.setPaused(false);
    await pending;
    assert.equal(admitted, true);
  });

  it('admits a queued call when the user raises the cap', async () => {
    const { governor } = await setup(custom(2_000));
    await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 1_000 });
    const pending = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 1_000 });
    await flush();
    governor.setConfig(custom(4_000));
    const b = await pending;
    assert.equal(b.maxTokens, 1_000);
  });

  it('counts calls against a message cap', async () => {
    const { governor } = await setup(custom(1_000_000, { windowMessages: 2 }));
    await governor.admit({ model: 'claude-haiku-5-5', inputTokens: 1, maxTokens: 1 });
    await governor.admit({ model: 'claude-haiku-5-5', inputTokens: 1, maxTokens: 1 });
    let third = false;
    const pending = governor.admit({ model: 'claude-haiku-5-5', inputTokens: 1, maxTokens: 1 }).then(() => (third = true));
    await flush();
    assert.equal(third, false);
    governor.dispose();
    await assert.rejects(pending, (e: unknown) => e instanceof HeliosError && e.reason === 'cancelled');
  });

  it('meters the api plan in dollars against the daily and monthly budgets', async () => {
    const { clock, governor } = await setup({ ...DEFAULT_BUDGET, plan: 'api', dailyUsd: 1, monthlyUsd: 0.5 });
    // Sonnet 5.5 with the 1-hour cache-write bound: 100K in × $4/MTok + output × $10/MTok; monthly $0.50 binds.
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 100_000, maxTokens: 100_000 });
    assert.equal(a.maxTokens, 10_000);
    assert.ok(Math.abs(a.reservedUnits - 0.5) < 1e-9);
    await governor.settle(a, { ...record(clock, 'claude-sonnet-5-5', 100_000, 1_000), costUsd: 0.21 });
    assert.ok(Math.abs(governor.view().used - 0.21) < 1e-9, 'settled at the price-table cost');
  });

  it('lowers the cap to an observed ceiling and says so', async () => {
    const { clock, governor } = await setup(custom(100_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 10_000, maxTokens: 30_000 });
    await governor.settle(a, record(clock, 'claude-sonnet-5-5', 10_000, 30_000));
    await governor.recordLimitHit(undefined);
    const view = governor.view();
    assert.deepEqual(view.cap, { units: 40_000, messages: 0, source: 'observed' });
    assert.deepEqual(observedCeiling(view.observations), { value: 40_000, windows: 1 });
    assert.equal(governor.state, 'paused');
  });
});

describe('Governor under concurrency', () => {
  it('never lets committed + reserved pass the cap with 40 calls in flight and random outcomes', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const cap = 50_000;
    const { clock, governor } = await setup(custom(cap));
    let maxSeen = 0;
    governor.onDidChange(() => {
      const v = governor.view();
      maxSeen = Math.max(maxSeen, v.used + v.reserved);
    });
    const models = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5'];
    const calls = Array.from({ length: 40 }, async (_, i) => {
      const model = models[i % 3]!;
      const abort = new AbortController();
      if (rand() < 0.1) setTimeout(() => abort.abort(), rand() * 20);
      let a: Admission;
      try {
        a = await governor.admit({ model, inputTokens: 500 + Math.floor(rand() * 3_000), maxTokens: 4_000, minOutputTokens: 200, signal: abort.signal });
      } catch {
        return 'cancelled';
      }
      await new Promise((r) => setTimeout(r, rand() * 15));
      if (rand() < 0.2) {
        governor.release(a); // a 429/529 that exhausted retries, or an abort mid-call
        return 'failed';
      }
      const outputTokens = Math.floor(rand() * a.maxTokens);
      const weight = model.includes('opus') ? 2 : model.includes('haiku') ? 0.05 : 1;
      const input = Math.floor(a.reservedUnits / weight - a.maxTokens);
      await governor.settle(a, record(clock, model, input, outputTokens));
      return 'ok';
    });
    // Calls that wait past everyone else are released by the window reset.
    const timer = setInterval(() => clock.advance(60 * 60_000), 50);
    const outcomes = await Promise.all(calls);
    clearInterval(timer);
    assert.ok(maxSeen <= cap, `committed + reserved reached ${maxSeen} > ${cap}`);
    assert.ok(outcomes.filter((o) => o === 'ok').length >= 20);
    assert.equal(governor.view().reserved, 0, 'every reservation was settled or released');
  });
});

describe('budget snapshot', () => {
  it('splits by family, measures the burn rate and projects the cap', async () => {
    const { clock, governor } = await setup(custom(100_000));
    for (const [model, input, output] of [['claude-opus-5-5', 4_000, 1_000], ['claude-sonnet-5-5', 8_000, 2_000], ['claude-haiku-5-5', 20_000, 0]] as const) {
      const a = await governor.admit({ model, inputTokens: input, maxTokens: Math.max(1, output) });
      await governor.settle(a, record(clock, model, input, output));
      clock.advance(5 * 60_000);
    }
    const s = buildBudgetSnapshot(governor.view(), 'simulator');
    assert.equal(s.byFamily.opus.units, 10_000);
    assert.equal(s.byFamily.sonnet.units, 10_000);
    assert.equal(s.byFamily.haiku.units, 1_000);
    assert.equal(s.used, 21_000);
    assert.equal(s.period.start, '2026-11-24T10:00:00.000Z');
    // Now is 10:35: the burn rate looks back 30 minutes (to 10:05), which holds all 21,000 units.
    assert.ok(Math.abs(s.burnRatePerMin - 21_000 / 30) < 1e-9);
    assert.ok(s.projectedAtEnd > s.used);
    assert.ok(s.capReachedAt !== null && Date.parse(s.capReachedAt) < Date.parse(s.period.end));
    assert.equal(s.history.length, 3);
    assert.equal(s.history[2]!.used, 21_000);
    assert.equal(s.recentWindows[0]!.calls, 3);
    assert.equal(s.perProject[0]!.workspace, 'file:///w');
  });
});

describe('usage from Claude Code', () => {
  it('counts Claude Code calls into the window once, even when Helios made them through claude -p', async () => {
    const { clock, governor } = await setup(custom(100_000));
    const a = await governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 1_000, maxTokens: 1_000 });
    await governor.settle(a, { ...record(clock, 'claude-sonnet-5-5', 1_000, 1_000), requestId: 'req_shared' });
    const entry = (requestId: string, input: number) => recordFromClaudeCodeEntry({
      timestamp: new Date(clock.now()), model: 'claude-sonnet-5-5', source: 'claude-code', requestId,
      usage: { inputTokens: input, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    });
    await governor.setExternalUsage(async () => [entry('req_shared', 1_000), entry('req_cc_only', 5_000)]);
    assert.equal(governor.view().used, 2_000 + 5_000);
    await governor.setExternalUsage(undefined);
    assert.equal(governor.view().used, 2_000);
  });
});

describe('usage-limit notices', () => {
  it('pauses admission until the reset time the provider named, then resumes', async () => {
    const { clock, governor } = await setup(custom(100_000));
    await governor.recordLimitHit(new Date(clock.now() + 30 * 60_000));
    assert.equal(governor.state, 'paused');
    let admitted = false;
    const pending = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 10, maxTokens: 10 }).then(() => (admitted = true));
    clock.advance(29 * 60_000);
    await flush();
    assert.equal(admitted, false);
    clock.advance(60_000 + 1);
    await pending;
    assert.equal(admitted, true);
    assert.equal(governor.state, 'ok');
  });
});
