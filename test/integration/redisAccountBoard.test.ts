import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BUDGET, meterFor } from '../../src/core/governor/budgetPlans';
import { Governor, type Admission } from '../../src/core/governor/governor';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { RedisAccountBoard } from '../../src/infra/governor/redisAccountBoard';
import { TeamRedisError } from '../../src/infra/redis/redisConnection';
import { ZERO_USAGE } from '../../src/shared/usage';
import { MemoryLedger } from '../support/memoryLedger';
import { skipWithoutRedis, startRedisServer, type RedisServerHandle } from '../support/redisServer';

/**
 * Team mode: governors on one Redis (as on several members' machines) share one cap. The same
 * promises as the file board (`accountBoard.test.ts`), and what only a network board has: an
 * outage pauses admission (fail closed) and admission resumes when Redis is back.
 */
const CAP = 50_000;
const config = { ...DEFAULT_BUDGET, plan: 'custom' as const, windowTokens: CAP, windowMessages: 0 };
const MODEL = 'claude-sonnet-5-5';
const PASSWORD = 'pa55w0rd-Xq7';

function record(admission: Admission, id: string): UsageRecord {
  // Spends what it reserved: the hardest case for the cap.
  return {
    v: 1, ts: new Date().toISOString(), workspace: 'w', provider: 'simulator', model: admission.model, requestId: id,
    usage: { ...ZERO_USAGE, inputTokens: admission.inputTokens, outputTokens: admission.maxTokens }, costUsd: 0,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('team mode: one account board on Redis', { skip: skipWithoutRedis }, () => {
  let server: RedisServerHandle;
  const boards: RedisAccountBoard[] = [];
  let namespace = 0;

  before(async () => {
    server = await startRedisServer({ extraArgs: ['--requirepass', PASSWORD] });
  });
  after(async () => {
    await Promise.all(boards.map((b) => b.close().catch(() => undefined)));
    await server?.stop();
  });

  const url = () => `redis://:${PASSWORD}@127.0.0.1:${server.port}`;
  async function board(options: { ns: string; leaseMs?: number; label?: string; member?: string }): Promise<RedisAccountBoard> {
    const b = await RedisAccountBoard.open({ url: url(), namespace: options.ns, leaseMs: options.leaseMs ?? 30_000, originKind: 'cli', ...(options.label ? { label: options.label } : {}), ...(options.member ? { member: options.member } : {}) });
    boards.push(b);
    return b;
  }
  async function governorOn(b: RedisAccountBoard): Promise<Governor> {
    return Governor.create({ ledger: new MemoryLedger(), config, board: b });
  }
  const freshNs = () => `t${process.pid}-${namespace++}`;

  it('two governors never admit past the cap together, see each other\'s calls, and the stream holds each call once, stamped', async () => {
    const ns = freshNs();
    const boardA = await board({ ns, label: 'helios run a', member: 'alice' });
    const boardB = await board({ ns, label: 'VS Code: b', member: 'bob' });
    const [a, b] = await Promise.all([governorOn(boardA), governorOn(boardB)]);
    try {
      const held = await a.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 4_000 });
      await b.admit({ model: MODEL, inputTokens: 10, maxTokens: 1_024, minOutputTokens: 1_024 }).then((x) => b.release(x));
      assert.equal(b.view().othersInFlight, 1, 'B sees A\'s call in flight');
      assert.equal(b.view().otherCalls?.[0]?.member, 'alice');
      assert.ok((b.view().othersReserved ?? 0) >= held.reservedUnits);
      // Settled, not released: a record from each member for the stamp check below.
      const settled: UsageRecord[] = [record(held, 'a-held')];
      await a.settle(held, settled[0]!);

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
      assert.ok(settled.length > 1 && settled.length < 81, `some calls fit, not all (${settled.length})`);
      assert.ok(used <= CAP, `used ${used} of ${CAP}`);

      const observer = await board({ ns });
      const stream = await observer.readAll();
      assert.equal(stream.length, settled.length, 'one stream entry per settled call');
      assert.equal(new Set(stream.map((r) => r.requestId)).size, stream.length, 'none doubled');
      // Each record says who spent it (one governor may have taken all the room in one turn).
      const stamps = new Set(stream.map((r) => JSON.stringify([r.requestId?.slice(0, 1), r.holder, r.origin, r.member, r.originKind])));
      const expected = [['a', boardA.owner, 'helios run a', 'alice', 'cli'], ['b', boardB.owner, 'VS Code: b', 'bob', 'cli']].map((s) => JSON.stringify(s));
      assert.ok([...stamps].every((s) => expected.includes(s)), [...stamps].join('\n'));
      assert.ok(stamps.has(expected[0]!));
      await a.refresh();
      assert.equal(a.view().used, used, 'each governor counts the other\'s usage');
      assert.deepEqual([a.view().inFlight, b.view().othersInFlight, (await observer.liveReservations()).length], [0, 0, 0]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('a holder that stops renewing (a dead process) frees its reservation within the lease', async () => {
    const ns = freshNs();
    const leaseMs = 400;
    const dead = await governorOn(await board({ ns, leaseMs }));
    const alive = await governorOn(await board({ ns, leaseMs }));
    try {
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
    const ns = freshNs();
    const a = await governorOn(await board({ ns, leaseMs: 300 }));
    const b = await governorOn(await board({ ns, leaseMs: 300 }));
    try {
      const held = await a.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000 });
      await sleep(900);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      await assert.rejects(b.admit({ model: MODEL, inputTokens: 1_000, maxTokens: 30_000, minOutputTokens: 30_000, signal: abort.signal }), /Cancelled/);
      a.release(held);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('a settle sent twice (its first reply lost) is in the ledger once', async () => {
    const ns = freshNs();
    const a = await board({ ns });
    const governor = await governorOn(a);
    try {
      const admission = await governor.admit({ model: MODEL, inputTokens: 100, maxTokens: 1_000 });
      const r = record(admission, 'twice');
      await a.settle(admission.sharedId!, r);
      await a.settle(admission.sharedId!, r);
      const other = await board({ ns });
      assert.equal((await other.readAll()).filter((x) => x.requestId === 'twice').length, 1);
    } finally {
      governor.dispose();
    }
  });

  it('never shows the URL\'s password: not in `where`, not in any error', async () => {
    const b = await board({ ns: freshNs() });
    assert.equal(b.where, `redis://127.0.0.1:${server.port}`);
    const wrong = await RedisAccountBoard.open({ url: `redis://:not-${PASSWORD}@127.0.0.1:${server.port}` }).then(() => undefined, (e: Error) => e);
    assert.ok(wrong instanceof TeamRedisError);
    // A wrong password is told as such, not as "cannot be reached": retrying would not help.
    assert.equal(wrong.reason, 'auth');
    assert.match(wrong.message, /refused the user name or password/);
    const closed = await RedisAccountBoard.open({ url: `redis://:${PASSWORD}@127.0.0.1:1` }).then(() => undefined, (e: Error) => e);
    assert.ok(closed instanceof Error);
    assert.match(closed.message, /cannot be reached/);
    assert.equal((closed as TeamRedisError).reason, 'unreachable');
    for (const e of [wrong, closed]) {
      assert.ok(!e.message.includes(PASSWORD) && !String(e.stack).includes(PASSWORD), e.message);
      assert.ok(e.message.includes('127.0.0.1'), e.message);
    }
  });

  it('Redis stopped mid-run: admission pauses (nothing admitted), and resumes with the cap holding when it is back', async () => {
    const ns = freshNs();
    const errors: string[] = [];
    const b = await RedisAccountBoard.open({ url: url(), namespace: ns, leaseMs: 3_000, onError: (m) => errors.push(m) });
    boards.push(b);
    const governor = await governorOn(b);
    try {
      const inFlight = await Promise.all([0, 1, 2].map(() => governor.admit({ model: MODEL, inputTokens: 500, maxTokens: 2_000 })));
      await server.stop();
      let admitted = 0;
      const waiting = [0, 1].map(() => governor.admit({ model: MODEL, inputTokens: 500, maxTokens: 2_000 }).then((a) => {
        admitted++;
        return a;
      }));
      await until('the governor to notice', () => governor.view().unavailable !== undefined);
      assert.equal(governor.state, 'paused');
      assert.match(governor.view().unavailable ?? '', /cannot be reached/);
      assert.ok(!(governor.view().unavailable ?? '').includes(PASSWORD));
      // A call that ends during the outage is still counted here (its lease runs out on the board).
      await assert.rejects(governor.settle(inFlight[0]!, record(inFlight[0]!, 'during-outage')));
      await sleep(1_500);
      assert.equal(admitted, 0, 'nothing is admitted while the board is down');
      assert.equal(governor.state, 'paused');

      await server.restart();
      const resumed = await Promise.all(waiting);
      assert.equal(governor.view().unavailable, undefined);
      assert.ok(errors.some((m) => /answers again/.test(m)), errors.join('\n'));
      assert.ok(errors.every((m) => !m.includes(PASSWORD)));
      // The restarted Redis was empty: this holder put its calls in flight back on it, and the call
      // that ended during the outage reached the team's ledger after all (once).
      const observer = await board({ ns });
      let ledger: UsageRecord[] = [];
      for (let i = 0; i < 100 && !ledger.some((r) => r.requestId === 'during-outage'); i++, await sleep(20)) ledger = await observer.readAll();
      assert.equal(ledger.filter((r) => r.requestId === 'during-outage').length, 1, 'the outage\'s settle is in the stream once');
      let live = 0;
      for (let i = 0; i < 50 && live < 4; i++, await sleep(20)) live = (await observer.liveReservations()).filter((r) => r.owner === b.owner).length;
      assert.equal(live, 4, 'the two calls still in flight from before, and the two admitted after');

      // The cap still holds: fill it with calls that spend all they reserved.
      for (const a of [...inFlight.slice(1), ...resumed]) await governor.settle(a, record(a, `r-${a.id}`));
      const more = Array.from({ length: 40 }, async (_, i) => {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 1_000);
        try {
          const a = await governor.admit({ model: MODEL, inputTokens: 500, maxTokens: 2_000, minOutputTokens: 1_024, signal: abort.signal });
          await governor.settle(a, record(a, `m-${i}`));
        } catch {
          // at the cap
        } finally {
          clearTimeout(timer);
        }
      });
      await Promise.all(more);
      assert.ok(governor.view().used <= CAP, `used ${governor.view().used} of ${CAP}`);
      assert.ok(governor.view().used > CAP * 0.8, 'the cap was actually reached');
    } finally {
      governor.dispose();
    }
  });
});
