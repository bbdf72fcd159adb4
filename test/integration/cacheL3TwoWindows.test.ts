import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { SemanticCache, type SemanticScope } from '../../src/core/cache/semanticCache';
import type { LlmResponse } from '../../src/core/llm/llmClient';
import { VectraIndex } from '../../src/infra/cache/vectraIndex';

/**
 * Two VS Code windows on one workspace write the same L3 partitions (vectra writes index.json in
 * place). Through the partition lock and a re-read when the other window wrote, neither loses the
 * other's entries, a trust given in one window reaches an entry the other wrote, and no partition
 * is ever read half-written (which would discard it as corrupt).
 */

const answer = (text: string): LlmResponse => ({
  model: 'claude-sonnet-5-5', text, stopReason: 'end_turn', requestId: 'req_1', durationMs: 1,
  usage: { inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
});
const scope = (query: string): SemanticScope => ({ agent: 'coder', taskType: 'code_generation', fingerprint: 'f', query, paths: ['src/a.ts'] });
const QUERY = (i: number) => `Add a function number ${i} that sorts the invoices by date. Keep the existing exports working.`;

describe('L3 partitions shared by two windows', () => {
  let dir: string;
  let n = 0;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'helios-l3-windows-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  function twoWindows(): { folder: string; warnings: string[]; open: () => SemanticCache } {
    const folder = path.join(dir, `l3-${n++}`);
    const warnings: string[] = [];
    return { folder, warnings, open: () => new SemanticCache({ index: new VectraIndex(folder, { onWarning: (r) => warnings.push(r) }), embedder: new HashedNgramEmbedder() }) };
  }

  it('each window keeps the other\'s entries, and trusts and serves an entry the other wrote', async () => {
    const { open, warnings } = twoWindows();
    const a = open();
    const b = open();
    assert.equal(await a.store('ka', scope(QUERY(1)), answer('from A')), true);
    assert.equal(await b.store('kb', scope(QUERY(2)), answer('from B')), true);
    assert.equal(await a.size(), 2, 'A reads the partition B wrote');
    assert.equal(await a.markTrusted('kb'), true, 'A trusts the entry B wrote');
    const hit = await b.lookup(scope(QUERY(2)), 'claude-sonnet-5-5');
    assert.equal(hit.kind === 'hit' && hit.response.text, 'from B', 'B sees the trust A gave');
    assert.equal(await open().size(), 2);
    assert.deepEqual(warnings, []);
  });

  it('writing at the same time loses nothing and never reads half a file', async () => {
    const { open, warnings } = twoWindows();
    const a = open();
    const b = open();
    const count = 20;
    await Promise.all([
      (async () => { for (let i = 0; i < count; i++) await a.store(`a${i}`, scope(QUERY(i)), answer(`a${i}`)); })(),
      (async () => { for (let i = 0; i < count; i++) await b.store(`b${i}`, scope(QUERY(100 + i)), answer(`b${i}`)); })(),
    ]);
    assert.equal(await open().size(), 2 * count);
    assert.deepEqual(warnings, [], 'no partition was taken for corrupt');
  });

  it('a clear in one window empties the partitions for the other too', async () => {
    const { open } = twoWindows();
    const a = open();
    const b = open();
    await b.store('kb', scope(QUERY(1)), answer('from B'));
    await a.clear();
    assert.equal((await b.lookup(scope(QUERY(1)), 'claude-sonnet-5-5')).kind, 'miss');
    await b.store('kb2', scope(QUERY(2)), answer('after the clear'));
    assert.equal(await a.size(), 1, 'only what was stored after the clear');
  });
});
