import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canonicalJson, ExactCache, exactKey } from '../../src/core/cache/exactCache';
import type { LlmRequest, LlmResponse, StopReason } from '../../src/core/llm/llmClient';
import { FileExactCacheStore } from '../../src/infra/cache/fileExactCacheStore';
import { FakeClock } from '../support/fakeClock';

const request = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'claude-sonnet-5-5',
  system: [{ text: 'You are a helper.', cacheControl: { ttl: '5m' } }],
  messages: [{ role: 'user', content: [{ text: 'Explain src/a.ts' }] }],
  maxTokens: 1_000,
  outputSchema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'] },
  ...over,
});

const response = (stopReason: StopReason = 'end_turn', text = 'the answer'): LlmResponse => ({
  model: 'claude-sonnet-5-5', text, stopReason, requestId: 'req_1', durationMs: 5,
  usage: { inputTokens: 1_000, outputTokens: 200, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
});

describe('L2 canonical keys', () => {
  it('hits when the JSON keys are reordered, at any depth', () => {
    const reordered = request({ outputSchema: { required: ['a'], properties: { b: { type: 'number' }, a: { type: 'string' } }, type: 'object' } });
    assert.equal(exactKey(reordered), exactKey(request()));
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
  });

  it('misses when the temperature, max tokens, effort, model or a message changes', () => {
    const base = exactKey(request());
    assert.notEqual(exactKey({ ...request(), temperature: 0.2 } as LlmRequest), base);
    assert.notEqual(exactKey({ ...request(), temperature: 0.2 } as LlmRequest), exactKey({ ...request(), temperature: 0.7 } as LlmRequest));
    assert.notEqual(exactKey(request({ maxTokens: 1_001 })), base);
    assert.notEqual(exactKey(request({ effort: 'high' })), base);
    assert.notEqual(exactKey(request({ model: 'claude-opus-5-5' })), base);
    assert.notEqual(exactKey(request({ messages: [{ role: 'user', content: [{ text: 'Explain src/b.ts' }] }] })), base);
    assert.notEqual(exactKey(request(), 'another-prompt-version'), base);
  });

  it('ignores breakpoints, tags and callbacks, which never change the answer', () => {
    const other = request({ system: [{ text: 'You are a helper.' }], tags: { agent: 'coder', planId: 'p' }, onProgress: () => undefined });
    assert.equal(exactKey(other), exactKey(request()));
  });
});

describe('L2 storage rules', () => {
  it('stores end_turn and tool_use answers only: never refusals, max_tokens cut-offs or pauses', () => {
    const cache = new ExactCache();
    const stored = (['end_turn', 'tool_use', 'refusal', 'max_tokens', 'pause_turn', 'stop_sequence', 'other'] as const).filter((r, i) => cache.set(`k${i}`, response(r)));
    assert.deepEqual(stored, ['end_turn', 'tool_use']);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('k2'), undefined);
  });

  it('expires entries after the TTL by the injected clock', () => {
    const clock = new FakeClock(1_000);
    const cache = new ExactCache({ ttlMs: 60_000, now: () => clock.now() });
    cache.set('k', response());
    clock.advance(59_999);
    assert.equal(cache.get('k')?.text, 'the answer');
    clock.advance(1);
    assert.equal(cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });

  it('is bounded in entries (least recently used goes first)', () => {
    const cache = new ExactCache({ maxEntries: 2 });
    cache.set('a', response());
    cache.set('b', response());
    cache.get('a');
    cache.set('c', response());
    assert.deepEqual(['a', 'b', 'c'].map((k) => cache.get(k) !== undefined), [true, false, true]);
  });

  it('is bounded in bytes', () => {
    const cache = new ExactCache({ maxBytes: 10_000 });
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, response('end_turn', 'x'.repeat(1_000)));
    assert.ok(cache.bytes <= 10_000);
    assert.ok(cache.size < 20 && cache.size > 0);
  });

  it('drops the entries that depended on a changed file', () => {
    const cache = new ExactCache();
    cache.set('a', response(), ['src/a.ts']);
    cache.set('b', response(), ['src/b.ts']);
    assert.equal(cache.invalidate(['src/a.ts']), 1);
    assert.equal(cache.get('a'), undefined);
    assert.ok(cache.get('b'));
  });
});

describe('L2 persistence', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'helios-exact-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('survives a restart: a new cache over the same file serves the old answer', async () => {
    const file = path.join(dir, 'restart', 'exact.json');
    const first = new ExactCache({ store: new FileExactCacheStore(file) });
    await first.load();
    const key = first.keyOf(request());
    first.set(key, response('end_turn', 'persisted answer'), ['src/a.ts']);
    await first.flush();
    const second = new ExactCache({ store: new FileExactCacheStore(file) });
    await second.load();
    assert.equal(second.get(key)?.text, 'persisted answer');
    assert.equal(second.invalidate(['src/a.ts']), 1);
  });

  it('does not bring back entries that expired while Helios was closed', async () => {
    const file = path.join(dir, 'expired', 'exact.json');
    const clock = new FakeClock(0);
    const first = new ExactCache({ store: new FileExactCacheStore(file), ttlMs: 1_000, now: () => clock.now() });
    first.set('k', response());
    await first.flush();
    clock.advance(5_000);
    const second = new ExactCache({ store: new FileExactCacheStore(file), ttlMs: 1_000, now: () => clock.now() });
    await second.load();
    assert.equal(second.size, 0);
  });

  it('discards a corrupt cache file with a warning, and the next save repairs it', async () => {
    const file = path.join(dir, 'corrupt.json');
    for (const junk of ['{"version":1,"entries":[{"key":', '{"version":1,"entries":[{"key":"nothex"}]}', '[]']) {
      await writeFile(file, junk);
      const warnings: string[] = [];
      const cache = new ExactCache({ store: new FileExactCacheStore(file), onWarning: (reason, d) => warnings.push(`${reason}:${d.layer}`) });
      await cache.load();
      assert.deepEqual(warnings, ['cache_file_corrupt:L2']);
      assert.equal(cache.size, 0);
      cache.set('a'.repeat(64), response());
      await cache.flush();
      assert.equal((JSON.parse(await readFile(file, 'utf8')) as { entries: unknown[] }).entries.length, 1);
    }
  });
});
