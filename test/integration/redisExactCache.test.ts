import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { CachedLlmClient } from '../../src/core/cache/cachedLlmClient';
import { ExactCache } from '../../src/core/cache/exactCache';
import type { LlmRequest, LlmResponse } from '../../src/core/llm/llmClient';
import { FileExactCacheStore } from '../../src/infra/cache/fileExactCacheStore';
import { RedisExactCacheStore } from '../../src/infra/cache/redisExactCacheStore';
import { TeamExactCacheStore } from '../../src/infra/cache/teamExactCacheStore';
import { skipWithoutRedis, startRedisServer, type RedisServerHandle } from '../support/redisServer';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

/**
 * Team L2: two members' caches on one Redis. A teammate's identical request is a hit (no model
 * call, nothing billed); entries expire with their TTL; a value that is not an entry, or a Redis
 * that is down, is a miss with a warning — never a failed call.
 */
const request = (n: number): LlmRequest => ({
  model: 'claude-sonnet-5-5', system: [{ text: 'system' }], maxTokens: 100, messages: [{ role: 'user', content: [{ text: `explain module ${n}` }] }],
});
const answer: LlmResponse = {
  model: 'claude-sonnet-5-5', text: 'the answer', stopReason: 'end_turn', requestId: 'req_1', durationMs: 5,
  usage: { inputTokens: 1_000, outputTokens: 200, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
};

describe('team L2: the exact cache shared through Redis', { skip: skipWithoutRedis }, () => {
  let server: RedisServerHandle;
  const stores: RedisExactCacheStore[] = [];
  let namespace = 0;

  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await server?.stop();
  });

  async function teammates(options: { ttlMs?: number; ns?: string } = {}) {
    const ns = options.ns ?? `c${process.pid}-${namespace++}`;
    const warnings: string[] = [];
    const member = async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-l2-'));
      const store = await RedisExactCacheStore.open({ url: server.url, namespace: ns, local: new FileExactCacheStore(path.join(dir, 'exact.json')) });
      stores.push(store);
      return new ExactCache({ store, ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}), onWarning: (reason) => warnings.push(reason) });
    };
    return { alice: await member(), bob: await member(), warnings, ns };
  }

  it('a set in one member\'s cache is a hit in another\'s: no model call, nothing billed', async () => {
    const { alice, bob } = await teammates();
    const aliceModel = new ScriptedLlmClient([{ text: 'bought once' }]);
    const bobModel = new ScriptedLlmClient([]);
    const aliceClient = new CachedLlmClient(aliceModel, { exact: alice, promptCache: false });
    const bobClient = new CachedLlmClient(bobModel, { exact: bob, promptCache: false });
    assert.equal((await aliceClient.complete(request(1))).text, 'bought once');
    await aliceClient.settled();
    const served = await bobClient.complete(request(1));
    assert.equal(served.text, 'bought once');
    assert.equal(served.requestId, undefined, 'a hit is not billed');
    assert.deepEqual([aliceModel.requests.length, bobModel.requests.length], [1, 0]);
    assert.equal((await bobClient.stats()).L2.hits, 1);
    // Kept locally too: the next hit does not ask Redis.
    assert.equal(bob.get(bob.keyOf(request(1)))?.text, 'bought once');
  });

  it('expires with the entry\'s TTL, in Redis as in the cache', async () => {
    const { alice, bob } = await teammates({ ttlMs: 300 });
    const key = alice.keyOf(request(2));
    alice.set(key, answer);
    await alice.flush();
    assert.equal((await bob.lookup(key))?.text, 'the answer');
    const carol = (await teammates({ ttlMs: 300 })).alice;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await carol.lookup(key), undefined);
    assert.equal(await bob.lookup(key), undefined, 'bob\'s local copy expired as well');
  });

  it('a value that is not an entry is a miss with a warning, and is dropped', async () => {
    const { alice, warnings, ns } = await teammates();
    const key = alice.keyOf(request(3));
    const raw = new Redis(server.url);
    try {
      await raw.set(`{${ns}}:l2:${key}`, '{"key":"nope"', 'PX', 60_000);
      assert.equal(await alice.lookup(key), undefined);
      assert.deepEqual(warnings, ['cache_shared_corrupt']);
      assert.equal(await raw.exists(`{${ns}}:l2:${key}`), 0);
    } finally {
      raw.disconnect();
    }
  });

  it('a change to a file in one window drops the team\'s entries that depended on it', async () => {
    const { alice, bob, ns } = await teammates();
    const [onA, other] = [alice.keyOf(request(4)), alice.keyOf(request(40))];
    alice.set(onA, answer, ['src/a.ts']);
    alice.set(other, answer, ['src/b.ts']);
    await alice.flush();
    // Bob never held the entry: the path index finds it in Redis all the same.
    bob.invalidate(['src/a.ts']);
    await bob.flush();
    const carol = (await teammates({ ns })).alice;
    assert.equal(await carol.lookup(onA), undefined);
    assert.equal((await carol.lookup(other))?.text, 'the answer', 'entries on other files stay');
  });

  it('Redis down: a lookup is a miss with one warning, a set still works locally, and the call is made', async () => {
    const { alice, bob, warnings } = await teammates();
    const model = new ScriptedLlmClient([{ text: 'fresh' }, { text: 'fresh again' }]);
    const client = new CachedLlmClient(model, { exact: bob, promptCache: false });
    alice.set(alice.keyOf(request(5)), answer);
    await alice.flush();
    await server.stop();
    try {
      assert.equal((await client.complete(request(6))).text, 'fresh');
      assert.equal((await client.complete(request(7))).text, 'fresh again');
      await client.settled();
      assert.deepEqual(warnings, ['cache_shared_unavailable'], 'one warning for the outage, not one per call');
      assert.equal(bob.get(bob.keyOf(request(6)))?.text, 'fresh', 'kept in the local cache');
    } finally {
      await server.restart();
    }
  });

  it('a window that joins the team later shares from then on, and stops when it leaves, keeping its own entries', async () => {
    const ns = `c${process.pid}-${namespace++}`;
    const open = () => RedisExactCacheStore.open({ url: server.url, namespace: ns }).then((s) => (stores.push(s), s));
    const aliceStore = new TeamExactCacheStore(new FileExactCacheStore(path.join(await mkdtemp(path.join(os.tmpdir(), 'helios-l2-')), 'exact.json')));
    const bobStore = new TeamExactCacheStore(new FileExactCacheStore(path.join(await mkdtemp(path.join(os.tmpdir(), 'helios-l2-')), 'exact.json')));
    await aliceStore.useTeam(open);
    const alice = new CachedLlmClient(new ScriptedLlmClient([{ text: 'alice paid' }, { text: 'alice again' }, { text: 'alice thrice' }]), { exact: new ExactCache({ store: aliceStore }), promptCache: false });
    const bobModel = new ScriptedLlmClient([{ text: 'bob paid' }, { text: 'bob alone' }]);
    const bob = new CachedLlmClient(bobModel, { exact: new ExactCache({ store: bobStore }), promptCache: false });

    await alice.complete(request(10));
    await alice.settled();
    assert.equal((await bob.complete(request(10))).text, 'bob paid', 'local only: the team\'s entry is not seen');
    await bobStore.useTeam(open);
    assert.equal(bobStore.where, server.url.replace(/\/$/, ''));
    await alice.complete(request(11));
    await alice.settled();
    assert.equal((await bob.complete(request(11))).text, 'alice again', 'in the team: a teammate\'s answer is a hit');
    await bobStore.useTeam(undefined);
    assert.equal(bobStore.where, undefined);
    await alice.complete(request(12));
    await alice.settled();
    assert.equal((await bob.complete(request(12))).text, 'bob alone', 'left the team: misses go to the model again');
    assert.equal((await bob.complete(request(10))).text, 'bob paid', 'its own entries stay');
    assert.equal(bobModel.requests.length, 2);
  });
});
