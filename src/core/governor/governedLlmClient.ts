import { findModel } from '../../shared/models';
import { ZERO_USAGE } from '../../shared/usage';
import { HeliosError } from '../errors/heliosError';
import type { LlmClient, LlmRequest, LlmResponse } from '../llm/llmClient';
import { costOfUsage } from '../usage/cost';
import type { UsageRecord } from '../usage/usageLedger';
import type { Governor } from './governor';

/** count_tokens may differ slightly from what the provider bills; reserve a little more. */
const INPUT_MARGIN = 1.02;
const INPUT_SLACK = 16;

/**
 * Every model call's path through the budget: count the input (free), reserve the call's upper
 * bound with the governor (waiting if it does not fit), send it with the granted `max_tokens`,
 * then settle with the provider's own usage — or release the reservation if it failed.
 */
export interface GovernedClientOptions {
  readonly workspace: string;
  readonly now: () => Date;
  readonly onRecorded?: (r: UsageRecord) => void;
  /** How long each admission took (the budget's wait, and the account board's round trip). */
  readonly onAdmitted?: (ms: number) => void;
}

export class GovernedLlmClient implements LlmClient {
  constructor(
    private readonly inner: LlmClient,
    private readonly governor: Governor,
    private readonly context: GovernedClientOptions,
  ) {}

  get provider(): string {
    return this.inner.provider;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const counted = await this.inner.countTokens(request);
    const asked = performance.now();
    const admission = await this.governor.admit({
      model: request.model,
      inputTokens: Math.ceil(counted * INPUT_MARGIN) + INPUT_SLACK,
      maxTokens: request.maxTokens,
      signal: request.signal,
    });
    this.context.onAdmitted?.(performance.now() - asked);
    let response: LlmResponse;
    try {
      response = await this.inner.complete({ ...request, maxTokens: admission.maxTokens });
    } catch (error) {
      if (error instanceof HeliosError && error.reason === 'usage_unknown') {
        // The call's process outlived every attempt to stop it: it may still be spending. Its
        // reservation is kept, as a ledger record of its upper bound, never silently dropped.
        const usage = { ...ZERO_USAGE, inputTokens: admission.inputTokens, outputTokens: admission.maxTokens };
        const record = this.recordOf(request, { model: admission.model, usage, requestId: undefined }, { usageUnknown: true });
        await this.governor.settle(admission, record);
        this.context.onRecorded?.(record);
        throw error;
      }
      this.governor.release(admission);
      if (error instanceof HeliosError && error.reason === 'provider_rate_limited' && error.details.limitReached === 1) {
        const resetAt = typeof error.details.resetAt === 'string' ? new Date(error.details.resetAt) : undefined;
        await this.governor.recordLimitHit(resetAt && !Number.isNaN(resetAt.getTime()) ? resetAt : undefined);
      } else if (error instanceof HeliosError && error.reason === 'provider_rate_limited') {
        // A per-minute limit: every process on the account holds back until retry-after has passed.
        this.governor.rateLimitedFor(typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : 1_000);
      }
      throw error;
    }
    this.governor.observeRate(response.rateLimit);
    const record = this.recordOf(request, response);
    await this.governor.settle(admission, record);
    this.context.onRecorded?.(record);
    return response;
  }

  private recordOf(request: LlmRequest, response: Pick<LlmResponse, 'model' | 'usage' | 'requestId' | 'messageIds'>, extra: Pick<UsageRecord, 'usageUnknown'> = {}): UsageRecord {
    return {
      v: 1,
      ts: this.context.now().toISOString(),
      workspace: this.context.workspace,
      provider: this.inner.provider,
      model: response.model,
      family: findModel(response.model)?.family ?? null,
      requestId: response.requestId ?? null,
      usage: response.usage,
      costUsd: costOfUsage(response.model, response.usage) ?? null,
      agent: request.tags?.agent ?? null,
      planId: request.tags?.planId ?? null,
      taskId: request.tags?.taskId ?? null,
      ...(response.messageIds && response.messageIds.length > 0 ? { messageIds: [...response.messageIds] } : {}),
      ...extra,
    };
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(request);
  }
}
