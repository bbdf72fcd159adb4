import type { LlmClient, LlmRequest, LlmResponse, StopReason } from '../../src/core/llm/llmClient';

/**
 * A fake of Helios's own LlmClient interface for core unit tests: replies from a script, and
 * records the requests. Model calls through the SDK are tested against the simulator instead.
 */
export class ScriptedLlmClient implements LlmClient {
  readonly provider = 'scripted';
  readonly requests: LlmRequest[] = [];
  countTokensCalls = 0;

  constructor(
    private readonly replies: Array<{ text: string; stopReason?: StopReason }>,
    private readonly tokensPerRequest = 1_000,
  ) {}

  async complete(request: LlmRequest): Promise<LlmResponse> {
    this.requests.push(request);
    const reply = this.replies.shift();
    if (!reply) throw new Error('ScriptedLlmClient: no reply left');
    return {
      model: request.model,
      text: reply.text,
      stopReason: reply.stopReason ?? 'end_turn',
      usage: { inputTokens: 100, outputTokens: 50, cacheCreationInputTokens: 10, cacheReadInputTokens: 20, cacheCreation5mTokens: 10, cacheCreation1hTokens: 0 },
      requestId: `req_${this.requests.length}`,
      durationMs: 1,
    };
  }

  async countTokens(): Promise<number> {
    this.countTokensCalls++;
    return this.tokensPerRequest;
  }
}
