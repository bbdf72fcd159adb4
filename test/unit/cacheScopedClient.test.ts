import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedLlmClient } from '../../src/core/cache/cachedLlmClient';
import { ExactCache } from '../../src/core/cache/exactCache';
import { ScopedCacheClient } from '../../src/core/cache/scopedCacheClient';
import type { SemanticScope } from '../../src/core/cache/semanticCache';
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
  });

  it('still answers when working out the scope fails', async () => {
    const cache = new CachedLlmClient(new ScriptedLlmClient([{ text: 'ok' }]), { exact: new ExactCache() });
    const client = new ScopedCacheClient(cache, () => Promise.reject(new Error('file vanished')));
    assert.equal((await client.complete(coderRequest('T1'))).text, 'ok');
  });
});
