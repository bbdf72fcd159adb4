/**
 * The one table of models, prices and limits (API-FACTS.md, checked 2026-11-24; the models the
 * SDK lists beyond it from the provider's per-model pages, checked 2026-12-02).
 * The router, the governor, the Anthropic client and the simulator all read this table;
 * settings may extend it with `helios.models` entries of the same shape.
 */

export type ModelFamily = 'haiku' | 'sonnet' | 'opus' | 'fable';

/** The `thinking.type` values of the Messages API. */
export type ThinkingType = 'adaptive' | 'enabled' | 'disabled' | 'between_tools';

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
  /** `tool_choice` `any`/`tool` is a 400 (Opus 5.5, Fable 5.1 and 5.2, Sonnet 5.5). */
  readonly rejectsForcedToolUse: boolean;
  /** The `thinking.type` values the model accepts; any other is a 400. Omitting `thinking` always works. */
  readonly thinkingTypes: readonly ThinkingType[];
  /** Adaptive thinking cannot be turned off: every reply may open with a thinking block. */
  readonly thinkingAlwaysOn: boolean;
  /** `{role: "system"}` entries inside `messages` (Opus 4.8 and later); older models answer 400. */
  readonly midConversationSystem: boolean;
  /** `temperature` / `top_p` / `top_k` are accepted (models since Opus 4.7 reject non-default values). */
  readonly samplingParameters: boolean;
  /** Simulator latency model: time to first token and output speed. */
  readonly latency: { readonly firstTokenMs: number; readonly outputTokensPerSecond: number };
  readonly legacy?: boolean;
}

/**
 * Model ids the SDK lists that the API does not serve to an ordinary account: retired models and
 * invitation-only ones. The API answers them as it answers any retired model, 404
 * `not_found_error` with the message `model: <id>`; the governor weighs them like Opus.
 */
export interface UnservedModel {
  readonly id: string;
  readonly reason: 'retired' | 'restricted';
  readonly note: string;
}

const STANDARD_CACHE: CacheMultipliers = { write5m: 1.25, write1h: 2, read: 0.1 };

function flat(inputPerMTok: number, outputPerMTok: number): readonly PriceTier[] {
  return [{ inputPerMTok, outputPerMTok }];
}

/** The 5.x line's shape: 1M context, 128K output, 512-token cache minimum, no sampling parameters, system messages. */
const FIVE = {
  contextWindow: 1_000_000, maxOutputTokens: 128_000, cache: STANDARD_CACHE, minCacheableTokens: 512,
  midConversationSystem: true, samplingParameters: false,
} as const;
const ADAPTIVE_ONLY: readonly ThinkingType[] = ['adaptive'];
const ALL_BUT_BETWEEN_TOOLS: readonly ThinkingType[] = ['adaptive', 'enabled', 'disabled'];
/** Claude 4.5 models think only with a budget (`enabled`), never adaptively. */
const BUDGET_ONLY: readonly ThinkingType[] = ['enabled', 'disabled'];

const HAIKU_4_5: Omit<ModelInfo, 'id'> = {
  family: 'haiku', displayName: 'Haiku 4.5', legacy: true,
  contextWindow: 200_000, maxOutputTokens: 64_000, prices: flat(1, 5), cache: STANDARD_CACHE,
  minCacheableTokens: 2_048, rejectsForcedToolUse: false, thinkingTypes: BUDGET_ONLY, thinkingAlwaysOn: false,
  midConversationSystem: false, samplingParameters: true,
  latency: { firstTokenMs: 500, outputTokensPerSecond: 150 },
};

const OPUS_4_5: Omit<ModelInfo, 'id'> = {
  family: 'opus', displayName: 'Opus 4.5', legacy: true,
  contextWindow: 200_000, maxOutputTokens: 64_000, prices: flat(5, 25), cache: STANDARD_CACHE,
  minCacheableTokens: 4_096, rejectsForcedToolUse: false, thinkingTypes: BUDGET_ONLY, thinkingAlwaysOn: false,
  midConversationSystem: false, samplingParameters: true,
  latency: { firstTokenMs: 2_000, outputTokensPerSecond: 45 },
};

