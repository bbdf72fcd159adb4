import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { intFlag, parseFlags } from './cliArgs';
import { CachedLlmClient, type CacheStats } from '../core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../core/cache/embedder';
import { ExactCache } from '../core/cache/exactCache';
import { planPromptCache } from '../core/cache/promptCachePlan';
import { SemanticCache, type SemanticCacheOptions } from '../core/cache/semanticCache';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { VectraIndex } from '../infra/cache/vectraIndex';
import { ClaudeSimulator } from '../simulator/simulator';
import { measureLookups, measureStoreAtBound, type LookupLatency } from './benchCacheLatency';
import { cacheWorkload, REQUEST_CLASSES, type RequestClass, type WorkloadItem } from './benchCacheWorkload';

/**
 * `helios bench cache`: the workload of benchCacheWorkload.ts through CachedLlmClient → the real
 * SDK → the simulator, every request also asked fresh (uncached) so each served answer is checked
 * against what the provider would have said. Then lookup latency at growing cache sizes.
 */

export interface LayerReport {
  readonly lookups: number;
  readonly hits: number;
  readonly hit_rate: number;
  readonly false_hits: number;
  /** false hits ÷ hits (0 without hits). */
  readonly false_hit_rate: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly saved_usd: number;
}

export interface CacheBenchResult {
  readonly L1: LayerReport & { readonly read_tokens: number; readonly write_tokens: number; readonly read_share_of_input: number };
  readonly L2: LayerReport & { readonly latency: Readonly<Record<string, LookupLatency>> };
  readonly L3: LayerReport & {
    readonly hints: number; readonly blocked: CacheStats['L3']['blocked']; readonly latency: Readonly<Record<string, LookupLatency>>;
    /** One write into a partition at the product's bound (3 KB answers), off the call path. */
    readonly store_at_bound: Awaited<ReturnType<typeof measureStoreAtBound>>;
  };
  readonly l2_l3_hit_rate: number;
  readonly false_hit_rate: number;
  readonly coder_edits_served_false: number;
  readonly by_class: Readonly<Record<RequestClass, Readonly<ClassCounts>>>;
  /** `helios` (every guard) and the same workload with guards taken away (see ABLATIONS). */
  readonly ablations: Readonly<Record<string, AblationReport>>;
  readonly saved_usd: number;
  readonly workload: { readonly requests: number; readonly intents: number; readonly seed: number; readonly sizes: readonly number[] };
  readonly targets: Readonly<Record<string, boolean>>;
}

export const CACHE_BENCH_DEFAULTS = { intents: 200, seed: 7, sizes: [1_000, 10_000, 50_000] } as const;

type ClassCounts = { requests: number; l2: number; l3: number; hints: number; false_hits: number };

interface WorkloadRun {
  readonly stats: CacheStats;
  readonly byClass: Record<RequestClass, ClassCounts>;
  readonly falseHits: { readonly L2: number; readonly L3: number };
  readonly coderServedFalse: number;
  readonly timings: { readonly L2: readonly number[]; readonly L3: readonly number[] };
}

/**
 * One pass of the workload through a fresh cache; every served answer is checked against the same
 * request asked fresh. `looseScope` stands in for a cache without the fingerprint guard.
 */
