import { findModel } from '../../shared/models';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../shared/usage';
import { FIVE_HOURS_MS, type UsageRecord } from './usageLedger';

/** A closed 5-hour window, summarised: what old ledger records are compacted into. */
export interface WindowSummaryRecord {
  readonly v: 1;
  readonly kind: 'window';
  readonly start: string;
  readonly end: string;
  readonly calls: number;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly byModel: Readonly<Record<string, { readonly calls: number; readonly usage: TokenUsage; readonly costUsd: number }>>;
  readonly byWorkspace: Readonly<Record<string, { readonly calls: number; readonly costUsd: number }>>;
  readonly byFamily: Readonly<Record<string, number>>;
}

const HOUR_MS = 3_600_000;

/** Groups records into their 5-hour windows (same rule as the governor's) and summarises each. */
export function summarizeWindows(records: readonly UsageRecord[]): WindowSummaryRecord[] {
  const sorted = [...records].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const groups: Array<{ start: number; records: UsageRecord[] }> = [];
  for (const r of sorted) {
    const t = Date.parse(r.ts);
    const last = groups[groups.length - 1];
    if (last && t < last.start + FIVE_HOURS_MS) last.records.push(r);
    else groups.push({ start: Math.floor(t / HOUR_MS) * HOUR_MS, records: [r] });
  }
  return groups.map(({ start, records: rs }) => {
    const byModel: Record<string, { calls: number; usage: TokenUsage; costUsd: number }> = {};
    const byWorkspace: Record<string, { calls: number; costUsd: number }> = {};
    const byFamily: Record<string, number> = {};
    let usage = ZERO_USAGE;
    let costUsd = 0;
    for (const r of rs) {
      usage = addUsage(usage, r.usage);
      costUsd += r.costUsd ?? 0;
      const m = (byModel[r.model] ??= { calls: 0, usage: ZERO_USAGE, costUsd: 0 });
      m.calls++;
      m.usage = addUsage(m.usage, r.usage);
      m.costUsd += r.costUsd ?? 0;
      const w = (byWorkspace[r.workspace] ??= { calls: 0, costUsd: 0 });
      w.calls++;
      w.costUsd += r.costUsd ?? 0;
      const family = r.family ?? findModel(r.model)?.family ?? 'unknown';
      byFamily[family] = (byFamily[family] ?? 0) + 1;
    }
    return {
      v: 1, kind: 'window', start: new Date(start).toISOString(), end: new Date(start + FIVE_HOURS_MS).toISOString(),
      calls: rs.length, usage, costUsd, byModel, byWorkspace, byFamily,
    };
  });
}
