import { HashedNgramEmbedder } from '../core/cache/embedder';
import { ExactCache } from '../core/cache/exactCache';
import { SemanticCache, type SemanticEntryMeta } from '../core/cache/semanticCache';
import type { LlmRequest, LlmResponse } from '../core/llm/llmClient';
import { ZERO_USAGE } from '../shared/usage';
import { MAX_PER_PARTITION, VectraIndex } from '../infra/cache/vectraIndex';
import { rng } from './benchCacheWorkload';

/**
 * Lookup latency of L2 and L3 at growing sizes. L2: key (canonical JSON + SHA-256 of a request
 * of a few KB) + LRU get. L3: embed + vectra query (the agent/task-type filter, cosine over what
 * passes it, top-k) + the guards. Entries are synthetic but shaped like Coder requests, spread
 * over agents and task types as a Coder-heavy workspace would be (70 % coder, 20 % reviewer,
 * 10 % architect; 8 task types).
 */

export interface LookupLatency {
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** Entries that passed the agent/task-type filter and were scored (L3), on average. */
  readonly scored?: number;
  /** L3: storing one answer (vectra rewrites the partition's index.json), off the call path since it is O(partition). */
  readonly store_p50_ms?: number;
  readonly store_p99_ms?: number;
}

const STORES = 20;

const LOOKUPS = 500;
const TYPES = ['code_generation', 'refactoring', 'bug_fix', 'unit_test', 'documentation', 'code_review', 'integration_test', 'boilerplate_generation'];
const WORDS = 'add sort enable cache invoice user order payment session report ticket product account shipment coupon message device project event contract total discount export import retry limit form parser field error header module function test date name value list map filter reduce page'.split(' ');

function sentence(random: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');
}

function request(i: number, body: string): LlmRequest {
  return { model: 'claude-sonnet-5-5', system: [{ text: 'You are the Helios Coder.' }], messages: [{ role: 'user', content: [{ text: `Task ${i}\n${body}` }] }], maxTokens: 4_096 };
}

const ANSWER: LlmResponse = { model: 'claude-sonnet-5-5', text: '{"files":[],"summary":"synthetic"}', stopReason: 'end_turn', usage: ZERO_USAGE, requestId: undefined, durationMs: 0 };

function summarize(samples: number[], scored?: number): LookupLatency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50_ms: at(0.5), p99_ms: at(0.99), ...(scored !== undefined ? { scored } : {}) };
}

