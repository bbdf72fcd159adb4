import type { BudgetSnapshot, GovernorState } from '../../shared/budget';
import { localePercent } from '../../shared/numberFormat';
import { formatDuration, formatUnits, type Translate } from '../statusBar/budgetPresentation';

/**
 * The Budget view's rows: the gauge (share of the window or of today's budget), when it resets and
 * what is used of the cap. A pure function of the governor's snapshot, like the status-bar meter,
 * whose formatting it shares.
 */
export interface BudgetRow {
  readonly id: 'gauge' | 'reset' | 'used' | 'open';
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** A codicon id. */
  readonly icon: string;
  readonly severity: 'none' | 'warning' | 'error';
}

export interface BudgetRowsInput {
  readonly snapshot: BudgetSnapshot;
  readonly t: Translate;
  /** The UI language (BCP 47). */
  readonly locale: string;
  /** Local time of day in the UI language. */
  readonly time: (iso: string) => string;
  /** The budget panel's state names and explanations (`{0}`: the reset time). */
  readonly states: Readonly<Record<GovernorState, string>>;
  readonly stateDetails: Readonly<Record<GovernorState, string>>;
}

export function budgetRows(input: BudgetRowsInput): BudgetRow[] {
  const { snapshot: s, t } = input;
  const share = localePercent(s.cap > 0 ? s.used / s.cap : 0, input.locale);
  const severity = s.state === 'paused' ? 'error' : s.state === 'throttled' ? 'warning' : 'none';
  const resetsAt = input.time(s.period.end);
  const rows: BudgetRow[] = [{
    id: 'gauge',
    label: s.unit === 'usd' ? t('{0} of today\'s budget', share) : t('{0} of the 5-hour window', share),
    description: input.states[s.state],
    tooltip: input.stateDetails[s.state].replace('{0}', resetsAt),
    icon: s.state === 'paused' ? 'debug-pause' : s.state === 'throttled' ? 'warning' : 'pulse',
    severity,
  }];
  if (s.period.active) {
    rows.push({ id: 'reset', label: t('Resets at {0}', resetsAt), description: t('in {0}', formatDuration(Date.parse(s.period.end) - Date.parse(s.now), t)), icon: 'history', severity: 'none' });
  } else {
    rows.push({ id: 'reset', label: t('No window is open: the next call starts one.'), icon: 'history', severity: 'none' });
  }
  rows.push({
    id: 'used',
    label: t('Used {0} of {1}', formatUnits(s.used, s.unit, input.locale), formatUnits(s.cap, s.unit, input.locale)),
    ...(s.reserved > 0 ? { description: t('{0} reserved by {1} calls in flight', formatUnits(s.reserved, s.unit, input.locale), s.inFlight) } : {}),
    icon: 'dashboard',
    severity: 'none',
  });
  rows.push({ id: 'open', label: t('Open the Budget Panel'), tooltip: t('The window\'s history, the family split, the burn rate and who is spending'), icon: 'graph', severity: 'none' });
  return rows;
}
