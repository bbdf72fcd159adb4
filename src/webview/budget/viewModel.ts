/**
 * Snapshot → everything the page shows, as text and plain numbers. DOM-free, so node tests the
 * whole panel's content; the renderers only place it.
 */
import type { BudgetSnapshot, BudgetUnit, FamilyUsage, GovernorState } from '../../shared/budget';
import type { ModelFamily } from '../../shared/models';
import type { BudgetPanelCommand, BudgetPanelStrings } from '../../shared/protocol/budgetPanel';
import type { HistoryInput } from './chartMath';
import {
  type ClockOptions,
  fill,
  folderName,
  formatClock,
  formatDay,
  formatDuration,
  formatInteger,
  formatPercent,
  formatRange,
  formatTokens,
  formatUnits,
  formatUsd,
} from './format';
import { buildSourceRows, type SourceRow } from './sourcesView';

/** The order families are stacked and listed in: the expensive ones first. */
export const FAMILY_ORDER: readonly ModelFamily[] = ['fable', 'opus', 'sonnet', 'haiku'];

export interface UsageRow {
  readonly label: string;
  readonly units: number;
  readonly share: number;
  readonly unitsText: string;
  readonly tokensText: string;
  readonly costText: string;
  readonly callsText: string;
  readonly shareText: string;
}

export interface FamilyRow extends UsageRow {
  readonly family: ModelFamily;
}

export interface ProjectRow {
  readonly name: string;
  readonly uri: string;
  readonly unitsText: string;
  readonly costText: string;
  readonly share: number;
  readonly shareText: string;
}

export interface WindowRow {
  readonly range: string;
  readonly unitsText: string;
  readonly tokensText: string;
  readonly costText: string;
  readonly callsText: string;
  readonly hitLimit: boolean;
}

export interface BudgetView {
  readonly state: GovernorState;
  readonly stateLabel: string;
  readonly stateDetail: string;
  readonly plan: BudgetSnapshot['plan'];
  readonly unit: BudgetUnit;
  /** Plan, provider and unit, for the header line. */
  readonly headerParts: readonly string[];
  /** "5-hour window · 09:00–14:00", or that there is none. */
  readonly periodText: string;
  readonly resetsInText: string | null;
  readonly resetsAtText: string | null;
  readonly queueText: string;
  readonly gauge: {
    readonly used: number;
    readonly reserved: number;
    readonly cap: number;
    readonly throttleAt: number;
    readonly percentText: string;
    readonly usedText: string;
    readonly reservedText: string;
    readonly capText: string;
    readonly capSourceText: string;
    readonly throttleText: string;
    /** "80% · 70.4k": the threshold as a share and as an amount. */
    readonly thresholdValueText: string;
    /** The whole gauge in one sentence, for screen readers. */
    readonly summary: string;
  };
  readonly families: { readonly rows: readonly FamilyRow[]; readonly total: UsageRow; readonly summary: string };
  readonly history: HistoryInput & {
    readonly burnRateText: string;
    readonly projectedText: string;
    /** "cap reached at 14:32 at this rate", "within budget at this rate", or that the cap is reached. */
    readonly outlookText: string;
    /** The cap is reached already or will be within the period: the outlook is a warning. */
    readonly capWillBeReached: boolean;
    readonly summary: string;
  };
  /** Who is spending: this window, other windows, the CLI, teammates. */
  readonly sources: readonly SourceRow[];
  readonly projects: readonly ProjectRow[];
  readonly windows: readonly WindowRow[];
  readonly weeklyText: string;
  readonly month: { readonly text: string; readonly fraction: number } | null;
  /** Pause while running; Resume while paused. */
  readonly toggleCommand: Extract<BudgetPanelCommand, 'pause' | 'resume'>;
}

export interface ViewOptions extends ClockOptions {
  /**
   * The page's clock, for the countdown between snapshots; the snapshot's `now` when omitted.
   * Only the countdown uses it, so the chart and the text always agree with the data.
   */
  readonly now?: number;
}

const EMPTY_FAMILY: FamilyUsage = { units: 0, tokens: 0, costUsd: 0, calls: 0 };

