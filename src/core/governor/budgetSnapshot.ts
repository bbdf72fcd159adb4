import type { BudgetSnapshot, WindowSummary } from '../../shared/budget';
import { findModel, type ModelFamily } from '../../shared/models';
import { totalTokens } from '../../shared/usage';
import type { UsageRecord } from '../usage/usageLedger';
import { FIVE_HOURS_MS } from '../usage/usageLedger';
import type { GovernorView } from './governor';
import { observedCeiling } from './limitLearning';
import { inRange, monthStartAt } from './periods';
import { usageSources } from './usageSources';

const BURN_WINDOW_MS = 30 * 60_000;
const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
const FAMILIES: readonly ModelFamily[] = ['opus', 'sonnet', 'haiku', 'fable'];

/** The budget as every surface shows it, computed from one consistent view of the governor. */
export function buildBudgetSnapshot(view: GovernorView, provider: string): BudgetSnapshot {
  const { now, period, meter, records } = view;
  const units = (r: UsageRecord) => meter.unitsOf(r.model, r.usage);
  const inPeriod = records.filter((r) => inRange(r, period.start, period.end)).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));

  const byFamily = Object.fromEntries(FAMILIES.map((f) => [f, { units: 0, tokens: 0, costUsd: 0, calls: 0 }])) as Record<ModelFamily, { units: number; tokens: number; costUsd: number; calls: number }>;
  for (const r of inPeriod) {
    const family = r.family ?? findModel(r.model)?.family;
    if (!family) continue;
    const f = byFamily[family];
    f.units += units(r);
    f.tokens += totalTokens(r.usage);
    f.costUsd += r.costUsd ?? 0;
    f.calls += 1;
  }

  const burnFrom = Math.max(period.start, now - BURN_WINDOW_MS);
  const burnMinutes = Math.max(1, (now - burnFrom) / 60_000);
  const burned = inPeriod.filter((r) => Date.parse(r.ts) >= burnFrom).reduce((n, r) => n + units(r), 0);
  const burnRatePerMin = burned / burnMinutes;
  const minutesLeft = Math.max(0, (period.end - now) / 60_000);
  const projectedAtEnd = view.used + burnRatePerMin * minutesLeft;
  const toCap = view.cap.units - view.used - view.reserved;
  const capReachedMs = burnRatePerMin > 0 ? now + (Math.max(0, toCap) / burnRatePerMin) * 60_000 : Number.POSITIVE_INFINITY;

  let cumulative = 0;
  const history = inPeriod.map((r) => ({ t: r.ts, used: (cumulative += units(r)) }));

  const weekly = records.filter((r) => inRange(r, now - WEEK_MS, now + 1));
  const perProject = new Map<string, { units: number; costUsd: number }>();
  for (const r of inPeriod) {
    const p = perProject.get(r.workspace) ?? { units: 0, costUsd: 0 };
    p.units += units(r);
    p.costUsd += r.costUsd ?? 0;
    perProject.set(r.workspace, p);
  }

  return {
    plan: view.config.plan,
    unit: meter.unit,
    state: view.state,
    provider,
    period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString(), active: period.active },
    used: view.used,
    reserved: view.reserved,
    cap: view.cap.units,
    capSource: view.cap.source,
    throttleAt: view.config.throttleAt,
    byFamily,
    burnRatePerMin,
    projectedAtEnd,
    capReachedAt: capReachedMs < period.end ? new Date(capReachedMs).toISOString() : null,
    observedCeiling: observedCeiling(view.observations),
    weekly: {
      units: weekly.reduce((n, r) => n + units(r), 0),
      tokens: weekly.reduce((n, r) => n + totalTokens(r.usage), 0),
      costUsd: weekly.reduce((n, r) => n + (r.costUsd ?? 0), 0),
    },
    month: view.config.plan === 'api'
      ? { costUsd: records.filter((r) => inRange(r, monthStartAt(now), now + 1)).reduce((n, r) => n + (r.costUsd ?? 0), 0), budgetUsd: view.config.monthlyUsd }
      : null,
    perProject: [...perProject.entries()].map(([workspace, p]) => ({ workspace, ...p })).sort((a, b) => b.costUsd - a.costUsd),
    sources: usageSources(view, inPeriod, units),
    history,
    recentWindows: recentWindows(records, now, units, new Set(view.observations.map((o) => o.windowStart))),
    inFlight: view.inFlight,
    waiting: view.waiting,
    now: new Date(now).toISOString(),
  };
}

/** The last few closed or open 5-hour windows, newest first. */
function recentWindows(records: readonly UsageRecord[], now: number, units: (r: UsageRecord) => number, limited: ReadonlySet<string>, count = 6): WindowSummary[] {
  const sorted = records.filter((r) => Date.parse(r.ts) <= now).sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const windows: Array<{ start: number; rs: UsageRecord[] }> = [];
  for (const r of sorted) {
    const t = Date.parse(r.ts);
    const last = windows[windows.length - 1];
    if (last && t < last.start + FIVE_HOURS_MS) last.rs.push(r);
    else windows.push({ start: Math.floor(t / HOUR_MS) * HOUR_MS, rs: [r] });
  }
  return windows.slice(-count).reverse().map((w) => {
    const start = new Date(w.start).toISOString();
    return {
      start,
      end: new Date(w.start + FIVE_HOURS_MS).toISOString(),
      units: w.rs.reduce((n, r) => n + units(r), 0),
      tokens: w.rs.reduce((n, r) => n + totalTokens(r.usage), 0),
      costUsd: w.rs.reduce((n, r) => n + (r.costUsd ?? 0), 0),
      calls: w.rs.length,
      hitLimit: limited.has(start),
    };
  });
}
