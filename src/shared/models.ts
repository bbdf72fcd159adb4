/**
 * The one table of models, prices and limits (API-FACTS.md, checked 2026-11-24).
 * The router, the governor, the Anthropic client and the simulator all read this table;
 * settings may extend it with `helios.models` entries of the same shape.
 */

export type ModelFamily = 'haiku' | 'sonnet' | 'opus' | 'fable';

/** Prices in US dollars per million tokens. */
export interface PriceTier {
  /** This tier applies to prompts of up to this many input tokens (inclusive); omit for "no limit". */
  readonly upToInputTokens?: number;
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

export interface CacheMultipliers {
  readonly write5m: number;
  readonly write1h: number;
  readonly read: number;
}

export interface ModelInfo {
  readonly id: string;
  readonly family: ModelFamily;
  readonly displayName: string;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  /** Ordered by `upToInputTokens`, the last tier without a limit. */
  readonly prices: readonly PriceTier[];
  readonly cache: CacheMultipliers;
  /** Minimum prefix length (tokens) the provider caches; shorter prefixes are silently not cached. */
  readonly minCacheableTokens: number;
  /** Opus 5.5 and Fable 5.1 reject forced tool use and disabled/enabled thinking (400). */
  readonly rejectsForcedToolUse: boolean;
  readonly thinkingAlwaysOn: boolean;
  /** Simulator latency model: time to first token and output speed. */
  readonly latency: { readonly firstTokenMs: number; readonly outputTokensPerSecond: number };
  readonly legacy?: boolean;
}

const STANDARD_CACHE: CacheMultipliers = { write5m: 1.25, write1h: 2, read: 0.1 };

function flat(inputPerMTok: number, outputPerMTok: number): readonly PriceTier[] {
  return [{ inputPerMTok, outputPerMTok }];
}

export const MODELS: readonly ModelInfo[] = [
  {
    id: 'claude-fable-5-1', family: 'fable', displayName: 'Fable 5.1',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(10, 50), cache: STANDARD_CACHE,
    minCacheableTokens: 512, rejectsForcedToolUse: true, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 2_500, outputTokensPerSecond: 45 },
  },
  {
    id: 'claude-opus-5-5', family: 'opus', displayName: 'Opus 5.5',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(4, 20),
    cache: { write5m: 1.25, write1h: 2, read: 0.05 },
    minCacheableTokens: 512, rejectsForcedToolUse: true, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 1_800, outputTokensPerSecond: 60 },
  },
  {
    id: 'claude-sonnet-5-5', family: 'sonnet', displayName: 'Sonnet 5.5',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(2, 10), cache: STANDARD_CACHE,
    minCacheableTokens: 512, rejectsForcedToolUse: false, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_000, outputTokensPerSecond: 90 },
  },
  {
    id: 'claude-haiku-5-5', family: 'haiku', displayName: 'Haiku 5.5',
    contextWindow: 1_000_000, maxOutputTokens: 128_000,
    prices: [
      { upToInputTokens: 100_000, inputPerMTok: 0.1, outputPerMTok: 0.5 },
      { inputPerMTok: 0.5, outputPerMTok: 2.5 },
    ],
    cache: STANDARD_CACHE,
    minCacheableTokens: 512, rejectsForcedToolUse: false, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 400, outputTokensPerSecond: 180 },
  },
  {
    id: 'claude-opus-5', family: 'opus', displayName: 'Opus 5', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(5, 25), cache: STANDARD_CACHE,
    minCacheableTokens: 512, rejectsForcedToolUse: false, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_800, outputTokensPerSecond: 55 },
  },
  {
    id: 'claude-sonnet-5', family: 'sonnet', displayName: 'Sonnet 5', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(2, 10), cache: STANDARD_CACHE,
    minCacheableTokens: 512, rejectsForcedToolUse: false, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_000, outputTokensPerSecond: 85 },
  },
  {
    id: 'claude-haiku-4-5', family: 'haiku', displayName: 'Haiku 4.5', legacy: true,
    contextWindow: 200_000, maxOutputTokens: 64_000, prices: flat(1, 5), cache: STANDARD_CACHE,
    minCacheableTokens: 2_048, rejectsForcedToolUse: false, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 500, outputTokensPerSecond: 150 },
  },
];

/** The current model of each family: what the router and the Architect pick by default. */
export const DEFAULT_MODEL_BY_FAMILY: Readonly<Record<ModelFamily, string>> = {
  fable: 'claude-fable-5-1',
  opus: 'claude-opus-5-5',
  sonnet: 'claude-sonnet-5-5',
  haiku: 'claude-haiku-5-5',
};

export function findModel(id: string, table: readonly ModelInfo[] = MODELS): ModelInfo | undefined {
  return table.find((m) => m.id === id);
}

export function priceTierFor(model: ModelInfo, inputTokens: number): PriceTier {
  const tier = model.prices.find((t) => t.upToInputTokens === undefined || inputTokens <= t.upToInputTokens);
  // The table's invariant (last tier unbounded) makes the fallback unreachable for valid tables.
  return tier ?? model.prices[model.prices.length - 1]!;
}