async function runWorkload(
  sdk: AnthropicLlmClient,
  workload: readonly WorkloadItem[],
  folder: string,
  semantic: Omit<SemanticCacheOptions, 'index' | 'embedder'> = {},
  looseScope = false,
): Promise<WorkloadRun> {
  const timings = { L2: [] as number[], L3: [] as number[] };
  const cached = new CachedLlmClient(sdk, {
    exact: new ExactCache({ maxEntries: 100_000 }),
    semantic: new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder(), ...semantic }),
    onEvent: (e) => {
      if (e.kind === 'lookup') timings[e.layer].push(e.ms);
    },
  });
  const byClass = Object.fromEntries(REQUEST_CLASSES.map((c) => [c, { requests: 0, l2: 0, l3: 0, hints: 0, false_hits: 0 }])) as Record<RequestClass, ClassCounts>;
  const falseHits = { L2: 0, L3: 0 };
  let coderServedFalse = 0;
  for (const w of workload) {
    const scope = looseScope ? { ...w.scope, fingerprint: 'unchecked' } : w.scope;
    const before = await cached.stats();
    const served = await cached.completeWithScope(w.request, scope);
    const after = await cached.stats();
    const layer = after.L2.hits > before.L2.hits ? 'L2' : after.L3.hits > before.L3.hits ? 'L3' : undefined;
    const counts = byClass[w.cls];
    counts.requests++;
    if (after.L3.hints > before.L3.hints) counts.hints++;
    if (layer) {
      if (layer === 'L2') counts.l2++;
      else counts.l3++;
      // The oracle: the same request, fresh, without any cache.
      const fresh = await sdk.complete(w.request);
      if (fresh.text !== served.text) {
        falseHits[layer]++;
        counts.false_hits++;
        if (w.scope.agent === 'coder') coderServedFalse++;
      }
    } else {
      // The Reviewer approving every fresh answer stands in for the accept flow (see bench/CACHE.md).
      await cached.markTrusted(cached.keyOf(w.request)!);
    }
  }
  return { stats: await cached.stats(), byClass, falseHits, coderServedFalse, timings };
}

/**
 * What the guards are worth: the same workload through caches with guards taken away. Only the
 * full set is Helios; the others show what the hit rate would gain and what it would cost.
 */
const ABLATIONS: ReadonlyArray<{ readonly name: string; readonly semantic: Omit<SemanticCacheOptions, 'index' | 'embedder'>; readonly looseScope: boolean }> = [
  { name: 'no_word_guard', semantic: { requireSameContentWords: false }, looseScope: false },
  { name: 'no_fingerprint', semantic: {}, looseScope: true },
  { name: 'threshold_0.8', semantic: { thresholds: { default: 0.8 } }, looseScope: false },
  { name: 'threshold_0.8_no_words', semantic: { requireSameContentWords: false, thresholds: { default: 0.8 } }, looseScope: false },
  { name: 'similarity_0.8_only', semantic: { requireSameContentWords: false, thresholds: { default: 0.8 } }, looseScope: true },
];

export interface AblationReport {
  readonly l2_l3_hit_rate: number;
  readonly l3_hits: number;
  readonly false_hits: number;
  readonly false_hit_rate: number;
  readonly coder_edits_served_false: number;
}

function ablationOf(run: WorkloadRun, requests: number): AblationReport {
  const hits = run.stats.L2.hits + run.stats.L3.hits;
  const falseHits = run.falseHits.L2 + run.falseHits.L3;
  return { l2_l3_hit_rate: rate(hits, requests), l3_hits: run.stats.L3.hits, false_hits: falseHits, false_hit_rate: rate(falseHits, hits), coder_edits_served_false: run.coderServedFalse };
}

