import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SharedReservation } from '../../src/core/governor/accountBoard';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { Governor, type GovernorView } from '../../src/core/governor/governor';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { presentBudget } from '../../src/extension/statusBar/budgetPresentation';
import type { UsageSource } from '../../src/shared/budget';
import { ZERO_USAGE } from '../../src/shared/usage';
import { FakeClock } from '../support/fakeClock';
import { MemoryLedger } from '../support/memoryLedger';

const NOW = Date.parse('2026-11-24T10:40:00Z');
const config = { ...DEFAULT_BUDGET, plan: 'custom' as const, windowTokens: 100_000, windowMessages: 0 };
const SELF = { holder: 'host:100:aa', label: 'VS Code: app' };

/** A Sonnet call of `tokens` input tokens (Sonnet weighs 1: its units are its tokens). */
function spent(minute: number, tokens: number, who: Partial<UsageRecord> = {}): UsageRecord {
  return {
    v: 1, ts: new Date(Date.parse('2026-11-24T10:00:00Z') + minute * 60_000).toISOString(), workspace: 'file:///w', provider: 'simulator',
    model: 'claude-sonnet-5-5', requestId: null, usage: { ...ZERO_USAGE, inputTokens: tokens }, costUsd: tokens / 1_000_000, ...who,
  };
}

function call(id: string, units: number, who: Partial<SharedReservation>): SharedReservation {
  return { id, owner: `owner-${id}`, model: 'claude-sonnet-5-5', units, expiresAt: NOW + 30_000, ...who };
}

/** The governor's real view over `records`, with what the account board would add to it. */
async function viewOf(records: UsageRecord[], board: Partial<GovernorView> = {}): Promise<GovernorView> {
  const ledger = new MemoryLedger();
  ledger.records.push(...records);
  const governor = await Governor.create({ ledger, config, clock: new FakeClock(NOW) });
  const view = governor.view();
  const othersReserved = (board.otherCalls ?? []).reduce((n, c) => n + c.units, 0);
  return { ...view, ...board, othersInFlight: board.otherCalls?.length ?? 0, othersReserved, reserved: (board.reserved ?? 0) + othersReserved };
}

const brief = (s: UsageSource) => [s.kind, s.label, s.units, s.calls, s.inFlight, s.reservedUnits];

