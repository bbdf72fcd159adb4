import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../../src/core/governor/budgetSnapshot';
import { Governor, type Admission } from '../../src/core/governor/governor';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { FileAccountBoard } from '../../src/infra/governor/fileAccountBoard';
import type { UsageSource } from '../../src/shared/budget';
import { ZERO_USAGE } from '../../src/shared/usage';
import { MemoryLedger } from '../support/memoryLedger';

const config = { ...DEFAULT_BUDGET, plan: 'custom' as const, windowTokens: 200_000, windowMessages: 0 };
const MODEL = 'claude-sonnet-5-5';

function record(admission: Admission, workspace: string): UsageRecord {
  return {
    v: 1, ts: new Date().toISOString(), workspace, provider: 'simulator', model: admission.model, requestId: null,
    usage: { ...ZERO_USAGE, inputTokens: admission.inputTokens, outputTokens: 1_000 }, costUsd: 0.01,
  };
}

const brief = (s: UsageSource) => [s.kind, s.label, s.calls, s.inFlight];

describe('who is spending, across processes on one account directory', () => {
  it('each window\'s snapshot shows itself, the other window and the CLI, with their calls in flight', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-sources-'));
    const on = (label: string, originKind: 'vscode' | 'cli') => Governor.create({ ledger: new MemoryLedger(), config, board: new FileAccountBoard({ dir, label, originKind }) });
    const [a, b, cli] = await Promise.all([on('VS Code: app', 'vscode'), on('VS Code: api', 'vscode'), on('helios run app', 'cli')]);
    try {
      for (let i = 0; i < 3; i++) {
        const admission = await a.admit({ model: MODEL, inputTokens: 2_000, maxTokens: 2_000 });
        await a.settle(admission, record(admission, 'file:///app'));
      }
      const ran = await cli.admit({ model: MODEL, inputTokens: 500, maxTokens: 1_024 });
      await cli.settle(ran, record(ran, 'file:///app'));
      const held = await a.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 4_000 });

      await b.refresh();
      const seen = buildBudgetSnapshot(b.view(), 'simulator');
      assert.deepEqual(seen.sources.map(brief), [
        ['self', 'VS Code: api', 0, 0],
        ['window', 'VS Code: app', 3, 1],
        ['cli', 'helios run app', 1, 0],
      ]);
      const other = seen.sources[1]!;
      assert.equal(other.reservedUnits, held.reservedUnits, 'the other window\'s call in flight holds its reservation');
      assert.equal(other.units + seen.sources[2]!.units, seen.used, 'everything used is someone\'s');

      const own = buildBudgetSnapshot(a.view(), 'simulator');
      assert.deepEqual(own.sources.map(brief).slice(0, 1), [['self', 'VS Code: app', 3, 1]]);
      a.release(held);
    } finally {
      for (const g of [a, b, cli]) g.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