export const MODELS: readonly ModelInfo[] = [
  {
    id: 'claude-fable-5-1', family: 'fable', displayName: 'Fable 5.1', ...FIVE, prices: flat(10, 50),
    rejectsForcedToolUse: true, thinkingTypes: ADAPTIVE_ONLY, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 2_500, outputTokensPerSecond: 45 },
  },
  {
    id: 'claude-opus-5-5', family: 'opus', displayName: 'Opus 5.5', ...FIVE, prices: flat(4, 20),
    cache: { write5m: 1.25, write1h: 2, read: 0.05 },
    rejectsForcedToolUse: true, thinkingTypes: ADAPTIVE_ONLY, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 1_800, outputTokensPerSecond: 60 },
  },
  {
    // "What's new in Claude Sonnet 5.5": forced tool use returns an error; `disabled` thinking is a
    // 400 whose message points to `between_tools` (allowed at effort low…high only).
    id: 'claude-sonnet-5-5', family: 'sonnet', displayName: 'Sonnet 5.5', ...FIVE, prices: flat(2, 10),
    rejectsForcedToolUse: true, thinkingTypes: ['adaptive', 'between_tools'], thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_000, outputTokensPerSecond: 90 },
  },
  {
    id: 'claude-haiku-5-5', family: 'haiku', displayName: 'Haiku 5.5', ...FIVE,
    prices: [
      { upToInputTokens: 100_000, inputPerMTok: 0.1, outputPerMTok: 0.5 },
      { inputPerMTok: 0.5, outputPerMTok: 2.5 },
    ],
    rejectsForcedToolUse: false, thinkingTypes: ['adaptive', 'disabled'], thinkingAlwaysOn: false,
    latency: { firstTokenMs: 400, outputTokensPerSecond: 180 },
  },
  {
    // Released 2026-11-09: 1M / 128K, $8 / $40, adaptive thinking always on ("What's new in Claude
    // Fable 5.2" and the models' comparison table). Forced tool use is taken to stay a 400 as on 5.1
    // (its breaking-change list against 5.1 does not lift it). Not yet the router's default Fable.
    id: 'claude-fable-5-2', family: 'fable', displayName: 'Fable 5.2', ...FIVE, prices: flat(8, 40),
    rejectsForcedToolUse: true, thinkingTypes: ADAPTIVE_ONLY, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 2_300, outputTokensPerSecond: 50 },
  },
  {
    id: 'claude-fable-5', family: 'fable', displayName: 'Fable 5', legacy: true, ...FIVE, prices: flat(10, 50),
    rejectsForcedToolUse: false, thinkingTypes: ADAPTIVE_ONLY, thinkingAlwaysOn: true,
    latency: { firstTokenMs: 2_500, outputTokensPerSecond: 40 },
  },
  {
    id: 'claude-opus-5', family: 'opus', displayName: 'Opus 5', legacy: true, ...FIVE, prices: flat(5, 25),
    rejectsForcedToolUse: false, thinkingTypes: ALL_BUT_BETWEEN_TOOLS, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_800, outputTokensPerSecond: 55 },
  },
  {
    id: 'claude-sonnet-5', family: 'sonnet', displayName: 'Sonnet 5', legacy: true, ...FIVE, prices: flat(2, 10),
    rejectsForcedToolUse: false, thinkingTypes: ALL_BUT_BETWEEN_TOOLS, thinkingAlwaysOn: false,
    latency: { firstTokenMs: 1_000, outputTokensPerSecond: 85 },
  },
  {
    // Opus 4.8 and 4.7 think adaptively or not at all: a thinking budget (`enabled`) is a 400.
    id: 'claude-opus-4-8', family: 'opus', displayName: 'Opus 4.8', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(5, 25), cache: STANDARD_CACHE,
    minCacheableTokens: 1_024, rejectsForcedToolUse: false, thinkingTypes: ['adaptive', 'disabled'], thinkingAlwaysOn: false,
    midConversationSystem: true, samplingParameters: false,
    latency: { firstTokenMs: 1_900, outputTokensPerSecond: 55 },
  },
  {
    id: 'claude-opus-4-7', family: 'opus', displayName: 'Opus 4.7', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(5, 25), cache: STANDARD_CACHE,
    minCacheableTokens: 4_096, rejectsForcedToolUse: false, thinkingTypes: ['adaptive', 'disabled'], thinkingAlwaysOn: false,
    midConversationSystem: false, samplingParameters: false,
    latency: { firstTokenMs: 1_900, outputTokensPerSecond: 50 },
  },
  {
    id: 'claude-opus-4-6', family: 'opus', displayName: 'Opus 4.6', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(5, 25), cache: STANDARD_CACHE,
    minCacheableTokens: 4_096, rejectsForcedToolUse: false, thinkingTypes: ALL_BUT_BETWEEN_TOOLS, thinkingAlwaysOn: false,
    midConversationSystem: false, samplingParameters: true,
    latency: { firstTokenMs: 2_000, outputTokensPerSecond: 50 },
  },
  {
    id: 'claude-sonnet-4-6', family: 'sonnet', displayName: 'Sonnet 4.6', legacy: true,
    contextWindow: 1_000_000, maxOutputTokens: 128_000, prices: flat(3, 15), cache: STANDARD_CACHE,
    minCacheableTokens: 2_048, rejectsForcedToolUse: false, thinkingTypes: ALL_BUT_BETWEEN_TOOLS, thinkingAlwaysOn: false,
    midConversationSystem: false, samplingParameters: true,
    latency: { firstTokenMs: 1_100, outputTokensPerSecond: 80 },
  },
  { id: 'claude-opus-4-5', ...OPUS_4_5 },
  { id: 'claude-opus-4-5-20251101', ...OPUS_4_5 },
  { id: 'claude-haiku-4-5', ...HAIKU_4_5 },
  { id: 'claude-haiku-4-5-20251001', ...HAIKU_4_5 },
];

export const UNSERVED_MODELS: readonly UnservedModel[] = [
  { id: 'claude-sonnet-4-5', reason: 'retired', note: 'retired on 2026-11-30 (model deprecations); replacement claude-sonnet-5-5' },
  { id: 'claude-sonnet-4-5-20250929', reason: 'retired', note: 'snapshot id of claude-sonnet-4-5, retired on 2026-11-30' },
  { id: 'claude-mythos-preview', reason: 'restricted', note: 'invitation only (Project Glasswing); no public price' },
  { id: 'claude-mythos-5', reason: 'restricted', note: 'verified organisations only; shares Fable 5 specs, no public price' },
  { id: 'claude-mythos-5-1', reason: 'restricted', note: 'verified organisations only; no public price' },
  { id: 'claude-mythos-5-2', reason: 'restricted', note: 'verified organisations only; no public price' },
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
