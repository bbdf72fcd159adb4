import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, type BudgetConfig } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { GovernedLlmClient } from '../../src/core/governor/governedLlmClient';
import { Governor } from '../../src/core/governor/governor';
import { windowAt } from '../../src/core/governor/periods';
import { HeliosError } from '../../src/core/errors/heliosError';
import { costOfUsage } from '../../src/core/usage/cost';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { formatDuration, formatTokens, presentBudget } from '../../src/extension/statusBar/budgetPresentation';
import { ZERO_USAGE } from '../../src/shared/usage';
import { FakeClock } from '../support/fakeClock';
import { MemoryLedger } from '../support/memoryLedger';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

const at = (iso: string, tokens: number): UsageRecord => ({
  v: 1, ts: iso, workspace: 'w', provider: 'anthropic', model: 'claude-sonnet-5-5', requestId: null,
  usage: { ...ZERO_USAGE, inputTokens: tokens }, costUsd: tokens / 1e6,
});

describe('costOfUsage', () => {
  it('prices input, output, cache writes by TTL and cache reads per model', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheCreationInputTokens: 2_000_000, cacheReadInputTokens: 1_000_000, cacheCreation5mTokens: 1_000_000, cacheCreation1hTokens: 1_000_000 };
    // Sonnet 5.5: 2 + 10 + 2×1.25 + 2×2 + 2×0.1
    assert.ok(Math.abs(costOfUsage('claude-sonnet-5-5', usage)! - (2 + 10 + 2.5 + 4 + 0.2)) < 1e-9);
    // Opus 5.5 reads at 0.05×: 4 + 20 + 5 + 8 + 0.2
    assert.ok(Math.abs(costOfUsage('claude-opus-5-5', usage)! - (4 + 20 + 5 + 8 + 0.2)) < 1e-9);
  });
  it('uses the long-prompt tier of Haiku 5.5 above 100K prompt tokens', () => {
    const small = costOfUsage('claude-haiku-5-5', { ...ZERO_USAGE, inputTokens: 100_000, outputTokens: 1_000 })!;
    const large = costOfUsage('claude-haiku-5-5', { ...ZERO_USAGE, inputTokens: 100_001, outputTokens: 1_000 })!;
    assert.ok(Math.abs(small - (100_000 * 0.1 + 1_000 * 0.5) / 1e6) < 1e-12);
    assert.ok(Math.abs(large - (100_001 * 0.5 + 1_000 * 2.5) / 1e6) < 1e-12);
  });
  it('is unknown (undefined) for a model without a price', () => {
    assert.equal(costOfUsage('claude-mythos-1', ZERO_USAGE), undefined);
  });
});

describe('windowAt', () => {
  const records = [at('2026-11-24T01:10:00Z', 5), at('2026-11-24T05:59:00Z', 7), at('2026-11-24T06:30:00Z', 11), at('2026-11-24T07:00:00Z', 13)];
  it('opens at the first call floored to the hour and lasts five hours', () => {
    const w = windowAt(records.slice(0, 2), Date.parse('2026-11-24T05:59:30Z'));
    assert.deepEqual([new Date(w.start).toISOString(), new Date(w.end).toISOString(), w.active], ['2026-11-24T01:00:00.000Z', '2026-11-24T06:00:00.000Z', true]);
  });
  it('starts a new window with the first call after the previous one closed', () => {
    assert.equal(new Date(windowAt(records, Date.parse('2026-11-24T07:30:00Z')).start).toISOString(), '2026-11-24T06:00:00.000Z');
  });
  it('is the window a call would open when five hours passed without calls', () => {
    const w = windowAt(records, Date.parse('2026-11-24T11:20:00Z'));
    assert.equal(w.active, false);
    assert.equal(new Date(w.start).toISOString(), '2026-11-24T11:00:00.000Z');
  });
});

