import { z } from 'zod';
import type { ModelFamily } from '../../shared/models';
import type { TokenUsage } from '../../shared/usage';
import { UsageSchema } from '../plan/planSchema';

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
  /** Message ids of the call (`msg_…`), when the provider reported them. */
  readonly messageIds?: readonly string[];
  /**
   * The call's process could not be stopped, so what it spent is unknown: `usage` is the call's
   * reservation (its input and its whole output budget), kept charged rather than dropped.
   */
  readonly usageUnknown?: boolean;
  /**
   * Who spent it, stamped by the account board on settling (absent before the board existed):
   * the holder id of the process, its label ("VS Code: app", "helios run app") and kind, and the
   * team member in team mode. The meter splits the account's usage by these.
   */
  readonly holder?: string;
  readonly origin?: string;
  readonly originKind?: OriginKind;
  readonly member?: string;
}

/** What kind of process spent a record: a VS Code window, `helios run`, a benchmark worker. */
export type OriginKind = 'vscode' | 'cli' | 'bench';

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
  messageIds: z.array(z.string()).readonly().optional(),
  usageUnknown: z.boolean().optional(),
  holder: z.string().optional(),
  origin: z.string().optional(),
  originKind: z.enum(['vscode', 'cli', 'bench']).optional(),
  member: z.string().optional(),
});

export interface UsageLedger {
  append(record: UsageRecord): Promise<void>;
  readAll(): Promise<{ records: UsageRecord[]; skipped: number }>;
}

export const FIVE_HOURS_MS = 5 * 60 * 60 * 1000;
