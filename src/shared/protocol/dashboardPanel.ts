/**
 * The dashboard panel's messages. The host owns the numbers: the page asks with `ready` and gets
 * a full snapshot back, and the host sends a new one whenever the metrics change.
 */

export const DASHBOARD_CACHE_LEVELS = ['l1', 'l2', 'l3'] as const;
export type DashboardCacheLevel = (typeof DASHBOARD_CACHE_LEVELS)[number];

/** The six KPI panels, in page order; also the `data-kpi` values the end-to-end tests read. */
export const DASHBOARD_KPIS = ['window', 'cost', 'latency', 'cache', 'opus', 'agents'] as const;
export type DashboardKpi = (typeof DASHBOARD_KPIS)[number];

/**
 * The parts of the seed's `/api/v1/helios/metrics` JSON the page shows (`HeliosMetricsJson` is
 * assignable to it), so the panel and the endpoint can never disagree.
 */
export interface DashboardMetrics {
  readonly token_usage: {
    readonly total_5h_window: number;
    readonly opus_pct: number;
    readonly sonnet_pct: number;
    readonly window_used_ratio: number;
    readonly governor_state: 'ok' | 'throttled' | 'paused' | null;
  };
  readonly cost: {
    readonly current_project: number;
    readonly projected_monthly: number;
    readonly projection: { readonly daily_rate: number; readonly trend_days: number; readonly days_left: number };
    readonly per_project: ReadonlyArray<{ readonly project: string; readonly cost_usd: number }>;
  };
  readonly performance: {
    readonly avg_task_latency: number | null;
    readonly avg_task_latency_by_agent: Readonly<Record<string, number>>;
  };
  readonly agent_metrics: {
    readonly tasks: Readonly<Record<string, { readonly success: number; readonly failure: number; readonly skipped: number }>>;
  };
  readonly generated_at: string;
}

export interface DashboardSnapshot {
  readonly metrics: DashboardMetrics;
  /** Raw lookups per cache level: the JSON's rate is 0 both for "all misses" and "no cache yet". */
  readonly cacheLookups: Readonly<Record<DashboardCacheLevel, { readonly hits: number; readonly misses: number }>>;
}

/** UI text in the editor's language; `{0}`… are filled by the page. */
export interface DashboardPanelStrings {
  readonly title: string;
  readonly unavailable: string;
  readonly updatedAt: string;
  readonly kpiTitles: Readonly<Record<DashboardKpi, string>>;
  /** `{0}` is the target, e.g. "< 90%". */
  readonly target: string;
  readonly noTarget: string;
  readonly met: string;
  readonly notMet: string;
  readonly unknown: string;
  /** `{0}` tokens, `{1}` percent of the window's cap. */
  readonly windowSummary: string;
  readonly governorStates: Readonly<Record<'ok' | 'throttled' | 'paused', string>>;
  /** `{0}` month to date, `{1}` projected for the month. */
  readonly costSummary: string;
  /** `{0}` dollars per day, `{1}` days of trend. */
  readonly projectionNote: string;
  readonly colProject: string;
  readonly colCost: string;
  readonly noCost: string;
  /** `{0}` average seconds over every task. */
  readonly latencySummary: string;
  readonly colAgent: string;
  readonly colLatency: string;
  readonly noTasks: string;
  /** `{0}` L2+L3 hit rate, `{1}` lookups. */
  readonly cacheSummary: string;
  readonly noCache: string;
  /** Only L1 has been looked up, so the L2+L3 target cannot be judged yet. */
  readonly noL2L3: string;
  readonly colLayer: string;
  readonly colHitRate: string;
  readonly colLookups: string;
  /** `{0}` Opus share, `{1}` Sonnet share, `{2}` the rest. */
  readonly opusSummary: string;
  readonly families: { readonly opus: string; readonly sonnet: string; readonly other: string };
  readonly noTokens: string;
  /** `{0}` overall success rate, `{1}` tasks that ran. */
  readonly agentsSummary: string;
  readonly colSuccess: string;
  readonly colFailure: string;
  readonly colSkipped: string;
  readonly colRate: string;
  /** Agent names for the table rows ("architect", "coder", …); an agent not listed shows its key. */
  readonly agents: Readonly<Record<string, string>>;
  /** Durations: `{0}` seconds ("12 s"); `{0}` minutes and `{1}` seconds ("1 min 15 s"). */
  readonly seconds: string;
  readonly minutesSeconds: string;
}

export type HostToDashboardPanel = {
  readonly type: 'snapshot';
  /** null when the host could not read the metrics; the page says so. */
  readonly snapshot: DashboardSnapshot | null;
  readonly strings: DashboardPanelStrings;
};

export type DashboardPanelToHost = { readonly type: 'ready' };
