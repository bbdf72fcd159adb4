import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CachedLlmClient } from '../../src/core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { ExactCache } from '../../src/core/cache/exactCache';
import { ScopedCacheClient } from '../../src/core/cache/scopedCacheClient';
import { SemanticCache, type SemanticScope } from '../../src/core/cache/semanticCache';
import { VectraIndex } from '../../src/infra/cache/vectraIndex';
import type { LlmRequest } from '../../src/core/llm/llmClient';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

function coderRequest(taskId: string): LlmRequest {
  return { model: 'claude-sonnet-5-5', system: [{ text: 'system' }], messages: [{ role: 'user', content: [{ text: `task ${taskId}` }] }], maxTokens: 100, tags: { agent: 'coder', planId: 'p', taskId } };
}

describe('ScopedCacheClient', () => {
  it('gives each call its scope and trusts exactly the approved task\'s answer', async () => {
    const inner = new ScriptedLlmClient([{ text: 'a' }, { text: 'b' }]);
    const cache = new CachedLlmClient(inner, { exact: new ExactCache() });
    const trusted: string[] = [];
    cache.markTrusted = (key: string) => {
      trusted.push(key);
      return Promise.resolve(true);
    };
    const scopes: Array<SemanticScope | undefined> = [];
    const original = cache.completeWithScope.bind(cache);
    cache.completeWithScope = (request, scope) => {
      scopes.push(scope);
      return original(request, scope);
    };
    const client = new ScopedCacheClient(cache, (r) => Promise.resolve(r.tags?.taskId === 'T1' ? { agent: 'coder', taskType: 'code_generation', fingerprint: 'f', query: 'q' } : undefined));
    await client.complete(coderRequest('T1'));
    await client.complete(coderRequest('T2'));
    assert.deepEqual(scopes.map((s) => s?.fingerprint), ['f', undefined]);
    assert.equal(await client.trust('p', 'T1'), true);
    assert.deepEqual(trusted, [cache.keyOf(coderRequest('T1'))]);
    assert.equal(await client.trust('p', 'T9'), false, 'a task that never called the Coder has nothing to trust');
    assert.equal(client.coderKeyOf('p', 'T1'), cache.keyOf(coderRequest('T1')), 'the key stored with the task\'s change');
    assert.equal(client.coderKeyOf('p', 'T9'), undefined);
  });

  it('a key stored with a change trusts its answer in a later window, so L3 serves it there', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'helios-trust-'));
    try {
      const scope: SemanticScope = { agent: 'coder', taskType: 'code_generation', fingerprint: 'f', query: 'Add a function that sorts the invoices by date. Keep the existing exports working.' };
      const first = new ScopedCacheClient(
        new CachedLlmClient(new ScriptedLlmClient([{ text: 'the edit' }]), { semantic: new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() }), exact: new ExactCache() }),
        () => Promise.resolve(scope),
      );
      await first.complete(coderRequest('T1'));
      const storedKey = first.coderKeyOf('p', 'T1')!;
      await first.cache.settled();
      // A reload: new clients over the same index; the in-memory map of the first window is gone.
      const semantic = new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() });
      const later = new CachedLlmClient(new ScriptedLlmClient([{ text: 'a fresh call' }]), { semantic, exact: new ExactCache() });
      const reworded = { ...scope, query: 'Please keep the existing exports working, and add a function that sorts the invoices by date!' };
      assert.equal((await semantic.lookup(reworded, 'claude-sonnet-5-5')).kind, 'miss', 'not served before anyone accepted it');
      assert.equal(await later.markTrusted(storedKey), true);
      assert.equal((await later.completeWithScope(coderRequest('T2'), reworded)).text, 'the edit');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('still answers when working out the scope fails', async () => {
    const cache = new CachedLlmClient(new ScriptedLlmClient([{ text: 'ok' }]), { exact: new ExactCache() });
    const client = new ScopedCacheClient(cache, () => Promise.reject(new Error('file vanished')));
    assert.equal((await client.complete(coderRequest('T1'))).text, 'ok');
  });
});
