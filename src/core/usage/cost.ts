import { findModel, priceTierFor, type ModelInfo } from '../../shared/models';
import type { TokenUsage } from '../../shared/usage';

/**
 * The dollar cost of one call from the provider's own usage figures. The price tier is chosen by
 * the whole prompt's size (input + cache reads + cache writes), as the provider bills long prompts.
 * Unknown models cost `undefined`: an honest "unknown" beats a guessed number.
 */
export function costOfUsage(modelId: string, usage: TokenUsage, table?: readonly ModelInfo[]): number | undefined {
  const model = findModel(modelId, table);
  if (!model) return undefined;
  const promptTokens = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  const tier = priceTierFor(model, promptTokens);
  const inPrice = tier.inputPerMTok / 1_000_000;
  const outPrice = tier.outputPerMTok / 1_000_000;
  // When the provider reports the TTL split, price each part; otherwise treat writes as 5-minute.
  const split = usage.cacheCreation5mTokens + usage.cacheCreation1hTokens;
  const write5m = split > 0 ? usage.cacheCreation5mTokens : usage.cacheCreationInputTokens;
  const write1h = split > 0 ? usage.cacheCreation1hTokens : 0;
  return (
    usage.inputTokens * inPrice +
    write5m * inPrice * model.cache.write5m +
    write1h * inPrice * model.cache.write1h +
    usage.cacheReadInputTokens * inPrice * model.cache.read +
    usage.outputTokens * outPrice
  );
}