function rate(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

export async function runCacheBench(options: { intents?: number; seed?: number; sizes?: readonly number[]; log?: (line: string) => void } = {}): Promise<CacheBenchResult> {
  const intents = options.intents ?? CACHE_BENCH_DEFAULTS.intents;
  const seed = options.seed ?? CACHE_BENCH_DEFAULTS.seed;
  const sizes = options.sizes ?? CACHE_BENCH_DEFAULTS.sizes;
  const log = options.log ?? (() => undefined);
  const workload = cacheWorkload(intents, seed);
  const dir = await mkdtemp(path.join(tmpdir(), 'helios-bench-cache-'));
  const sim = await ClaudeSimulator.start({ speedUp: Infinity, limits: { requestsPerMinute: 1e9, inputTokensPerMinute: 1e12, outputTokensPerMinute: 1e12 } });
  try {
    const sdk = new AnthropicLlmClient({ apiKey: 'bench', baseURL: sim.url, provider: 'simulator' });
    log(`${workload.length} requests (${intents} intents)…`);
    const run = await runWorkload(sdk, workload, path.join(dir, 'l3'));
    const ablations: Record<string, AblationReport> = { helios: ablationOf(run, workload.length) };
    for (const a of ABLATIONS) {
      log(`guards taken away: ${a.name}…`);
      ablations[a.name] = ablationOf(await runWorkload(sdk, workload, path.join(dir, a.name), a.semantic, a.looseScope), workload.length);
    }
    const { stats, byClass, falseHits } = run;
    const plannerMs = workload.slice(0, 200).map((w) => {
      const t0 = performance.now();
      planPromptCache(w.request);
      return performance.now() - t0;
    });
    log('lookup latency…');
    const latency = await measureLookups(sizes, path.join(dir, 'latency'), log);
    const storeAtBound = await measureStoreAtBound(path.join(dir, 'bound'));
    const largest = String(sizes[sizes.length - 1]);
    const l2Lookups = workload.length;
    const l3Lookups = stats.L3.hits + stats.L3.misses;
    const hits = stats.L2.hits + stats.L3.hits;
    const result: CacheBenchResult = {
      L1: {
        lookups: stats.L1.calls, hits: stats.L1.callsWithReads, hit_rate: rate(stats.L1.callsWithReads, stats.L1.calls), false_hits: 0, false_hit_rate: 0,
        p50_ms: percentile(plannerMs, 0.5), p99_ms: percentile(plannerMs, 0.99), saved_usd: stats.L1.savedUsd,
        read_tokens: stats.L1.readTokens, write_tokens: stats.L1.writeTokens, read_share_of_input: rate(stats.L1.readTokens, stats.L1.inputTokens),
      },
      L2: {
        lookups: l2Lookups, hits: stats.L2.hits, hit_rate: rate(stats.L2.hits, l2Lookups), false_hits: falseHits.L2, false_hit_rate: rate(falseHits.L2, stats.L2.hits),
        p50_ms: latency.L2[largest]?.p50_ms ?? 0, p99_ms: latency.L2[largest]?.p99_ms ?? 0, saved_usd: stats.L2.savedUsd, latency: latency.L2,
      },
      L3: {
        lookups: l3Lookups, hits: stats.L3.hits, hit_rate: rate(stats.L3.hits, l3Lookups), false_hits: falseHits.L3, false_hit_rate: rate(falseHits.L3, stats.L3.hits),
        p50_ms: latency.L3[largest]?.p50_ms ?? 0, p99_ms: latency.L3[largest]?.p99_ms ?? 0, saved_usd: stats.L3.savedUsd,
        hints: stats.L3.hints, blocked: stats.L3.blocked, latency: latency.L3, store_at_bound: storeAtBound,
      },
      l2_l3_hit_rate: rate(hits, workload.length),
      false_hit_rate: rate(falseHits.L2 + falseHits.L3, hits),
      coder_edits_served_false: run.coderServedFalse,
      by_class: byClass,
      ablations,
      saved_usd: stats.savedUsd,
      workload: { requests: workload.length, intents, seed, sizes: [...sizes] },
      targets: {},
    };
    return { ...result, targets: cacheTargets(result) };
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export function cacheTargets(r: CacheBenchResult): Record<string, boolean> {
  return {
    l2_l3_hit_rate_above_40pct: r.l2_l3_hit_rate > 0.4,
    false_hit_rate_below_half_pct: r.false_hit_rate < 0.005,
    coder_edits_served_false_zero: r.coder_edits_served_false === 0,
    l2_p99_below_1ms: r.L2.p99_ms < 1,
    l3_p99_below_20ms: r.L3.p99_ms < 20,
  };
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

export function formatCacheTable(r: CacheBenchResult): string {
  const lines = [
    `Cache benchmark · ${r.workload.requests} requests (${r.workload.intents} intents, seed ${r.workload.seed}) · simulator as oracle`,
    '',
    'layer  lookups  hits  hit rate  false hits  false-hit rate  saved',
    ...(['L2', 'L3'] as const).map((l) => `${l}     ${String(r[l].lookups).padStart(7)}  ${String(r[l].hits).padStart(4)}  ${pct(r[l].hit_rate).padStart(8)}  ${String(r[l].false_hits).padStart(10)}  ${pct(r[l].false_hit_rate).padStart(14)}  $${r[l].saved_usd.toFixed(4)}`),
    `L3 hints (answer given to the model, not served): ${r.L3.hints}; blocked by guard: ${Object.entries(r.L3.blocked).map(([g, n]) => `${g} ${n}`).join(', ') || 'none'}`,
    `L2+L3 hit rate ${pct(r.l2_l3_hit_rate)} · false-hit rate ${pct(r.false_hit_rate)} · Coder edits served false: ${r.coder_edits_served_false}`,
    '',
    'class          requests   L2   L3  hints  false',
    ...REQUEST_CLASSES.map((c) => {
      const x = r.by_class[c];
      return `${c.padEnd(14)} ${String(x.requests).padStart(8)} ${String(x.l2).padStart(4)} ${String(x.l3).padStart(4)} ${String(x.hints).padStart(6)} ${String(x.false_hits).padStart(6)}`;
    }),
    '',
    'guards                L2+L3 hit rate  L3 hits  false hits  false-hit rate  Coder edits served false',
    ...Object.entries(r.ablations).map(([name, a]) => `${name.padEnd(22)}${pct(a.l2_l3_hit_rate).padStart(14)}  ${String(a.l3_hits).padStart(7)}  ${String(a.false_hits).padStart(10)}  ${pct(a.false_hit_rate).padStart(14)}  ${String(a.coder_edits_served_false).padStart(24)}`),
    '',
    `L1 (provider prompt cache): ${r.L1.hits}/${r.L1.lookups} calls read a cached prefix; read ${r.L1.read_tokens.toLocaleString('en-US')} / wrote ${r.L1.write_tokens.toLocaleString('en-US')} tokens (${pct(r.L1.read_share_of_input)} of input); saved $${r.L1.saved_usd.toFixed(4)}; planner p99 ${r.L1.p99_ms.toFixed(3)} ms`,
    '',
    'lookup latency   entries   p50 ms   p99 ms   (L3 store, off the call path: p50 / p99 ms)',
    ...(['L2', 'L3'] as const).flatMap((l) => Object.entries(r[l].latency).map(([n, x]) => `${l}              ${n.padStart(7)}  ${x.p50_ms.toFixed(3).padStart(7)}  ${x.p99_ms.toFixed(3).padStart(7)}${x.store_p50_ms !== undefined ? `   ${x.store_p50_ms.toFixed(1)} / ${(x.store_p99_ms ?? 0).toFixed(1)}` : ''}`)),
    `L3 store at the partition bound (${r.L3.store_at_bound.entries.toLocaleString('en-US')} entries, 3 KB answers): p50 ${r.L3.store_at_bound.p50_ms.toFixed(1)} ms, p99 ${r.L3.store_at_bound.p99_ms.toFixed(1)} ms, event loop held up at most ${r.L3.store_at_bound.longest_block_ms.toFixed(0)} ms`,
    '',
    `saved in all: $${r.saved_usd.toFixed(4)}`,
    ...Object.entries(r.targets).map(([k, ok]) => `${ok ? '✓' : '✗'} ${k.replace(/_/g, ' ')}`),
    '',
  ];
  return lines.join('\n');
}

export const benchCacheCommand = {
  usage: 'bench cache [--intents N] [--seed S] [--sizes 1000,10000,50000] [--json]',
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags('bench cache', {
      args: argv,
      options: { intents: { type: 'string' }, seed: { type: 'string' }, sizes: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    // A bad number is refused with one sentence, never replaced by the default.
    const sizes = values.sizes?.split(',').map((s) => intFlag('--sizes', s.trim(), { min: 1, max: 10_000_000 }));
    const intents = intFlag('--intents', values.intents, { min: 1, max: 1_000_000 });
    const seed = intFlag('--seed', values.seed, { min: 0 });
    const result = await runCacheBench({
      ...(intents !== undefined ? { intents } : {}), ...(seed !== undefined ? { seed } : {}), ...(sizes ? { sizes } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatCacheTable(result));
    return 0;
  },
};
