import type { BudgetPlanKind, BudgetUnit, CapSource } from '../../shared/budget';
import { findModel, priceTierFor, type ModelFamily } from '../../shared/models';
import type { TokenUsage } from '../../shared/usage';
import { costOfUsage } from '../usage/cost';

/**
 * What a budget plan limits and how a call is measured against it.
 *
 * Anthropic does not publish Pro/Max limits as numbers. Subscription plans are metered in
 * Sonnet-equivalent weighted tokens: (input + cache writes + output) × the family's weight, plus
 * cache reads × `cacheReadWeight`. The default caps are the community-observed per-window figures
 * (Claude-Code-Usage-Monitor: Pro 19K, Max 5× 88K, Max 20× 220K tokens) and the default weights are
 * the price ratios of API-FACTS.md (Opus 5.5 = 2× Sonnet 5.5, Fable 5.1 = 5×, Haiku 5.5 = 1/20);
 * every one can be overridden, and an observed ceiling replaces a higher configured one.
 * The `api` plan is metered in US dollars from the price table, per calendar day and month.
 */
export interface BudgetConfig {
  readonly plan: BudgetPlanKind;
  /** Cap per 5-hour window in weighted tokens; undefined = the plan's default. */
  readonly windowTokens?: number;
  /** Calls per 5-hour window; undefined = the plan's default (0 = no message cap). */
  readonly windowMessages?: number;
  readonly familyWeights: Readonly<Record<ModelFamily, number>>;
  readonly cacheReadWeight: number;
  readonly dailyUsd: number;
  readonly monthlyUsd: number;
  /** Fraction of the cap at which the governor throttles. */
  readonly throttleAt: number;
}

export const DEFAULT_FAMILY_WEIGHTS: Readonly<Record<ModelFamily, number>> = { haiku: 0.05, sonnet: 1, opus: 2, fable: 5 };

export const PLAN_DEFAULTS: Readonly<Record<Exclude<BudgetPlanKind, 'api'>, { tokens: number; messages: number }>> = {
  pro: { tokens: 19_000, messages: 45 },
  max5x: { tokens: 88_000, messages: 225 },
  max20x: { tokens: 220_000, messages: 900 },
  custom: { tokens: 88_000, messages: 0 },
};

export const DEFAULT_BUDGET: BudgetConfig = {
  plan: 'max5x',
  familyWeights: DEFAULT_FAMILY_WEIGHTS,
  cacheReadWeight: 0,
  dailyUsd: 10,
  monthlyUsd: 200,
  throttleAt: 0.8,
};

/** Measures calls in the plan's unit; the governor only ever sees units. */
export interface UnitMeter {
  readonly unit: BudgetUnit;
  /** Settled units of a call from the provider's usage. */
  unitsOf(model: string, usage: TokenUsage): number;
  /** Upper bound of a call's units: counted input plus `outputTokens` of output. */
  boundOf(model: string, inputTokens: number, outputTokens: number): number;
  /** The most output tokens a call with this input may produce within `units`. */
  outputWithin(model: string, inputTokens: number, units: number): number;
}

function familyOf(model: string): ModelFamily | undefined {
  return findModel(model)?.family ?? (['fable', 'opus', 'sonnet', 'haiku'] as const).find((f) => model.includes(f));
}

export function tokenMeter(config: BudgetConfig): UnitMeter {
  // Unknown models weigh like Opus: over-counting is safe, under-counting overshoots the cap.
  const weight = (model: string) => config.familyWeights[familyOf(model) ?? 'opus'];
  return {
    unit: 'tokens',
    unitsOf: (model, u) =>
      weight(model) * (u.inputTokens + u.cacheCreationInputTokens + u.outputTokens) + config.cacheReadWeight * u.cacheReadInputTokens,
    boundOf: (model, input, output) => weight(model) * (input + output),
    outputWithin: (model, input, units) => Math.floor(units / weight(model) - input),
  };
}

/** Dollars; cache writes are bounded at the 1-hour price (2×) since the request may ask for it. */
export function dollarMeter(): UnitMeter {
  const prices = (model: string, input: number) => {
    const info = findModel(model);
    // No price known: refuse to guess low; treat as the most expensive model in the table.
    const tier = info ? priceTierFor(info, input) : { inputPerMTok: 10, outputPerMTok: 50 };
    const writeFactor = info ? Math.max(info.cache.write1h, info.cache.write5m, 1) : 2;
    return { inPrice: (tier.inputPerMTok * writeFactor) / 1e6, outPrice: tier.outputPerMTok / 1e6 };
  };
  return {
    unit: 'usd',
    unitsOf: (model, u) => costOfUsage(model, u) ?? boundFromUsage(model, u, prices),
    boundOf: (model, input, output) => {
      const p = prices(model, input);
      return input * p.inPrice + output * p.outPrice;
    },
    outputWithin: (model, input, units) => {
      const p = prices(model, input);
      return Math.floor((units - input * p.inPrice) / p.outPrice);
    },
  };
}

function boundFromUsage(model: string, u: TokenUsage, prices: (m: string, i: number) => { inPrice: number; outPrice: number }): number {
  const input = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
  const p = prices(model, input);
  return input * p.inPrice + u.outputTokens * p.outPrice;
}

export interface ResolvedCap {
  readonly units: number;
  readonly messages: number;
  readonly source: CapSource;
}

/** The cap in force: configured or default, lowered by an observed ceiling when that is lower. */
export function resolveCap(config: BudgetConfig, observedCeiling: number | undefined): ResolvedCap {
  if (config.plan === 'api') return { units: config.dailyUsd, messages: 0, source: 'configured' };
  const defaults = PLAN_DEFAULTS[config.plan];
  const configured = config.windowTokens !== undefined;
  const units = config.windowTokens ?? defaults.tokens;
  const messages = config.windowMessages ?? defaults.messages;
  if (observedCeiling !== undefined && observedCeiling < units) return { units: observedCeiling, messages, source: 'observed' };
  return { units, messages, source: configured ? 'configured' : 'default' };
}

export function meterFor(config: BudgetConfig): UnitMeter {
  return config.plan === 'api' ? dollarMeter() : tokenMeter(config);
}
