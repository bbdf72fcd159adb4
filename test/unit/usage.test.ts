import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costOfUsage } from '../../src/core/usage/cost';
import { currentWindow, RecordingLlmClient, type UsageRecord } from '../../src/core/usage/usageLedger';
import { formatTokens, presentBudget } from '../../src/extension/statusBar/budgetPresentation';
import { ZERO_USAGE } from '../../src/shared/usage';
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

describe('currentWindow', () => {
  const records = [at('2026-11-24T01:10:00Z', 5), at('2026-11-24T05:59:00Z', 7), at('2026-11-24T06:30:00Z', 11), at('2026-11-24T07:00:00Z', 13)];
  it('opens at the first call floored to the hour and lasts five hours', () => {
    const w = currentWindow(records.slice(0, 2), new Date('2026-11-24T05:59:30Z'))!;
    assert.equal(w.start.toISOString(), '2026-11-24T01:00:00.000Z');
    assert.equal(w.end.toISOString(), '2026-11-24T06:00:00.000Z');
    assert.equal(w.tokens, 12);
    assert.equal(w.calls, 2);
  });
  it('starts a new window with the first call after the previous one closed', () => {
    const w = currentWindow(records, new Date('2026-11-24T07:30:00Z'))!;
    assert.equal(w.start.toISOString(), '2026-11-24T06:00:00.000Z');
    assert.equal(w.tokens, 24);
  });
  it('is closed when five hours passed without calls', () => {
    assert.equal(currentWindow(records, new Date('2026-11-24T11:00:00Z')), undefined);
    assert.equal(currentWindow([], new Date()), undefined);
  });
});

describe('RecordingLlmClient', () => {
  it('appends the provider-reported usage and cost of each call to the ledger', async () => {
    const appended: UsageRecord[] = [];
    const client = new RecordingLlmClient(new ScriptedLlmClient([{ text: '{}' }]), {
      append: async (r) => void appended.push(r), readAll: async () => ({ records: appended, skipped: 0 }),
    }, { workspace: 'file:///p', now: () => new Date('2026-11-24T00:00:00Z') });
    await client.complete({ model: 'claude-sonnet-5-5', system: [], messages: [], maxTokens: 10 });
    assert.equal(appended.length, 1);
    assert.equal(appended[0]!.usage.inputTokens, 100);
    assert.equal(appended[0]!.requestId, 'req_1');
    assert.equal(appended[0]!.workspace, 'file:///p');
    // 100 in × 2 + 50 out × 10 + 10 write × 2 × 1.25 + 20 read × 2 × 0.1, per MTok.
    assert.ok(Math.abs(appended[0]!.costUsd! - (200 + 500 + 25 + 4) / 1e6) < 1e-12);
  });
});

describe('budget meter presentation', () => {
  const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
  it('formats token counts compactly', () => {
    assert.deepEqual([0, 999, 1_234, 45_600, 2_500_000].map(formatTokens), ['0', '999', '1.2k', '46k', '2.50M']);
  });
  it('shows tokens and the simulator in the text, and the reset time in the tooltip', () => {
    const window = { start: new Date('2026-11-24T01:00:00Z'), end: new Date('2026-11-24T06:00:00Z'), tokens: 3_412, costUsd: 0.0421, calls: 2 };
    const view = presentBudget({ window, provider: 'simulator', now: new Date('2026-11-24T04:30:00Z'), t, showBudgetCommand: 'helios.showBudget', setKeyCommand: 'helios.setApiKey' });
    assert.equal(view.text, '$(pulse) 3.4k tok · Simulator');
    assert.match(view.tooltip, /resets in 1 h 30 min/);
    assert.match(view.tooltip, /3,412 in 2 calls/);
    assert.match(view.tooltip, /command:helios\.setApiKey/);
    assert.match(view.ariaLabel, /^Helios: 3412 tokens/);
  });
  it('shows zero when no window is open', () => {
    const view = presentBudget({ window: undefined, provider: 'anthropic', now: new Date(), t, showBudgetCommand: 'a', setKeyCommand: 'b' });
    assert.equal(view.text, '$(pulse) 0 tok · Anthropic API');
  });
});
