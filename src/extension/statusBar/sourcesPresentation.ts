import type { BudgetSnapshot, UsageSourceKind } from '../../shared/budget';
import type { Translate } from '../translate';

/** The tooltip's groups, in the snapshot's order; the budget panel lists every row of each. */
const GROUPS: readonly UsageSourceKind[] = ['self', 'window', 'cli', 'bench', 'member', 'claudeCode', 'other', 'unattributed'];

function groupName(kind: UsageSourceKind, t: Translate): string {
  switch (kind) {
    case 'self': return t('This window');
    case 'window': return t('Other windows');
    case 'cli': return t('Helios CLI');
    case 'bench': return t('Benchmarks');
    case 'member': return t('Teammates');
    case 'claudeCode': return t('Claude Code outside Helios');
    case 'other': return t('Other processes');
    case 'unattributed': return t('Earlier, unattributed');
  }
}

/** `12%`; `<1%` for a share too small to round to one. */
function percent(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0%';
  const p = (part / whole) * 100;
  return p < 1 ? '<1%' : `${Math.round(p)}%`;
}

/**
 * "Other windows: 2 calls in flight, 12% of the window" — one line per kind of spender, shown
 * when anyone besides this window spent in the period or has calls in flight. Shares are of the
 * cap, as the meter's percentage is.
 */
export function sourceLines(s: BudgetSnapshot, t: Translate): string[] {
  const active = s.sources.filter((r) => r.calls > 0 || r.inFlight > 0);
  if (!active.some((r) => r.kind !== 'self')) return [];
  const lines: string[] = [];
  for (const kind of GROUPS) {
    const rows = kind === 'self' ? s.sources.filter((r) => r.kind === 'self') : active.filter((r) => r.kind === kind);
    if (rows.length === 0) continue;
    const name = groupName(kind, t);
    const inFlight = rows.reduce((n, r) => n + r.inFlight, 0);
    const share = percent(rows.reduce((n, r) => n + r.units, 0), s.cap);
    if (s.unit === 'usd') {
      lines.push(inFlight > 0 ? t('{0}: {1} calls in flight, {2} of today\'s budget', name, inFlight, share) : t('{0}: {1} of today\'s budget', name, share));
    } else {
      lines.push(inFlight > 0 ? t('{0}: {1} calls in flight, {2} of the window', name, inFlight, share) : t('{0}: {1} of the window', name, share));
    }
  }
  return lines;
}
