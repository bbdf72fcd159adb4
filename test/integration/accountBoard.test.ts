import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, meterFor } from '../../src/core/governor/budgetPlans';
import { Governor, type Admission } from '../../src/core/governor/governor';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { accountDir } from '../../src/infra/governor/accountDir';
import { FileAccountBoard } from '../../src/infra/governor/fileAccountBoard';
import { ZERO_USAGE } from '../../src/shared/usage';
import { MemoryLedger } from '../support/memoryLedger';
import { CLI, runCli } from '../support/runCli';

const CAP = 50_000;
const config = { ...DEFAULT_BUDGET, plan: 'custom' as const, windowTokens: CAP, windowMessages: 0 };
const MODEL = 'claude-sonnet-5-5';

async function governorOn(dir: string, leaseMs = 30_000): Promise<Governor> {
  return Governor.create({ ledger: new MemoryLedger(), config, board: new FileAccountBoard({ dir, leaseMs }) });
}

function record(admission: Admission, id: string): UsageRecord {
  // Spends what it reserved: the hardest case for the cap.
  return {
    v: 1, ts: new Date().toISOString(), workspace: 'w', provider: 'simulator', model: admission.model, requestId: id,
    usage: { ...ZERO_USAGE, inputTokens: admission.inputTokens, outputTokens: admission.maxTokens }, costUsd: 0,
  };
}

