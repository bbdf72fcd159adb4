import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalIndex } from 'vectra';
import { cosine, HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { contextFingerprint, SemanticCache, type SemanticScope } from '../../src/core/cache/semanticCache';
import type { LlmResponse } from '../../src/core/llm/llmClient';
import { VectraIndex } from '../../src/infra/cache/vectraIndex';

/** L3 over a real vectra index in a temp folder; each guard is shown to block on its own. */

const FILES = contextFingerprint([['src/users.ts', 'export const users = [];\n']]);
const QUERY = 'Add a function that sorts the users by name in ascending order and keep the existing tests passing.';

const scope = (over: Partial<SemanticScope> = {}): SemanticScope => ({
  agent: 'reviewer', taskType: 'code_review', fingerprint: FILES, query: QUERY, paths: ['src/users.ts'], ...over,
});

const answer = (model = 'claude-sonnet-5-5', text = 'cached answer'): LlmResponse => ({
  model, text, stopReason: 'end_turn', requestId: 'req_1', durationMs: 3,
  usage: { inputTokens: 2_000, outputTokens: 300, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
});

describe('L3 guards', () => {
  let dir: string;
  let n = 0;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'helios-l3-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  /** A fresh cache holding one trusted (unless said otherwise) entry for `scope()`. */
  async function cacheWithEntry(options: { trusted?: boolean; model?: string; stored?: Partial<SemanticScope> } = {}): Promise<SemanticCache> {
    const cache = new SemanticCache({ index: new VectraIndex(path.join(dir, `i${n++}`)), embedder: new HashedNgramEmbedder() });
    assert.equal(await cache.store('k1', scope(options.stored), answer(options.model)), true);
    if (options.trusted ?? true) assert.equal(await cache.markTrusted('k1'), true);
    return cache;
  }

  it('serves a trusted answer to the same request reworded (case, punctuation, order, filler words)', async () => {
    const cache = await cacheWithEntry();
    const reworded = 'Please keep the existing tests passing, and add a function that sorts the users by name in ascending order!';
    const found = await cache.lookup(scope({ query: reworded }), 'claude-sonnet-5-5');
    assert.equal(found.kind, 'hit');
    assert.equal(found.kind === 'hit' && found.response.text, 'cached answer');
  });

  it('guard 1: another agent or task type never sees the entry', async () => {
    const cache = await cacheWithEntry();
    assert.deepEqual(await cache.lookup(scope({ agent: 'coder' }), 'claude-sonnet-5-5'), { kind: 'miss', blockedBy: 'agent_task_type' });
    assert.deepEqual(await cache.lookup(scope({ taskType: 'documentation' }), 'claude-sonnet-5-5'), { kind: 'miss', blockedBy: 'agent_task_type' });
  });

  it('guard 2: an answer from a weaker model tier is not served to a stronger one', async () => {
    const cache = await cacheWithEntry({ model: 'claude-haiku-5-5' });
    assert.equal((await cache.lookup(scope(), 'claude-sonnet-5-5')).kind, 'miss');
    assert.equal((await cache.lookup(scope(), 'claude-haiku-5-5')).kind, 'hit');
    const strong = await cacheWithEntry({ model: 'claude-opus-5-5' });
    assert.equal((await strong.lookup(scope(), 'claude-sonnet-5-5')).kind, 'hit');
  });

  it('guard 3: a changed context fingerprint turns the answer into a hint, never a hit', async () => {
    const cache = await cacheWithEntry();
    const changed = contextFingerprint([['src/users.ts', 'export const users = [1];\n']]);
    const found = await cache.lookup(scope({ fingerprint: changed }), 'claude-sonnet-5-5');
    assert.equal(found.kind, 'hint');
    assert.equal(found.kind === 'hint' && found.why, 'fingerprint');
  });

  it('guard 4: similarity below the task type threshold misses', async () => {
    const cache = await cacheWithEntry();
    const found = await cache.lookup(scope({ query: 'Write a helper ordering people alphabetically, smallest first, without breaking tests.' }), 'claude-sonnet-5-5');
    assert.equal(found.kind, 'miss');
    assert.equal(found.kind === 'miss' && found.blockedBy, 'threshold');
  });

  it('guard 4b: a reversed requirement passes a permissive threshold but changes a content word, so it misses', async () => {
    const cache = new SemanticCache({ index: new VectraIndex(path.join(dir, `i${n++}`)), embedder: new HashedNgramEmbedder(), thresholds: { default: 0.85 } });
    await cache.store('k1', scope(), answer());
    await cache.markTrusted('k1');
    const reversed = QUERY.replace('ascending', 'descending');
    const embedder = new HashedNgramEmbedder();
    assert.ok(cosine(embedder.embedSync(QUERY), embedder.embedSync(reversed)) > 0.85, 'the embedder alone cannot tell them apart');
    const found = await cache.lookup(scope({ query: reversed }), 'claude-sonnet-5-5');
    assert.equal(found.kind, 'miss');
    assert.equal(found.kind === 'miss' && found.blockedBy, 'words');
  });

  it('guard 4c: the same words in another order score 1.0 but miss when the order is the meaning', async () => {
    const sortBy = 'Sort the users by date, then by name.';
    const cache = await cacheWithEntry({ stored: { query: sortBy } });
    const swapped = await cache.lookup(scope({ query: 'Sort the users by name, then by date.' }), 'claude-sonnet-5-5');
    assert.equal(swapped.kind === 'miss' && swapped.blockedBy, 'words');
    assert.ok(swapped.kind === 'miss' && (swapped.score ?? 0) > 0.99);
    assert.equal((await cache.lookup(scope({ query: 'please sort the users by date, then by name' }), 'claude-sonnet-5-5')).kind, 'hit');
  });

  it('guard 5: an answer nobody accepted or approved is never served, nor hinted', async () => {
    const cache = await cacheWithEntry({ trusted: false });
    assert.deepEqual(await cache.lookup(scope(), 'claude-sonnet-5-5').then((f) => f.kind === 'miss' && f.blockedBy), 'trust');
    assert.equal(await cache.markTrusted('unknown-key'), false);
  });

  it('an answer that may not be served (Coder edits) comes back as a hint even when every guard passes', async () => {
    const cache = await cacheWithEntry();
    const found = await cache.lookup(scope({ servable: false }), 'claude-sonnet-5-5');
    assert.equal(found.kind === 'hint' && found.why, 'not_servable');
  });

  it('invalidation drops the entries that depended on a changed file', async () => {
    const cache = await cacheWithEntry();
    assert.equal(await cache.invalidate(['src/other.ts']), 0);
    assert.equal(await cache.invalidate(['src/users.ts']), 1);
    assert.equal((await cache.lookup(scope(), 'claude-sonnet-5-5')).kind, 'miss');
  });

  it('refuses incomplete answers', async () => {
    const cache = new SemanticCache({ index: new VectraIndex(path.join(dir, `i${n++}`)), embedder: new HashedNgramEmbedder() });
    assert.equal(await cache.store('k', scope(), { ...answer(), stopReason: 'max_tokens' }), false);
    assert.equal(await cache.size(), 0);
  });

  it('a full partition drops its oldest untrusted entries first, down to 90 %, and keeps serving', async () => {
    let clock = 0;
    const folder = path.join(dir, `i${n++}`);
    const index = new VectraIndex(folder, { maxPerPartition: 10, now: () => clock++ });
    const cache = new SemanticCache({ index, embedder: new HashedNgramEmbedder() });
    const query = (i: number) => `Add a function number ${i} that sorts the users by name. Keep the existing tests passing.`;
    for (let i = 0; i < 10; i++) {
      await cache.store(`k${i}`, scope({ query: query(i) }), answer());
      if (i < 3) await cache.markTrusted(`k${i}`);
    }
    assert.equal(await cache.size(), 10);
    await cache.store('k10', scope({ query: query(10) }), answer());
    assert.equal(await cache.size(), 9, 'two evicted: 11 entries down to 90 % of 10');
    // The three trusted ones survive though they are the oldest; the oldest untrusted went.
    for (const k of ['k0', 'k1', 'k2', 'k5', 'k10']) assert.ok(await index.get(k), `${k} kept`);
    for (const k of ['k3', 'k4']) assert.equal(await index.get(k), undefined, `${k} evicted`);
    const [partition] = (await readdir(folder)).filter((f) => !f.endsWith('.lock'));
    assert.equal((await readdir(path.join(folder, partition!, 'answers'))).length, 9, 'evicted answers are deleted too');
    assert.equal((await cache.lookup(scope({ query: query(1) }), 'claude-sonnet-5-5')).kind, 'hit', 'lookups work after an eviction');
  });

  it('keeps answers out of index.json, and still serves an entry an earlier version wrote inline', async () => {
    const folder = path.join(dir, `i${n++}`);
    const cache = new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() });
    await cache.store('k1', scope(), answer('claude-sonnet-5-5', 'a long edit'));
    await cache.markTrusted('k1');
    const [partition] = await readdir(folder);
    assert.doesNotMatch(await readFile(path.join(folder, partition!, 'index.json'), 'utf8'), /a long edit/);
    assert.deepEqual(await readdir(path.join(folder, partition!, 'answers')), ['k1.json']);
    // An entry as Helios wrote them before: the answer inline in vectra's metadata, no answer file.
    const legacy = new LocalIndex(path.join(folder, partition!));
    const item = (await legacy.getItem('k1'))!;
    await legacy.upsertItem({ id: 'old', vector: item.vector, metadata: { ...item.metadata, key: 'old', response: JSON.stringify(answer('claude-sonnet-5-5', 'an old inline edit')) } });
    await rm(path.join(folder, partition!, 'answers', 'k1.json'));
    const reopened = new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() });
    const found = await reopened.lookup(scope(), 'claude-sonnet-5-5');
    assert.equal(found.kind === 'hit' && found.response.text, 'an old inline edit', 'k1 lost its answer file, so the inline one serves');
  });

  it('persists across a restart and discards a corrupt index with a warning', async () => {
    const folder = path.join(dir, 'restart');
    const first = new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() });
    await first.store('k1', scope(), answer());
    await first.markTrusted('k1');
    const second = new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() });
    assert.equal((await second.lookup(scope(), 'claude-sonnet-5-5')).kind, 'hit');

    const [partition] = await readdir(folder);
    await writeFile(path.join(folder, partition!, 'index.json'), '{"version":1,"items":[{');
    const warnings: string[] = [];
    const third = new SemanticCache({ index: new VectraIndex(folder, { onWarning: (r, d) => warnings.push(`${r}:${d.layer}`) }), embedder: new HashedNgramEmbedder() });
    assert.equal((await third.lookup(scope(), 'claude-sonnet-5-5')).kind, 'miss');
    assert.deepEqual(warnings, ['cache_file_corrupt:L3']);
    assert.equal(await third.store('k2', scope(), answer()), true);
  });
});
