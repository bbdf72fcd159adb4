import { HeliosError } from '../errors/heliosError';
import type { CallTags, Effort, LlmClient, LlmMessage, LlmResponse, TextPart } from '../llm/llmClient';

/** What stays the same across an agent's first call and its repair round trip. */
export interface StructuredAskOptions {
  readonly client: LlmClient;
  readonly model: string;
  readonly system: readonly TextPart[];
  readonly maxTokens: number;
  /** The JSON Schema of the answer (structured outputs, `output_config.format`). */
  readonly outputSchema: Readonly<Record<string, unknown>>;
  readonly tags: CallTags;
  readonly signal?: AbortSignal;
  readonly effort?: Effort;
  readonly onProgress?: (outputChars: number) => void;
  /** Sees every response, also those of an attempt that ends in an error. */
  readonly onCall?: (response: LlmResponse) => void;
}

/**
 * An agent's calls for one answer: `ask(messages)` sends them with the fixed parts, checks for
 * cancellation first, and keeps every response in `calls` (usage and cost are summed from it).
 */
export function structuredAsker(options: StructuredAskOptions): { readonly ask: (messages: readonly LlmMessage[]) => Promise<LlmResponse>; readonly calls: LlmResponse[] } {
  const calls: LlmResponse[] = [];
  const { client, model, system, maxTokens, outputSchema, tags, signal } = options;
  return {
    calls,
    ask: async (messages) => {
      throwIfAborted(signal);
      const response = await client.complete({
        model, system, messages, maxTokens, outputSchema, tags,
        ...(signal ? { signal } : {}),
        ...(options.effort ? { effort: options.effort } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      calls.push(response);
      options.onCall?.(response);
      return response;
    },
  };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new HeliosError('cancelled', 'Cancelled');
}
