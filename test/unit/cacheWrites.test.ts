import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedLlmClient } from '../../src/core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { ExactCache, type ExactCacheStore, type ExactEntry } from '../../src/core/cache/exactCache';
import { SemanticCache, type SemanticEntryMeta, type SemanticScope, type VectorIndex } from '../../src/core/cache/semanticCache';
import type { LlmRequest, LlmResponse } from '../../src/core/llm/llmClient';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

/** Cache writes happen off the call path, and a failing disk costs the entry, never the answer. */

const request = (n: number): LlmRequest => ({
  model: 'claude-sonnet-5-5', system: [{ text: 'system' }], maxTokens: 100, messages: [{ role: 'user', content: [{ text: `task ${n}` }] }],
});
const scope: SemanticScope = { agent: 'coder', taskType: 'code_generation', fingerprint: 'f', query: 'Add a function that sorts the invoices by date. Keep the existing exports working.' };

/** An in-memory index whose writes wait for `release()` or fail, as a slow or full disk would. */
class GatedIndex implements VectorIndex {
  readonly items = new Map<string, { vector: number[]; meta: SemanticEntryMeta }>();
  private gate: Promise<void>;
  release!: () => void;
  constructor(private readonly failWith?: Error) {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  async upsert(id: string, vector: number[], meta: SemanticEntryMeta): Promise<void> {
    await this.gate;
    if (this.failWith) throw this.failWith;
    this.items.set(id, { vector, meta });
  }
  query(): Promise<Array<{ meta: SemanticEntryMeta; score: number }>> {
    return Promise.resolve([...this.items.values()].map((i) => ({ meta: i.meta, score: 1 })));
  }
  answer(entry: { key: string }): Promise<LlmResponse | undefined> {
    return Promise.resolve(this.items.get(entry.key)?.meta.response);
  }
  get(id: string): Promise<SemanticEntryMeta | undefined> {
    return Promise.resolve(this.items.get(id)?.meta);
  }
  setTrusted(id: string, trusted: boolean): Promise<boolean> {
    const item = this.items.get(id);
    if (item) this.items.set(id, { ...item, meta: { ...item.meta, trusted } });
    return Promise.resolve(item !== undefined);
  }
  deleteByPaths(): Promise<number> {
    return Promise.resolve(0);
  }
  clear(): Promise<void> {
    this.items.clear();
    return Promise.resolve();
  }
  size(): Promise<number> {
    return Promise.resolve(this.items.size);
  }
}

class FailingStore implements ExactCacheStore {
  saves = 0;
  failing = true;
  load(): ReturnType<ExactCacheStore['load']> {
    return Promise.resolve({ kind: 'missing' });
  }
  save(_entries: readonly ExactEntry[]): Promise<void> {
    this.saves++;
    return this.failing ? Promise.reject(new Error('ENOSPC: no space left on device')) : Promise.resolve();
  }
}

describe('cache writes', () => {
  it('returns the answer before the L3 entry is written, and trusting it waits for the write', async () => {
    const index = new GatedIndex();
    const cache = new CachedLlmClient(new ScriptedLlmClient([{ text: 'the edit' }]), { exact: new ExactCache(), semantic: new SemanticCache({ index, embedder: new HashedNgramEmbedder() }) });
    const answer = await cache.completeWithScope(request(1), scope);
    assert.equal(answer.text, 'the edit');
    assert.equal(index.items.size, 0, 'the partition write is still pending');
    const trusted = cache.markTrusted(cache.keyOf(request(1))!);
    index.release();
    assert.equal(await trusted, true, 'the trust lands on the entry once it is written');
    assert.equal(index.items.get(cache.keyOf(request(1))!)?.meta.trusted, true);
  });

  it('a failing L3 write warns once and costs only the entry', async () => {
    const index = new GatedIndex(new Error('EACCES: permission denied'));
    index.release();
    const warnings: string[] = [];
    const cache = new CachedLlmClient(new ScriptedLlmClient([{ text: 'a' }, { text: 'b' }]), {
      semantic: new SemanticCache({ index, embedder: new HashedNgramEmbedder() }), exact: new ExactCache(),
      onWarning: (reason, d) => warnings.push(`${reason}:${d.layer}:${d.error}`),
    });
    assert.equal((await cache.completeWithScope(request(1), scope)).text, 'a');
    assert.equal((await cache.completeWithScope(request(2), scope)).text, 'b');
    await cache.settled();
    assert.deepEqual(warnings, ['cache_write_failed:L3:EACCES: permission denied']);
    assert.equal((await cache.stats()).L3.writeFailures, 2);
  });

  it('a failing L2 file warns once, keeps serving from memory, and writes again once the disk recovers', async () => {
    const store = new FailingStore();
    const exact = new ExactCache({ store });
    const warnings: string[] = [];
    const cache = new CachedLlmClient(new ScriptedLlmClient([{ text: 'a' }, { text: 'b' }]), { exact, onWarning: (reason, d) => warnings.push(`${reason}:${d.layer}`) });
    await cache.complete(request(1));
    await cache.complete(request(2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, ['cache_write_failed:L2']);
    assert.equal((await cache.stats()).L2.writeFailures, 2);
    assert.equal((await cache.complete(request(1))).text, 'a', 'the entry is still served from memory');
    store.failing = false;
    const before = store.saves;
    await exact.flush();
    assert.equal(store.saves, before + 1, 'the failed write is retried on the next flush');
  });
});