export async function measureLookups(sizes: readonly number[], dir: string, log: (line: string) => void): Promise<{ L2: Record<string, LookupLatency>; L3: Record<string, LookupLatency> }> {
  const random = rng(11);
  const filler = sentence(random, 700); // ~4 KB of prompt per request
  const L2: Record<string, LookupLatency> = {};
  const L3: Record<string, LookupLatency> = {};
  const exact = new ExactCache({ maxEntries: Math.max(...sizes) + 1, maxBytes: 4 * 1024 ** 3 });
  const embedder = new HashedNgramEmbedder();
  // Unbounded here, so "50k entries" means 50k: the product's bound (MAX_PER_PARTITION) keeps real
  // partitions smaller, and `measureStoreAtBound` measures a write at that bound.
  const index = new VectraIndex(dir, { maxPerPartition: Number.MAX_SAFE_INTEGER });
  const semantic = new SemanticCache({ index, embedder });
  const queries: string[] = [];
  const groups: Array<{ agent: string; taskType: string }> = [];
  let filled = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    const batch: Array<{ id: string; vector: number[]; meta: SemanticEntryMeta }> = [];
    for (let i = filled; i < size; i++) {
      exact.set(exact.keyOf(request(i, filler)), ANSWER);
      const r = random();
      const agent = r < 0.7 ? 'coder' : r < 0.9 ? 'reviewer' : 'architect';
      const taskType = TYPES[Math.floor(random() * TYPES.length)]!;
      const query = sentence(random, 20);
      queries.push(query);
      groups.push({ agent, taskType });
      batch.push({ id: `e${i}`, vector: embedder.embedSync(query), meta: { key: `e${i}`, embedder: embedder.id, agent, taskType, tier: 2, fingerprint: 'f', query, trusted: true, paths: [], response: ANSWER } });
    }
    await index.insertMany(batch);
    filled = size;

    const l2: number[] = [];
    for (let k = 0; k < LOOKUPS; k++) {
      // Half present, half absent: a miss hashes the whole request too.
      const i = k % 2 === 0 ? Math.floor(random() * size) : size + k;
      const t0 = performance.now();
      exact.get(exact.keyOf(request(i, filler)));
      l2.push(performance.now() - t0);
    }
    L2[String(size)] = summarize(l2);

    const l3: number[] = [];
    let scored = 0;
    for (let k = 0; k < LOOKUPS; k++) {
      const i = Math.floor(random() * size);
      const g = groups[i]!;
      // Every other lookup is a near-duplicate of a stored query (a hit), the rest a fresh sentence.
      const query = k % 2 === 0 ? `${queries[i]!}!` : sentence(random, 20);
      scored += groups.filter((x) => x.agent === g.agent && x.taskType === g.taskType).length / LOOKUPS;
      const t0 = performance.now();
      await semantic.lookup({ agent: g.agent, taskType: g.taskType, fingerprint: 'f', query }, 'claude-sonnet-5-5');
      l3.push(performance.now() - t0);
    }
    const stores: number[] = [];
    for (let k = 0; k < STORES; k++) {
      const query = sentence(random, 20);
      const t0 = performance.now();
      await semantic.store(`s${size}-${k}`, { agent: 'coder', taskType: 'code_generation', fingerprint: 'f', query }, ANSWER);
      stores.push(performance.now() - t0);
    }
    const stored = summarize(stores);
    L3[String(size)] = { ...summarize(l3, Math.round(scored)), store_p50_ms: stored.p50_ms, store_p99_ms: stored.p99_ms };
    log(`  ${size} entries: L2 p99 ${L2[String(size)]!.p99_ms.toFixed(3)} ms, L3 p99 ${L3[String(size)]!.p99_ms.toFixed(3)} ms, L3 store p50 ${stored.p50_ms.toFixed(1)} ms`);
  }
  return { L2, L3 };
}

/**
 * One L3 write into a partition at the product's bound, with answers of a realistic size (3 KB of
 * edit JSON): what a Coder call costs the extension host once a workspace's partition is full.
 * Reports the write's duration and the longest the event loop was held up meanwhile.
 */
export async function measureStoreAtBound(dir: string, answerChars = 3_000, writes = 10): Promise<{ readonly entries: number; readonly p50_ms: number; readonly p99_ms: number; readonly longest_block_ms: number }> {
  const embedder = new HashedNgramEmbedder();
  const index = new VectraIndex(dir);
  const random = rng(13);
  const response: LlmResponse = { ...ANSWER, text: 'x'.repeat(answerChars) };
  const meta = (i: number, query: string): SemanticEntryMeta => ({ key: `b${i}`, embedder: embedder.id, agent: 'coder', taskType: 'code_generation', tier: 2, fingerprint: 'f', query, trusted: true, paths: ['src/a.ts'], response });
  await index.insertMany(Array.from({ length: MAX_PER_PARTITION - writes }, (_, i) => {
    const query = sentence(random, 20);
    return { id: `b${i}`, vector: embedder.embedSync(query), meta: meta(i, query) };
  }));
  const times: number[] = [];
  let longest = 0;
  for (let k = 0; k < writes; k++) {
    const query = sentence(random, 20);
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const t0 = performance.now();
    await index.upsert(`w${k}`, embedder.embedSync(query), meta(MAX_PER_PARTITION + k, query));
    times.push(performance.now() - t0);
    clearInterval(probe);
  }
  const summary = summarize(times);
  return { entries: MAX_PER_PARTITION, p50_ms: summary.p50_ms, p99_ms: summary.p99_ms, longest_block_ms: longest };
}

