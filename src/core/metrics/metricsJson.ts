import type { BudgetSnapshot } from '../../shared/budget';
import type { UsageRecord } from '../usage/usageLedger';
import { CACHE_LEVELS, projectName } from './labels';
import type { MetricsTally } from './metricsTally';

const DAY_MS = 86_400_000;
/** The trend the monthly projection extrapolates: the trailing week's daily spend. */
export const PROJECTION_TREND_DAYS = 7;

export interface MonthlyProjection {
  /** Spend this UTC calendar month so far. */
  readonly month_to_date: number;
  /** Mean spend per day over the trend window (the trailing 7 days, or since the first record if younger). */
  readonly daily_rate: number;
  /** Days the trend window actually covered (≥ 1). */
  readonly trend_days: number;
  readonly days_left: number;
  /** month_to_date + daily_rate × days_left. */
  readonly projected: number;
}

/** The seed's `/api/v1/helios/metrics` shape, with a few additions beside each seed field. */
export interface HeliosMetricsJson {
  readonly token_usage: {
    /** All tokens (input, output, cache read and write) in the current 5-hour window. */
    readonly total_5h_window: number;
    /** Opus and Sonnet shares of the window's tokens, 0–100. */
    readonly opus_pct: number;
    readonly sonnet_pct: number;
    readonly window_used_ratio: number;
    readonly governor_state: BudgetSnapshot['state'] | null;
  };
  readonly cost: {
    /** This project's spend this UTC month. */
    readonly current_project: number;
    /** This project's projected spend for the whole UTC month. */
    readonly projected_monthly: number;
    readonly projection: MonthlyProjection;
    readonly per_project: ReadonlyArray<{ readonly project: string; readonly cost_usd: number }>;
  };
  readonly performance: {
    /** Mean seconds over every task that ran; null before any has. */
    readonly avg_task_latency: number | null;
    readonly avg_task_latency_by_agent: Readonly<Record<string, number>>;
    /** hits / (hits + misses) per cache level; 0 until a cache exists. */
    readonly cache_hit_rate: Readonly<Record<string, number>>;
  };
  readonly agent_metrics: {
    /** success / (success + failure) per agent; skipped tasks are not counted. */
    readonly success_rate: Readonly<Record<string, number>>;
    readonly tasks: Readonly<Record<string, { readonly success: number; readonly failure: number; readonly skipped: number }>>;
  };
  readonly generated_at: string;
}

/**
 * Projects a month's spend from the ledger's trend: month-to-date spend plus the trailing week's
 * mean daily spend times the days left in the UTC month. A ledger younger than a week averages
 * over its own age (at least one day), so a first busy hour is not read as a whole day's rate.
 */
export function projectMonthly(records: readonly UsageRecord[], now: number): MonthlyProjection {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const trendFrom = now - PROJECTION_TREND_DAYS * DAY_MS;
  let monthToDate = 0;
  let trendSpend = 0;
  let first = Number.POSITIVE_INFINITY;
  for (const r of records) {
    const t = Date.parse(r.ts);
    if (t > now) continue;
    const cost = r.costUsd ?? 0;
    if (t >= monthStart) monthToDate += cost;
    if (t >= trendFrom) {
      trendSpend += cost;
      first = Math.min(first, t);
    }
  }
  const trendDays = Number.isFinite(first) ? Math.max(1, (now - first) / DAY_MS) : PROJECTION_TREND_DAYS;
  const dailyRate = trendSpend / trendDays;
  const daysLeft = Math.max(0, (monthEnd - now) / DAY_MS);
  return { month_to_date: monthToDate, daily_rate: dailyRate, trend_days: trendDays, days_left: daysLeft, projected: monthToDate + dailyRate * daysLeft };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

export function buildMetricsJson(input: {
  readonly tally: MetricsTally;
  /** The ledger's records (e.g. `governor.view().records`). */
  readonly records: readonly UsageRecord[];
  /** The current project's workspace, as `UsageRecord.workspace` spells it. */
  readonly workspace: string;
  readonly now: number;
}): HeliosMetricsJson {
  const { tally, records, workspace, now } = input;
  const budget = tally.budget;
  const view = tally.view();
  const fam = budget?.byFamily;
  const windowTokens = fam ? fam.opus.tokens + fam.sonnet.tokens + fam.haiku.tokens + fam.fable.tokens : 0;

  const mine = records.filter((r) => r.workspace === workspace);
  const projection = projectMonthly(mine, now);
  const perProject = new Map<string, number>();
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  for (const r of records) {
    const t = Date.parse(r.ts);
    if (t < monthStart || t > now) continue;
    const name = projectName(r.workspace);
    perProject.set(name, (perProject.get(name) ?? 0) + (r.costUsd ?? 0));
  }

  const latencyByAgent: Record<string, number> = {};
  const successRate: Record<string, number> = {};
  const tasks: Record<string, { success: number; failure: number; skipped: number }> = {};
  let ran = 0;
  let seconds = 0;
  for (const [agent, a] of view.agents) {
    const n = a.success + a.failure;
    ran += n;
    seconds += a.seconds;
    if (n > 0) {
      latencyByAgent[agent] = a.seconds / n;
      successRate[agent] = a.success / n;
    }
    tasks[agent] = { success: a.success, failure: a.failure, skipped: a.skipped };
  }

  return {
    token_usage: {
      total_5h_window: windowTokens,
      opus_pct: fam ? 100 * ratio(fam.opus.tokens, windowTokens) : 0,
      sonnet_pct: fam ? 100 * ratio(fam.sonnet.tokens, windowTokens) : 0,
      window_used_ratio: budget ? ratio(budget.used, budget.cap) : 0,
      governor_state: budget?.state ?? null,
    },
    cost: {
      current_project: projection.month_to_date,
      projected_monthly: projection.projected,
      projection,
      per_project: [...perProject.entries()].map(([project, cost]) => ({ project, cost_usd: cost })).sort((a, b) => b.cost_usd - a.cost_usd),
    },
    performance: {
      avg_task_latency: ran > 0 ? seconds / ran : null,
      avg_task_latency_by_agent: latencyByAgent,
      cache_hit_rate: Object.fromEntries(CACHE_LEVELS.map((l) => {
        const c = view.cache.get(l)!;
        return [l, ratio(c.hits, c.hits + c.misses)];
      })),
    },
    agent_metrics: { success_rate: successRate, tasks },
    generated_at: new Date(now).toISOString(),
  };
}
