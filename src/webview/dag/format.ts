/** Text helpers for the panel, DOM-free so node can test them. */
import type { TaskStatus, TaskType } from '../../shared/taskGraph';
import type { DagNodeView, DagPanelStrings, DagSnapshot } from '../../shared/protocol/dagPanel';
import { localeInteger, localeUsd } from '../../shared/numberFormat';
import { pageLocale } from '../common/pageLocale';
import { fill, formatClock } from '../budget/format';

/**
 * Language-neutral status marks, so status is not carried by colour alone (the protocol has no
 * localized status names, and the marks read the same in every language).
 */
export const STATUS_GLYPH: Readonly<Record<TaskStatus, string>> = {
  pending: '○',
  ready: '◎',
  running: '▶',
  done: '✓',
  failed: '✗',
  skipped: '⊘',
};

/**
 * The localized status name. Guarded because the strings cross an untyped boundary: a host
 * built without them must still get a working panel, just with the raw status key.
 */
export function statusLabel(strings: DagPanelStrings, status: TaskStatus): string {
  const labels = (strings as { statuses?: Partial<Record<TaskStatus, string>> }).statuses;
  return labels?.[status] || status;
}

/** The localized task type name; guarded like `statusLabel`, so a missing entry shows its key. */
export function taskTypeLabel(strings: DagPanelStrings, type: TaskType): string {
  const labels = (strings as { taskTypes?: Partial<Record<TaskType, string>> }).taskTypes;
  return labels?.[type] || type;
}

/** East Asian wide characters (Hangul, CJK, kana, full-width forms) take about two columns. */
function columns(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  const wide =
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Cuts `text` to at most `maxColumns` columns, ending in an ellipsis when cut. */
export function ellipsize(text: string, maxColumns: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.reduce((w, ch) => w + columns(ch), 0) <= maxColumns) return chars.join('');
  let used = 0;
  let kept = '';
  for (const ch of chars) {
    used += columns(ch);
    if (used > maxColumns - 1) break; // one column for the ellipsis
    kept += ch;
  }
  return `${kept.trimEnd()}…`;
}

export function formatInteger(n: number, locale = pageLocale()): string {
  return localeInteger(n, locale);
}

/** Dollars with cents, or four decimals below a cent; `digits` forces a precision. */
export function formatCost(usd: number, locale = pageLocale(), digits?: number): string {
  if (!Number.isFinite(usd)) return '–';
  return localeUsd(usd, locale, { fraction: digits ?? (usd !== 0 && Math.abs(usd) < 0.01 ? 4 : 2) });
}

/** The facts of a task's run for the details pane: model, reason, tokens, cost, attempts. */
export function runFacts(run: NonNullable<DagNodeView['run']>, strings: DagPanelStrings): string[] {
  const attempts = run.attempts > 1 ? fill(strings.attempts, formatInteger(run.attempts)) : undefined;
  return [run.model, run.reason, `${formatInteger(run.tokens)} ${strings.tokens}`, formatCost(run.costUsd, pageLocale(), 4), attempts]
    .filter((x): x is string => Boolean(x));
}

/** The pieces of the header line, in order; the renderer joins them with separators. */
export function headerParts(snapshot: DagSnapshot, strings: DagPanelStrings): string[] {
  return [
    snapshot.prdPath,
    `${strings.plannedBy} ${snapshot.plannedBy}`,
    `${formatInteger(snapshot.nodes.length)} ${strings.tasks}`,
    `${formatInteger(snapshot.totalTokens)} ${strings.tokens}`,
    formatCost(snapshot.costUsd),
  ];
}

/** "✓ verified · ✓ approved", "✗ failed: 3 tests", "○ not verified (no sandbox available)": what ran on the change. */
export function checkLabels(node: DagNodeView, strings: DagPanelStrings): string[] {
  const checks = (strings as { checks?: DagPanelStrings['checks'] }).checks;
  const run = node.run;
  if (!checks || !run) return [];
  const out: string[] = [];
  const v = run.verification;
  if (v?.status === 'passed') out.push(`✓ ${checks.verified}`);
  else if (v?.status === 'failed') out.push(`✗ ${v.failedTests ? fill(checks.verifyFailedTests, formatInteger(v.failedTests)) : checks.verifyFailed}`);
  else if (v?.status === 'unavailable') out.push(`○ ${checks.notVerified}`);
  if (run.review?.verdict === 'approve') out.push(`✓ ${checks.approved}`);
  else if (run.review?.verdict === 'request_changes') out.push(`✎ ${checks.changesRequested}`);
  const i = run.integration;
  if (i?.status === 'merged' && checks.merged) out.push(`⇄ ${checks.merged}`);
  else if (i?.status === 'rebased' && checks.rebased) out.push(`↻ ${fill(checks.rebased, formatCost(i.rebaseCostUsd ?? 0, pageLocale(), 4))}`);
  else if (i?.status === 'conflicted' && checks.conflicted) out.push(`⚠ ${checks.conflicted}`);
  else if (i?.status === 'stale' && checks.stale) out.push(`⚠ ${checks.stale}`);
  if (run.earlierCostUsd !== undefined && checks.rerun && i?.status !== 'stale') out.push(`⟳ ${fill(checks.rerun, formatCost(run.earlierCostUsd, pageLocale(), 4))}`);
  return out;
}

/** "14:32" in the UI language (24-hour); the input itself when it is not a date. */
export function formatTime(iso: string, locale = pageLocale()): string {
  return Number.isNaN(Date.parse(iso)) ? iso : formatClock(iso, { locale });
}

/** The header's budget line while the run is held back: the state and when the window resets. */
export function budgetNotice(snapshot: DagSnapshot, strings: DagPanelStrings): string | undefined {
  const b = snapshot.budget;
  const text = b?.state === 'paused' ? strings.budgetPaused : b?.state === 'throttled' ? strings.budgetThrottled : undefined;
  if (!b || !text) return undefined;
  return `${b.state === 'paused' ? '⏸' : '⚠'} ${fill(text, formatTime(b.resetsAt))}`;
}
