import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, type BudgetConfig } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { Governor } from '../../src/core/governor/governor';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { budgetRows } from '../../src/extension/views/budgetTreeModel';
import { ZERO_USAGE } from '../../src/shared/usage';
import { FakeClock } from '../support/fakeClock';
import { MemoryLedger } from '../support/memoryLedger';

const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
const states = { ok: 'OK', throttled: 'Throttled', paused: 'Paused' };
const stateDetails = { ok: 'Calls run normally.', throttled: 'Near the cap.', paused: 'At the cap: new calls wait until the budget resets at {0}.' };

/** A real governor's snapshot at 10:48, with `used` weighted tokens spent at 10:05 (window 10:00–15:00). */
async function rowsWith(used: number, config: BudgetConfig = { ...DEFAULT_BUDGET, plan: 'max5x' }, locale = 'en') {
  const ledger = new MemoryLedger();
  if (used > 0) {
    const record: UsageRecord = { v: 1, ts: '2026-11-24T10:05:00Z', workspace: 'w', provider: 'anthropic', model: 'claude-sonnet-5-5', requestId: null, usage: { ...ZERO_USAGE, inputTokens: used }, costUsd: used / 1e6 };
    ledger.records.push(record);
  }
  const governor = await Governor.create({ ledger, config, clock: new FakeClock(Date.parse('2026-11-24T10:48:00Z')) });
  return budgetRows({ snapshot: buildBudgetSnapshot(governor.view(), 'simulator'), t, locale, time: (iso) => iso.slice(11, 16), states, stateDetails });
}

describe('the Budget view', () => {
  it('shows the share of the 5-hour window, when it resets and what is used of the cap', async () => {
    const rows = await rowsWith(8_800);
    assert.deepEqual(rows.map((r) => [r.label, r.description]), [
      ['10% of the 5-hour window', 'OK'],
      ['Resets at 15:00', 'in 4h12m'],
      ['Used 8.8k of 88k', undefined],
      ['Open the Budget Panel', undefined],
    ]);
    assert.deepEqual(rows.map((r) => r.severity), ['none', 'none', 'none', 'none']);
  });

  it('turns the gauge to warning at the throttle threshold and to error at the cap, naming the reset', async () => {
    const throttled = (await rowsWith(72_000))[0]!;
    assert.equal(throttled.label, '82% of the 5-hour window');
    assert.deepEqual([throttled.severity, throttled.icon, throttled.description], ['warning', 'warning', 'Throttled']);
    const paused = (await rowsWith(90_000))[0]!;
    assert.deepEqual([paused.severity, paused.icon], ['error', 'debug-pause']);
    assert.equal(paused.tooltip, 'At the cap: new calls wait until the budget resets at 15:00.');
  });

  it('says no window is open before the first call, and shows dollars for the API plan', async () => {
    const idle = await rowsWith(0);
    assert.equal(idle[0]!.label, '0% of the 5-hour window');
    assert.equal(idle[1]!.label, 'No window is open: the next call starts one.');
    const api = await rowsWith(0, { ...DEFAULT_BUDGET, plan: 'api' });
    assert.equal(api[0]!.label, '0% of today\'s budget');
    assert.match(api[2]!.label, /^Used \$0\.00 of \$\d+/);
  });

  it('writes numbers in the UI language', async () => {
    const rows = await rowsWith(8_800, { ...DEFAULT_BUDGET, plan: 'max5x' }, 'de');
    assert.equal(rows[0]!.label, '10\u00a0% of the 5-hour window');
    assert.equal(rows[2]!.label, 'Used 8,8k of 88k');
  });
});