describe('GovernedLlmClient', () => {
  it('sends the granted max_tokens and settles the provider-reported usage into the ledger', async () => {
    const ledger = new MemoryLedger();
    const clock = new FakeClock(Date.parse('2026-11-24T10:00:00Z'));
    const governor = await Governor.create({ ledger, config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 5_000, windowMessages: 0 }, clock });
    const inner = new ScriptedLlmClient([{ text: '{}' }], 1_000);
    const client = new GovernedLlmClient(inner, governor, { workspace: 'file:///p', now: () => new Date(clock.now()) });
    await client.complete({ model: 'claude-sonnet-5-5', system: [], messages: [], maxTokens: 32_000, tags: { agent: 'architect', planId: 'p1' } });
    // 1,000 counted input → reserved 1,000 × 1.02 + 16 = 1,036; the rest of 5,000 is the output budget.
    assert.equal(inner.requests[0]!.maxTokens, 5_000 - 1_036);
    const r = ledger.records[0]!;
    assert.deepEqual([r.usage.inputTokens, r.requestId, r.workspace, r.family, r.agent, r.planId], [100, 'req_1', 'file:///p', 'sonnet', 'architect', 'p1']);
    // 100 in × 2 + 50 out × 10 + 10 write × 2 × 1.25 + 20 read × 2 × 0.1, per MTok.
    assert.ok(Math.abs(r.costUsd! - (200 + 500 + 25 + 4) / 1e6) < 1e-12);
    assert.equal(governor.view().reserved, 0);
  });

  it('releases the reservation when the call fails, and learns from a usage-limit refusal', async () => {
    const governor = await Governor.create({ ledger: new MemoryLedger(), config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 5_000, windowMessages: 0 } });
    const failing = new ScriptedLlmClient([], 100);
    failing.complete = () => Promise.reject(new HeliosError('provider_rate_limited', 'limit', { limitReached: 1 }));
    const client = new GovernedLlmClient(failing, governor, { workspace: 'w', now: () => new Date() });
    await assert.rejects(client.complete({ model: 'claude-sonnet-5-5', system: [], messages: [], maxTokens: 100 }));
    assert.equal(governor.view().reserved, 0);
    assert.equal(governor.view().observations.length, 1);
  });
});

describe('budget meter presentation', () => {
  const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
  const commands = { showBudget: 'helios.showBudget', pause: 'helios.pause', resume: 'helios.resume', settings: 'helios.openBudgetSettings', setApiKey: 'helios.setApiKey' };
  const time = (iso: string) => iso.slice(11, 16);

  async function snapshotWith(used: number, config: BudgetConfig = { ...DEFAULT_BUDGET, plan: 'max5x' }) {
    const ledger = new MemoryLedger();
    const clock = new FakeClock(Date.parse('2026-11-24T10:48:00Z'));
    if (used > 0) ledger.records.push({ ...at('2026-11-24T10:05:00Z', used) });
    const governor = await Governor.create({ ledger, config, clock });
    return buildBudgetSnapshot(governor.view(), 'simulator');
  }

  it('formats tokens and durations compactly', () => {
    assert.deepEqual([0, 999, 1_234, 45_600, 2_500_000].map((n) => formatTokens(n)), ['0', '999', '1.2k', '46k', '2.50M']);
    assert.deepEqual([0, 59_000, 45 * 60_000, 192 * 60_000].map((ms) => formatDuration(ms)), ['<1m', '<1m', '45m', '3h12m']);
  });

  it('shows the used share and the time to reset, and the simulator', async () => {
    const view = presentBudget({ snapshot: await snapshotWith(8_800), provider: 'simulator', t, commands, time });
    assert.equal(view.text, '$(pulse) 10% · 4h12m · Simulator');
    assert.equal(view.severity, 'none');
    assert.match(view.tooltip, /Used 8\.8k of 88k \(plan default\)/);
    assert.match(view.tooltip, /Window 10:00 – 15:00, resets in 4h12m/);
    assert.match(view.tooltip, /command:helios\.pause/);
  });

  it('turns warning at the throttle threshold and error when paused', async () => {
    const throttled = presentBudget({ snapshot: await snapshotWith(72_000), provider: 'anthropic', t, commands, time });
    assert.equal(throttled.severity, 'warning');
    assert.match(throttled.text, /^\$\(pulse\) 82% · 4h12m$/);
    const paused = presentBudget({ snapshot: await snapshotWith(90_000), provider: 'anthropic', t, commands, time });
    assert.equal(paused.severity, 'error');
    assert.match(paused.text, /^\$\(debug-pause\) 102%/);
    assert.match(paused.tooltip, /command:helios\.resume/);
  });

  it('shows 0 % with no window open, and dollars for the api plan', async () => {
    assert.equal(presentBudget({ snapshot: await snapshotWith(0), provider: 'anthropic', t, commands, time }).text, '$(pulse) 0%');
    const api = presentBudget({ snapshot: await snapshotWith(0, { ...DEFAULT_BUDGET, plan: 'api' }), provider: 'anthropic', t, commands, time });
    assert.equal(api.text, '$(pulse) 0% · $0.00');
  });
});
