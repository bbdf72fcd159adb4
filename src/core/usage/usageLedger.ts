import { z } from 'zod';
import type { ModelFamily } from '../../shared/models';
import { totalTokens, type TokenUsage } from '../../shared/usage';
import type { LlmClient, LlmRequest, LlmResponse } from '../llm/llmClient';
import { UsageSchema } from '../plan/planSchema';
import { costOfUsage } from './cost';

/** One provider call as billed: the account-wide ledger's line. */
export interface UsageRecord {
  readonly v: 1;
  readonly ts: string;
  /** Which workspace spent it, so per-project cost is exact while the window is account-wide. */
  readonly workspace: string;
  readonly provider: string;
  readonly model: string;
  readonly requestId: string | null;
  readonly usage: TokenUsage;
  /** null when the model has no known price. */
  readonly costUsd: number | null;
  /** Absent in records written before these fields existed. */
  readonly family?: ModelFamily | null;
  readonly agent?: string | null;
  readonly planId?: string | null;
  readonly taskId?: string | null;
}

export const UsageRecordSchema = z.object({
  v: z.literal(1),
  ts: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp'),
  workspace: z.string(),
  provider: z.string(),
  model: z.string(),
  requestId: z.string().nullable(),
  usage: UsageSchema,
  costUsd: z.number().nullable(),
  family: z.enum(['haiku', 'sonnet', 'opus', 'fable']).nullable().optional(),
  agent: z.string().nullable().optional(),
  planId: z.string().nullable().optional(),
  taskId: z.string().nullable().optional(),
});

export interface UsageLedger {
  append(record: UsageRecord): Promise<void>;
  readAll(): Promise<{ records: UsageRecord[]; skipped: number }>;
}

export const FIVE_HOURS_MS = 5 * 60 * 60 * 1000;

export interface UsageWindow {
  readonly start: Date;
  readonly end: Date;
  readonly tokens: number;
  readonly costUsd: number;
  readonly calls: number;
}

/**
 * The 5-hour window in force at `now`: windows open at the first call after the previous one
 * closed, floored to the hour (as Claude's session windows and ccusage's blocks are), and last
 * five hours. Undefined when no window is open — the meter then shows zero.
 */
export function currentWindow(records: readonly UsageRecord[], now: Date, windowMs = FIVE_HOURS_MS): UsageWindow | undefined {
  const sorted = records
    .map((r) => ({ r, t: Date.parse(r.ts) }))
    .filter((x) => x.t <= now.getTime())
    .sort((a, b) => a.t - b.t);
  let start = Number.NEGATIVE_INFINITY;
  let inWindow: UsageRecord[] = [];
  for (const { r, t } of sorted) {
    if (t >= start + windowMs) {
      start = Math.floor(t / 3_600_000) * 3_600_000;
      inWindow = [];
    }
    inWindow.push(r);
  }
  if (inWindow.length === 0 || now.getTime() >= start + windowMs) return undefined;
  return {
    start: new Date(start),
    end: new Date(start + windowMs),
    tokens: inWindow.reduce((n, r) => n + totalTokens(r.usage), 0),
    costUsd: inWindow.reduce((n, r) => n + (r.costUsd ?? 0), 0),
    calls: inWindow.length,
  };
}

/**
 * Wraps a client so every completed call lands in the ledger with the provider's own usage.
 * (The Resource Governor replaces this with reservation before and settlement after the call.)
 */
export class RecordingLlmClient implements LlmClient {
  constructor(
    private readonly inner: LlmClient,
    private readonly ledger: UsageLedger,
    private readonly context: { readonly workspace: string; readonly now: () => Date; readonly onRecorded?: (r: UsageRecord) => void },
  ) {}

  get provider(): string {
    return this.inner.provider;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const response = await this.inner.complete(request);
    const record: UsageRecord = {
      v: 1,
      ts: this.context.now().toISOString(),
      workspace: this.context.workspace,
      provider: this.inner.provider,
      model: response.model,
      requestId: response.requestId ?? null,
      usage: response.usage,
      costUsd: costOfUsage(response.model, response.usage) ?? null,
    };
    await this.ledger.append(record);
    this.context.onRecorded?.(record);
    return response;
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(request);
  }
}