describe('budget snapshot: who is spending', () => {
  it('splits the period by this window, other windows, the CLI, benchmarks, Claude Code and earlier records', async () => {
    const view = await viewOf([
      spent(5, 1_000, { holder: SELF.holder, origin: SELF.label, originKind: 'vscode' }),
      spent(6, 2_000, { holder: SELF.holder, origin: SELF.label, originKind: 'vscode' }),
      spent(7, 4_000, { holder: 'host:200:bb', origin: 'VS Code: api', originKind: 'vscode' }),
      spent(8, 8_000, { holder: 'host:300:cc', origin: 'VS Code: docs', originKind: 'vscode' }),
      spent(9, 500, { holder: 'host:400:dd', origin: 'helios run app', originKind: 'cli' }),
      spent(10, 300, { holder: 'host:500:ee', origin: 'bench worker 500', originKind: 'bench' }),
      spent(11, 200, { holder: 'host:501:ef', origin: 'bench worker 501', originKind: 'bench' }),
      spent(12, 700, { provider: 'claude-code-log', workspace: 'claude-code' }),
      spent(13, 900),
      // Before the window: not in the period.
      spent(-400, 50_000, { holder: 'host:200:bb', origin: 'VS Code: api', originKind: 'vscode' }),
    ], { self: SELF, inFlight: 2, reserved: 3_000 });
    const s = buildBudgetSnapshot(view, 'simulator');
    assert.deepEqual(s.sources.map(brief), [
      ['self', 'VS Code: app', 3_000, 2, 2, 3_000],
      ['window', 'VS Code: docs', 8_000, 1, 0, 0],
      ['window', 'VS Code: api', 4_000, 1, 0, 0],
      ['cli', 'helios run app', 500, 1, 0, 0],
      ['bench', null, 500, 2, 0, 0],
      ['claudeCode', null, 700, 1, 0, 0],
      ['unattributed', null, 900, 1, 0, 0],
    ]);
    assert.equal(s.sources.reduce((n, r) => n + r.units, 0), s.used, 'the rows add up to the period\'s usage');
    assert.ok(Math.abs(s.sources[0]!.costUsd - 0.003) < 1e-12);
  });

  it('counts this workspace\'s window before a reload as this window, not as another window', async () => {
    const self = { ...SELF, originKind: 'vscode' as const, member: 'ada@box' };
    const view = await viewOf([
      // The same folder's window before the reload: another holder, same label, kind and member.
      spent(5, 1_000, { holder: 'host:90:zz', origin: SELF.label, originKind: 'vscode', member: 'ada@box' }),
      spent(6, 2_000, { holder: SELF.holder, origin: SELF.label, originKind: 'vscode', member: 'ada@box' }),
      // `helios run` in the same folder is not this window.
      spent(7, 4_000, { holder: 'host:91:yy', origin: SELF.label, originKind: 'cli', member: 'ada@box' }),
    ], { self });
    assert.deepEqual(buildBudgetSnapshot(view, 'simulator').sources.map(brief), [
      ['self', SELF.label, 3_000, 2, 0, 0],
      ['cli', SELF.label, 4_000, 1, 0, 0],
    ]);
  });

  it('adds the others\' calls in flight to their rows, or a row of their own', async () => {
    const view = await viewOf([spent(5, 4_000, { holder: 'host:200:bb', origin: 'VS Code: api', originKind: 'vscode' })], {
      self: SELF,
      inFlight: 1,
      reserved: 1_500,
      otherCalls: [
        call('a', 2_000, { label: 'VS Code: api', originKind: 'vscode' }),
        call('b', 2_500, { label: 'VS Code: api', originKind: 'vscode' }),
        call('c', 900, { label: 'helios run app', originKind: 'cli' }),
        call('d', 100, {}),
      ],
    });
    const s = buildBudgetSnapshot(view, 'simulator');
    assert.deepEqual(s.sources.map(brief), [
      ['self', 'VS Code: app', 0, 0, 1, 1_500],
      ['window', 'VS Code: api', 4_000, 1, 2, 4_500],
      ['cli', 'helios run app', 0, 0, 1, 900],
      ['other', null, 0, 0, 1, 100],
    ]);
    assert.equal(s.sources.reduce((n, r) => n + r.reservedUnits, 0), s.reserved, 'the rows add up to the reservations');
  });

  it('gives each teammate a row in team mode, whatever process spent it, and keeps this member\'s other windows apart', async () => {
    const me = { ...SELF, member: 'dana' };
    const view = await viewOf([
      spent(5, 1_000, { holder: me.holder, origin: me.label, originKind: 'vscode', member: 'dana' }),
      spent(6, 2_000, { holder: 'm2:1:aa', origin: 'VS Code: shop', originKind: 'vscode', member: 'jun' }),
      spent(7, 3_000, { holder: 'm2:2:bb', origin: 'helios run shop', originKind: 'cli', member: 'jun' }),
      spent(8, 500, { holder: 'm3:1:cc', origin: 'VS Code: web', originKind: 'vscode', member: 'mina' }),
      spent(9, 700, { holder: 'host:200:bb', origin: 'VS Code: api', originKind: 'vscode', member: 'dana' }),
    ], { self: me, otherCalls: [call('x', 1_200, { label: 'VS Code: web', originKind: 'vscode', member: 'mina' })] });
    const s = buildBudgetSnapshot(view, 'simulator');
    assert.deepEqual(s.sources.map(brief), [
      ['self', 'VS Code: app', 1_000, 1, 0, 0],
      ['window', 'VS Code: api', 700, 1, 0, 0],
      ['member', 'jun', 5_000, 2, 0, 0],
      ['member', 'mina', 500, 1, 1, 1_200],
    ]);
  });

  it('names a labelled process whose kind was not recorded as another process, and has no self row off the board', async () => {
    const view = await viewOf([spent(5, 1_000, { holder: 'host:200:bb', origin: 'VS Code: api' }), spent(6, 2_000, { holder: 'host:300:cc' })]);
    const s = buildBudgetSnapshot(view, 'simulator');
    assert.deepEqual(s.sources.map(brief), [
      ['other', null, 2_000, 1, 0, 0],
      ['other', 'VS Code: api', 1_000, 1, 0, 0],
    ]);
  });

  it('shows this window at zero before it spends anything, and nothing else in an empty period', async () => {
    const s = buildBudgetSnapshot(await viewOf([], { self: SELF }), 'simulator');
    assert.deepEqual(s.sources.map(brief), [['self', 'VS Code: app', 0, 0, 0, 0]]);
  });
});

describe('budget meter tooltip: who is spending', () => {
  const t = (m: string, ...args: Array<string | number>) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
  const commands = { showBudget: 'helios.showBudget', pause: 'helios.pause', resume: 'helios.resume', settings: 'helios.openBudgetSettings', setApiKey: 'helios.setApiKey' };
  const tooltip = async (records: UsageRecord[], board: Partial<GovernorView>) =>
    presentBudget({ snapshot: buildBudgetSnapshot(await viewOf(records, board), 'simulator'), provider: 'simulator', t, commands, time: (iso) => iso.slice(11, 16) }).tooltip;

  it('says what other windows, the CLI and teammates spent and hold in flight, as shares of the window', async () => {
    const text = await tooltip([
      spent(5, 3_000, { holder: SELF.holder, origin: SELF.label, originKind: 'vscode' }),
      spent(6, 7_000, { holder: 'host:200:bb', origin: 'VS Code: api', originKind: 'vscode' }),
      spent(7, 5_000, { holder: 'host:300:cc', origin: 'VS Code: docs', originKind: 'vscode' }),
      spent(8, 400, { holder: 'host:400:dd', origin: 'helios run app', originKind: 'cli' }),
      spent(9, 2_000, { holder: 'm2:1:aa', origin: 'VS Code: shop', originKind: 'vscode', member: 'jun' }),
    ], {
      self: SELF,
      otherCalls: [call('a', 1_000, { label: 'VS Code: api', originKind: 'vscode' }), call('b', 1_000, { label: 'VS Code: web', originKind: 'vscode' })],
    });
    const lines = text.split('\n').filter((l) => /^(This window|Other windows|Helios CLI|Teammates):/.test(l));
    assert.deepEqual(lines, [
      'This window: 3% of the window',
      'Other windows: 2 calls in flight, 12% of the window',
      'Helios CLI: <1% of the window',
      'Teammates: 2% of the window',
    ]);
  });

  it('says nothing about spenders while this window is the only one', async () => {
    const text = await tooltip([spent(5, 3_000, { holder: SELF.holder, origin: SELF.label, originKind: 'vscode' })], { self: SELF, inFlight: 1, reserved: 500 });
    assert.doesNotMatch(text, /This window:|of the window/);
  });
});