describe('one account board for several governors (windows, processes)', () => {
  it('two governors on one account directory never admit past the cap together, and see each other\'s calls in flight', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
    const [a, b] = await Promise.all([governorOn(dir), governorOn(dir)]);
    try {
      const held = await a.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 4_000 });
      // B waits its turn on the board, and then knows about A's call.
      await b.admit({ model: MODEL, inputTokens: 10, maxTokens: 1_024, minOutputTokens: 1_024 }).then((x) => b.release(x));
      assert.equal(b.view().othersInFlight, 1, 'B sees A\'s call in flight');
      assert.ok((b.view().othersReserved ?? 0) >= held.reservedUnits);
      a.release(held);

      // 40 calls from each, each spending all it reserved: the account's ledger stays within the cap.
      const settled: UsageRecord[] = [];
      const calls = (g: Governor, name: string) => Array.from({ length: 40 }, async (_, i) => {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 1_500);
        try {
          const admission = await g.admit({ model: MODEL, inputTokens: 500, maxTokens: 2_000, minOutputTokens: 1_024, signal: abort.signal });
          const r = record(admission, `${name}-${i}`);
          await g.settle(admission, r);
          settled.push(r);
        } catch {
          // refused at the cap
        } finally {
          clearTimeout(timer);
        }
      });
      await Promise.all([...calls(a, 'a'), ...calls(b, 'b')]);
      const meter = meterFor(config);
      const used = settled.reduce((n, r) => n + meter.unitsOf(r.model, r.usage), 0);
      assert.ok(settled.length > 0 && settled.length < 80, `some calls fit, not all (${settled.length})`);
      assert.ok(used <= CAP, `used ${used} of ${CAP}`);
      const lines = (await readFile(path.join(dir, 'ledger.jsonl'), 'utf8')).trim().split('\n');
      assert.equal(lines.length, settled.length, 'every settled call is in the account ledger once');
      await a.refresh();
      assert.equal(a.view().used, used, 'each governor counts the other\'s usage');
      assert.deepEqual([a.view().inFlight, b.view().othersInFlight], [0, 0]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('an idle window\'s peek shows another window\'s call in flight and its usage once settled, and says when it changed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
    const [busy, idle] = await Promise.all([governorOn(dir), governorOn(dir)]);
    let redraws = 0;
    const unsubscribe = idle.onDidChange(() => redraws++);
    try {
      const held = await busy.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 4_000 });
      assert.equal(idle.view().othersInFlight, 0, 'not seen before a look');
      await idle.peek();
      assert.equal(idle.view().othersInFlight, 1, 'the idle window sees the other\'s call in flight');
      const afterSeen = redraws;
      assert.ok(afterSeen > 0, 'the meter is told to redraw');
      await idle.peek();
      assert.equal(redraws, afterSeen, 'nothing changed: no redraw');
      await busy.settle(held, record(held, 'seen-by-peek'));
      await idle.peek();
      assert.equal(idle.view().othersInFlight, 0);
      assert.equal(idle.view().used, busy.view().used, 'and its usage once it settled');
      assert.ok(idle.view().used > 0);
      // A call that starts and ends between two looks: no call in flight seen, but a new record.
      const quick = await busy.admit({ model: MODEL, inputTokens: 100, maxTokens: 1_000 });
      await busy.settle(quick, record(quick, 'between-peeks'));
      const beforeQuick = redraws;
      await idle.peek();
      assert.equal(idle.view().used, busy.view().used);
      assert.ok(redraws > beforeQuick, 'the new record is announced');
    } finally {
      unsubscribe();
      busy.dispose();
      idle.dispose();
    }
  });

  it('a holder that stops renewing (a killed process) frees its reservation within the lease', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
    const leaseMs = 400;
    const dead = await governorOn(dir, leaseMs);
    const alive = await governorOn(dir, leaseMs);
    try {
      // The dead one takes almost the whole cap, then goes silent (no renewal, no release).
      await dead.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000 });
      dead.dispose();
      const started = Date.now();
      const admission = await alive.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000, minOutputTokens: 30_000 });
      const waited = Date.now() - started;
      assert.ok(waited <= leaseMs + 500, `freed within the lease (${waited} ms)`);
      alive.release(admission);
    } finally {
      alive.dispose();
    }
  });

  it('a live call renews its lease: a long call keeps its room past the lease', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
    const a = await governorOn(dir, 300);
    const b = await governorOn(dir, 300);
    try {
      const held = await a.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000 });
      await new Promise((r) => setTimeout(r, 900));
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      await assert.rejects(b.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000, minOutputTokens: 30_000, signal: abort.signal }), /Cancelled/);
      a.release(held);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('moves a window\'s old ledger into the account directory once, nothing lost or doubled', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
    const old = path.join(dir, 'old-ledger.jsonl');
    const line = (id: string) => JSON.stringify({ v: 1, ts: '2026-12-02T08:00:00.000Z', workspace: 'w', provider: 'p', model: MODEL, requestId: id, usage: ZERO_USAGE, costUsd: 0 });
    await writeFile(old, `${line('r1')}\n${line('r2')}\n`);
    await writeFile(path.join(dir, 'ledger.jsonl'), `${line('r2')}\n`);
    const board = new FileAccountBoard({ dir });
    assert.equal(await board.adopt(old), 1);
    assert.equal(existsSync(old), false);
    assert.deepEqual((await board.readAll()).map((r) => r.requestId).sort(), ['r1', 'r2']);
    assert.equal(await board.adopt(old), 0, 'a second start has nothing to move');
  });

  it('is one directory per OS user, overridden by HELIOS_ACCOUNT_DIR', () => {
    assert.equal(accountDir({}, 'linux', '/home/u'), '/home/u/.local/share/helios');
    assert.equal(accountDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u'), '/data/helios');
    assert.equal(accountDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/helios');
    assert.equal(accountDir({ HELIOS_ACCOUNT_DIR: '/shared/acct' }, 'linux', '/home/u'), '/shared/acct');
  });
});

describe('bench governor --processes: real OS processes on one account', () => {
  it('4 processes × 20 in flight hold the cap; one killed with SIGKILL frees its reservations within the lease, no record lost or doubled', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const { code, stdout, stderr } = await runCli(['bench', 'governor', '--processes', '4', '--calls', '40', '--concurrency', '20', '--cap', '40000',
      '--kill-one-after-ms', '300', '--lease-ms', '1500', '--json'], { ...process.env, NODE_V8_COVERAGE: '' }, 120_000);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout) as { overshoot: number; committed: number; leakedReservations: number; doubledRecords: number; lostRecords: number; failed: number; completed: number; killed?: { held: number; freedWithinMs?: number; leaseMs: number } };
    assert.equal(r.overshoot, 0, `committed ${r.committed} of 40000`);
    assert.ok(r.committed > 0 && r.completed > 0);
    assert.deepEqual([r.leakedReservations, r.doubledRecords, r.lostRecords, r.failed], [0, 0, 0, 0]);
    assert.ok(r.killed && r.killed.held > 0, 'the victim held reservations when it was killed');
    assert.ok(r.killed.freedWithinMs !== undefined && r.killed.freedWithinMs <= r.killed.leaseMs + 500, `freed after ${r.killed.freedWithinMs} ms`);
  });
});