function ms(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** Guarded because the strings cross an untyped boundary: a missing entry shows its key. */
function pick<K extends string>(table: Readonly<Record<K, string>> | undefined, key: K): string {
  return table?.[key] || key;
}

function capSourceText(s: BudgetSnapshot, strings: BudgetPanelStrings): string {
  const template = pick(strings.capSources, s.capSource);
  if (s.capSource !== 'observed' || !s.observedCeiling) return fill(template, formatUnits(s.cap, s.unit), '?');
  return fill(template, formatUnits(s.observedCeiling.value, s.unit), formatInteger(s.observedCeiling.windows));
}

function familyRows(s: BudgetSnapshot, strings: BudgetPanelStrings): { rows: FamilyRow[]; total: UsageRow } {
  const usage = FAMILY_ORDER.map((family) => ({ family, u: s.byFamily[family] ?? EMPTY_FAMILY }));
  const sum = usage.reduce(
    (acc, { u }) => ({ units: acc.units + u.units, tokens: acc.tokens + u.tokens, costUsd: acc.costUsd + u.costUsd, calls: acc.calls + u.calls }),
    EMPTY_FAMILY,
  );
  const row = (label: string, u: FamilyUsage): UsageRow => {
    const share = sum.units > 0 ? u.units / sum.units : 0;
    return {
      label,
      units: u.units,
      share,
      unitsText: formatUnits(u.units, s.unit),
      tokensText: formatTokens(u.tokens),
      costText: formatUsd(u.costUsd),
      callsText: formatInteger(u.calls),
      shareText: formatPercent(share),
    };
  };
  return {
    rows: usage.map(({ family, u }) => ({ family, ...row(pick(strings.families, family), u) })),
    total: row(strings.total, sum),
  };
}

export function buildBudgetView(s: BudgetSnapshot, strings: BudgetPanelStrings, opts: ViewOptions): BudgetView {
  const u = (n: number): string => formatUnits(n, s.unit);
  const clock = (iso: string): string => formatClock(iso, opts);
  const snapshotNow = ms(s.now) ?? Date.now();
  const start = ms(s.period.start) ?? snapshotNow;
  const end = ms(s.period.end) ?? snapshotNow;
  const pageNow = opts.now ?? snapshotNow;
  const percent = formatPercent(s.cap > 0 ? (s.used + s.reserved) / s.cap : 0);

  // A calendar day is named by its date; a 5-hour window by its clock times.
  const periodName = s.plan === 'api' ? strings.periodDay : strings.periodWindow;
  const periodSpan = s.plan === 'api' ? formatDay(s.period.start, opts) : formatRange(s.period.start, s.period.end, s.now, opts);
  const periodText = `${periodName} · ${s.period.active ? periodSpan : strings.noActivePeriod}`;
  const resetsAt = s.period.active ? clock(s.period.end) : null;

  const { rows, total } = familyRows(s, strings);
  const capReachedAt = ms(s.capReachedAt);
  const capWillBeReached = s.period.active && capReachedAt !== null && capReachedAt <= end;

  const projectTotal = s.perProject.reduce((a, p) => a + p.costUsd, 0);
  const projects = [...s.perProject]
    .sort((a, b) => b.costUsd - a.costUsd || b.units - a.units)
    .map((p) => {
      const share = projectTotal > 0 ? p.costUsd / projectTotal : 0;
      return { name: folderName(p.workspace), uri: p.workspace, unitsText: u(p.units), costText: formatUsd(p.costUsd), share, shareText: formatPercent(share) };
    });

  const windows = [...s.recentWindows]
    .sort((a, b) => Date.parse(b.start) - Date.parse(a.start))
    .map((w) => ({
      range: formatRange(w.start, w.end, s.now, opts),
      unitsText: u(w.units),
      tokensText: formatTokens(w.tokens),
      costText: formatUsd(w.costUsd),
      callsText: formatInteger(w.calls),
      hitLimit: w.hitLimit,
    }));

  const atCap = s.cap > 0 && s.used + s.reserved >= s.cap;
  const outlookText = atCap
    ? strings.capReachedNow
    : capWillBeReached && s.capReachedAt !== null
      ? fill(strings.capReachedAt, clock(s.capReachedAt))
      : strings.withinBudget;
  const burnRateText = fill(strings.burnRate, u(s.burnRatePerMin));
  const projectedText = fill(strings.projected, u(s.projectedAtEnd));

  return {
    state: s.state,
    stateLabel: pick(strings.states, s.state),
    stateDetail: fill(pick(strings.stateDetails, s.state), resetsAt ?? '–'),
    plan: s.plan,
    unit: s.unit,
    headerParts: [pick(strings.plans, s.plan), pick(strings.providers as Readonly<Record<string, string>> | undefined, s.provider), s.unit === 'usd' ? strings.unitUsd : strings.unitTokens],
    periodText,
    resetsInText: s.period.active ? fill(strings.resetsIn, formatDuration(end - pageNow, strings)) : null,
    resetsAtText: resetsAt !== null ? fill(strings.resetsAt, resetsAt) : null,
    queueText: fill(strings.queue, formatInteger(s.inFlight), formatInteger(s.waiting)),
    gauge: {
      used: s.used,
      reserved: s.reserved,
      cap: s.cap,
      throttleAt: s.throttleAt,
      percentText: percent,
      usedText: u(s.used),
      reservedText: u(s.reserved),
      capText: u(s.cap),
      capSourceText: capSourceText(s, strings),
      throttleText: fill(strings.throttleAt, formatPercent(s.throttleAt)),
      thresholdValueText: `${formatPercent(s.throttleAt)} · ${u(s.cap * s.throttleAt)}`,
      summary: `${pick(strings.states, s.state)}. ${fill(strings.gaugeSummary, u(s.used), u(s.reserved), u(s.cap), percent)}`,
    },
    families: {
      rows,
      total,
      summary: rows.filter((r) => r.units > 0).map((r) => `${r.label} ${r.shareText}`).join(', ') || strings.noFamilies,
    },
    history: {
      start,
      end,
      now: snapshotNow,
      active: s.period.active,
      points: s.history.map((p) => ({ t: ms(p.t) ?? Number.NaN, used: p.used })),
      used: s.used,
      cap: s.cap,
      throttleAt: s.throttleAt,
      projectedAtEnd: s.projectedAtEnd,
      capReachedAt,
      burnRateText,
      projectedText,
      outlookText,
      capWillBeReached: capWillBeReached || atCap,
      summary: [burnRateText, projectedText, outlookText].join('. '),
    },
    sources: buildSourceRows(s, strings),
    projects,
    windows,
    weeklyText: s.unit === 'usd'
      ? fill(strings.weeklyUsd, formatUsd(s.weekly.costUsd), formatTokens(s.weekly.tokens))
      : fill(strings.weekly, u(s.weekly.units), formatTokens(s.weekly.tokens), formatUsd(s.weekly.costUsd)),
    month: s.month
      ? {
        text: fill(strings.month, formatUsd(s.month.costUsd), formatUsd(s.month.budgetUsd), formatPercent(s.month.budgetUsd > 0 ? s.month.costUsd / s.month.budgetUsd : 0)),
        fraction: s.month.budgetUsd > 0 ? s.month.costUsd / s.month.budgetUsd : 0,
      }
      : null,
    toggleCommand: s.state === 'paused' ? 'resume' : 'pause',
  };
}
