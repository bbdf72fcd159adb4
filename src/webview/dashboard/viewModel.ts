/**
 * Snapshot → everything the dashboard shows: each KPI's value, whether its target is met, and
 * the text (visible and for assistive technology) for every number. DOM-free, so node tests it.
 */
import {
  DASHBOARD_CACHE_LEVELS,
  type DashboardCacheLevel,
  type DashboardKpi,
  type DashboardPanelStrings,
  type DashboardSnapshot,
} from '../../shared/protocol/dashboardPanel';
import { type ClockOptions, fill, formatClock, formatInteger, formatPercent, formatTokens, formatUsd } from '../budget/format';
import { localeDecimal, localeInteger } from '../../shared/numberFormat';
import { pageLocale } from '../common/pageLocale';

/** The design's targets. */
export const TARGETS = {
  /** Share of the 5-hour window's cap in use. */
  windowUseBelow: 0.9,
  /** Mean seconds per task. */
  latencyBelowSeconds: 30,
  /** Hits over lookups in the L2 and L3 caches together. */
  cacheHitAbove: 0.4,
  /** Opus share of the window's tokens. */
  opusShareBelow: 0.5,
} as const;

/** `data-met`: unknown when there is nothing to judge yet, or the panel has no target. */
export type KpiMet = 'true' | 'false' | 'unknown';

export interface KpiHeader {
  readonly kpi: DashboardKpi;
  readonly title: string;
  /** The number written to `data-value`: percent for the shares, seconds, dollars. */
  readonly value: number;
  readonly met: KpiMet;
  readonly valueText: string;
  readonly targetText: string;
  readonly metText: string;
  /** One sentence with every number of the panel, for screen readers and the SVG's title. */
  readonly summary: string;
}

export interface Row {
  readonly label: string;
  readonly cells: readonly string[];
  /** 0..1, for the row's bar. */
  readonly fraction: number;
  readonly met: KpiMet;
}

export interface DashboardView {
  readonly updatedText: string;
  readonly window: KpiHeader & { readonly fraction: number; readonly stateText: string | null };
  readonly cost: KpiHeader & { readonly rows: readonly Row[]; readonly projectionText: string };
  readonly latency: KpiHeader & { readonly rows: readonly Row[] };
  readonly cache: KpiHeader & { readonly rows: readonly Row[]; readonly empty: boolean };
  readonly opus: KpiHeader & { readonly shares: { readonly opus: number; readonly sonnet: number; readonly other: number } };
  readonly agents: KpiHeader & { readonly rows: readonly Row[] };
}

const metOf = (known: boolean, ok: boolean): KpiMet => (!known ? 'unknown' : ok ? 'true' : 'false');
const safe = (n: number): number => (Number.isFinite(n) ? n : 0);
const clamp01 = (n: number): number => Math.min(1, Math.max(0, safe(n)));

type DurationStrings = Pick<DashboardPanelStrings, 'seconds' | 'minutesSeconds'>;

/** 0.42 → "0.4 s", 12.3 → "12 s", 75 → "1 min 15 s", with the units from the host's strings. */
export function formatSeconds(s: number, strings: DurationStrings, locale = pageLocale()): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 10) return fill(strings.seconds, localeDecimal(s, 1, locale));
  if (s < 59.5) return fill(strings.seconds, localeInteger(s, locale));
  const total = Math.round(s);
  return fill(strings.minutesSeconds, localeInteger(Math.floor(total / 60), locale), localeInteger(total % 60, locale));
}

/** The agent's name in the UI language; its key for an agent the host has no name for. */
function agentName(strings: DashboardPanelStrings, agent: string): string {
  return (strings.agents as Readonly<Record<string, string>> | undefined)?.[agent] || agent;
}

function header(
  strings: DashboardPanelStrings,
  kpi: DashboardKpi,
  value: number,
  met: KpiMet,
  valueText: string,
  target: string | null,
  summary: string,
): KpiHeader {
  const metText = target === null ? strings.noTarget : met === 'true' ? strings.met : met === 'false' ? strings.notMet : strings.unknown;
  return {
    kpi,
    title: strings.kpiTitles[kpi],
    value: safe(value),
    met,
    valueText,
    targetText: target === null ? strings.noTarget : fill(strings.target, target),
    metText,
    summary: `${strings.kpiTitles[kpi]}: ${summary}. ${target === null ? strings.noTarget : `${fill(strings.target, target)}: ${metText}`}.`,
  };
}

function windowKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['window'] {
  const t = s.metrics.token_usage;
  const ratio = safe(t.window_used_ratio);
  const known = t.governor_state !== null;
  const summary = fill(strings.windowSummary, formatTokens(t.total_5h_window), formatPercent(ratio));
  return {
    ...header(strings, 'window', 100 * ratio, metOf(known, ratio < TARGETS.windowUseBelow), formatPercent(ratio), `< ${formatPercent(TARGETS.windowUseBelow)}`, summary),
    fraction: clamp01(ratio),
    stateText: t.governor_state === null ? null : strings.governorStates[t.governor_state],
  };
}

function costKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['cost'] {
  const c = s.metrics.cost;
  const max = Math.max(0, ...c.per_project.map((p) => safe(p.cost_usd)));
  const rows = c.per_project.map((p) => ({
    label: p.project,
    cells: [formatUsd(p.cost_usd)],
    fraction: max > 0 ? clamp01(p.cost_usd / max) : 0,
    met: 'unknown' as const,
  }));
  const summary = fill(strings.costSummary, formatUsd(c.current_project), formatUsd(c.projected_monthly));
  return {
    ...header(strings, 'cost', c.current_project, 'unknown', formatUsd(c.current_project), null, summary),
    rows,
    projectionText: fill(strings.projectionNote, formatUsd(c.projection.daily_rate), formatInteger(Math.ceil(c.projection.trend_days))),
  };
}

function latencyKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['latency'] {
  const p = s.metrics.performance;
  const avg = p.avg_task_latency;
  const entries = Object.entries(p.avg_task_latency_by_agent).sort(([a], [b]) => a.localeCompare(b));
  const max = Math.max(TARGETS.latencyBelowSeconds, ...entries.map(([, v]) => safe(v)));
  const rows = entries.map(([agent, secs]) => ({
    label: agentName(strings, agent),
    cells: [formatSeconds(secs, strings)],
    fraction: clamp01(secs / max),
    met: metOf(true, secs < TARGETS.latencyBelowSeconds),
  }));
  const valueText = avg === null ? '–' : formatSeconds(avg, strings);
  const summary = avg === null ? strings.noTasks : fill(strings.latencySummary, valueText);
  return {
    ...header(strings, 'latency', avg ?? 0, metOf(avg !== null, (avg ?? 0) < TARGETS.latencyBelowSeconds), valueText, formatSeconds(TARGETS.latencyBelowSeconds, strings), summary),
    rows,
  };
}

function cacheKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['cache'] {
  const lookups = (l: DashboardCacheLevel) => {
    const c = s.cacheLookups[l];
    return { hits: safe(c.hits), total: safe(c.hits) + safe(c.misses) };
  };
  const rows = DASHBOARD_CACHE_LEVELS.map((l) => {
    const { hits, total } = lookups(l);
    return {
      label: l.toUpperCase(),
      cells: [total > 0 ? formatPercent(hits / total) : '–', formatInteger(total)],
      fraction: total > 0 ? clamp01(hits / total) : 0,
      met: 'unknown' as const,
    };
  });
  const l2 = lookups('l2');
  const l3 = lookups('l3');
  const total = l2.total + l3.total;
  const rate = total > 0 ? (l2.hits + l3.hits) / total : 0;
  const anyLookup = total > 0 || lookups('l1').total > 0;
  const valueText = total > 0 ? formatPercent(rate) : '–';
  const summary = total > 0 ? fill(strings.cacheSummary, valueText, formatInteger(total)) : anyLookup ? strings.noL2L3 : strings.noCache;
  return {
    ...header(strings, 'cache', 100 * rate, metOf(total > 0, rate > TARGETS.cacheHitAbove), valueText, `> ${formatPercent(TARGETS.cacheHitAbove)}`, summary),
    rows,
    empty: !anyLookup,
  };
}

function opusKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['opus'] {
  const t = s.metrics.token_usage;
  const known = t.total_5h_window > 0;
  const opus = known ? clamp01(t.opus_pct / 100) : 0;
  const sonnet = known ? Math.min(1 - opus, clamp01(t.sonnet_pct / 100)) : 0;
  const other = known ? Math.max(0, 1 - opus - sonnet) : 0;
  const summary = known ? fill(strings.opusSummary, formatPercent(opus), formatPercent(sonnet), formatPercent(other)) : strings.noTokens;
  return {
    ...header(strings, 'opus', 100 * opus, metOf(known, opus < TARGETS.opusShareBelow), known ? formatPercent(opus) : '–', `< ${formatPercent(TARGETS.opusShareBelow)}`, summary),
    shares: { opus, sonnet, other },
  };
}

function agentsKpi(s: DashboardSnapshot, strings: DashboardPanelStrings): DashboardView['agents'] {
  const entries = Object.entries(s.metrics.agent_metrics.tasks).sort(([a], [b]) => a.localeCompare(b));
  let success = 0;
  let ran = 0;
  const rows = entries.map(([agent, t]) => {
    const n = safe(t.success) + safe(t.failure);
    success += safe(t.success);
    ran += n;
    return {
      label: agentName(strings, agent),
      cells: [formatInteger(t.success), formatInteger(t.failure), formatInteger(t.skipped), n > 0 ? formatPercent(t.success / n) : '–'],
      fraction: n > 0 ? clamp01(t.success / n) : 0,
      met: 'unknown' as const,
    };
  });
  const rate = ran > 0 ? success / ran : 0;
  const valueText = ran > 0 ? formatPercent(rate) : '–';
  const summary = ran > 0 ? fill(strings.agentsSummary, valueText, formatInteger(ran)) : strings.noTasks;
  return { ...header(strings, 'agents', 100 * rate, 'unknown', valueText, null, summary), rows };
}

export function buildDashboardView(s: DashboardSnapshot, strings: DashboardPanelStrings, clock: ClockOptions): DashboardView {
  return {
    updatedText: fill(strings.updatedAt, formatClock(s.metrics.generated_at, clock)),
    window: windowKpi(s, strings),
    cost: costKpi(s, strings),
    latency: latencyKpi(s, strings),
    cache: cacheKpi(s, strings),
    opus: opusKpi(s, strings),
    agents: agentsKpi(s, strings),
  };
}
