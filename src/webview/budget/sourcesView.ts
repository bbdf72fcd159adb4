/** "Who is spending": the snapshot's sources as the panel's table rows. DOM-free, like viewModel.ts. */
import type { BudgetSnapshot, UsageSourceKind } from '../../shared/budget';
import type { BudgetPanelStrings } from '../../shared/protocol/budgetPanel';
import { formatInteger, formatPercent, formatUnits, formatUsd } from './format';

export interface SourceRow {
  readonly kind: UsageSourceKind;
  /** As recorded ("VS Code: app", a member's name), or null. */
  readonly label: string | null;
  /** What kind of spender this is, in the UI language. */
  readonly kindText: string;
  readonly units: number;
  readonly unitsText: string;
  /** Of the period's settled usage. */
  readonly shareText: string;
  readonly costText: string;
  readonly callsText: string;
  readonly inFlight: number;
  readonly inFlightText: string;
  readonly reservedText: string;
}

export function buildSourceRows(s: BudgetSnapshot, strings: BudgetPanelStrings): SourceRow[] {
  const total = s.sources.reduce((n, r) => n + r.units, 0);
  return s.sources.map((r) => ({
    kind: r.kind,
    label: r.label,
    // Guarded because the strings cross an untyped boundary: a missing entry shows its key.
    kindText: strings.sourceKinds?.[r.kind] || r.kind,
    units: r.units,
    unitsText: formatUnits(r.units, s.unit),
    shareText: formatPercent(total > 0 ? r.units / total : 0),
    costText: formatUsd(r.costUsd),
    callsText: formatInteger(r.calls),
    inFlight: r.inFlight,
    inFlightText: formatInteger(r.inFlight),
    reservedText: formatUnits(r.reservedUnits, s.unit),
  }));
}
