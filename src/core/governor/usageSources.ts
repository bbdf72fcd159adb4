import type { UsageSource, UsageSourceKind } from '../../shared/budget';
import type { UsageRecord } from '../usage/usageLedger';
import type { SharedReservation } from './accountBoard';
import type { GovernorView } from './governorTypes';

/** The order the panel and the tooltip list kinds in: this process, then the others. */
const KIND_ORDER: readonly UsageSourceKind[] = ['self', 'window', 'cli', 'bench', 'member', 'claudeCode', 'other', 'unattributed'];

/** The provider name records imported from Claude Code's own logs carry (externalUsage.ts). */
const CLAUDE_CODE_LOG = 'claude-code-log';

type Self = GovernorView['self'];
type Key = { readonly kind: UsageSourceKind; readonly label: string | null };

/** A process of this member's, by the kind its board recorded; undefined when none was. */
function processSource(kind: UsageRecord['originKind'], label: string | null): Key | undefined {
  switch (kind) {
    case 'vscode': return { kind: 'window', label };
    case 'cli': return { kind: 'cli', label };
    // Bench workers are one row: each has a label of its own.
    case 'bench': return { kind: 'bench', label: null };
    case undefined: return undefined;
  }
}

/**
 * Who spent a settled record. A teammate's usage is theirs whatever process spent it; within this
 * member's own usage, the kind of process decides.
 */
function recordSource(r: UsageRecord, self: Self): Key {
  if (self && (r.holder === self.holder || earlierSelf(r, self))) return { kind: 'self', label: self.label ?? null };
  if (r.member !== undefined && r.member !== self?.member) return { kind: 'member', label: r.member };
  const label = r.origin ?? null;
  const spentBy = processSource(r.originKind, label);
  if (spentBy) return spentBy;
  if (r.provider === CLAUDE_CODE_LOG) return { kind: 'claudeCode', label: null };
  // Stamped by a board that did not say what it was, or written before records were stamped.
  return r.holder !== undefined || label !== null ? { kind: 'other', label } : { kind: 'unattributed', label: null };
}

/**
 * A window of this same workspace before a reload (or a restart): a new holder, but the same
 * workspace label, kind and member, so its usage is this window's, not "another window's".
 */
function earlierSelf(r: UsageRecord, self: NonNullable<Self>): boolean {
  return self.originKind === 'vscode' && r.originKind === 'vscode' && self.label !== undefined && r.origin === self.label && r.member === self.member;
}

/** Who holds another process's call in flight; the same rules as for settled records. */
function reservationSource(r: SharedReservation, self: Self): Key {
  if (r.member !== undefined && r.member !== self?.member) return { kind: 'member', label: r.member };
  const label = r.label ?? null;
  return processSource(r.originKind, label) ?? { kind: 'other', label };
}

interface Row { kind: UsageSourceKind; label: string | null; units: number; costUsd: number; calls: number; inFlight: number; reservedUnits: number }

/**
 * The period's usage split by who spent it, with the calls each has in flight. `inPeriod` holds
 * the period's settled records; `units` weighs one. This process's row is there whenever it is on
 * the account board (so "this window: 0" reads as such); the others only when they spent or hold something.
 */
export function usageSources(view: GovernorView, inPeriod: readonly UsageRecord[], units: (r: UsageRecord) => number): UsageSource[] {
  const rows = new Map<string, Row>();
  const row = ({ kind, label }: Key): Row => {
    const id = `${kind}\u0000${label ?? ''}`;
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { kind, label, units: 0, costUsd: 0, calls: 0, inFlight: 0, reservedUnits: 0 }));
    return r;
  };
  const self = view.self;
  if (self) {
    const mine = row({ kind: 'self', label: self.label ?? null });
    mine.inFlight = view.inFlight;
    mine.reservedUnits = Math.max(0, view.reserved - (view.othersReserved ?? 0));
  }
  for (const r of inPeriod) {
    const target = row(recordSource(r, self));
    target.units += units(r);
    target.costUsd += r.costUsd ?? 0;
    target.calls += 1;
  }
  for (const c of view.otherCalls ?? []) {
    // This process's own calls are counted from its reservations above.
    if (self && c.owner === self.holder) continue;
    const target = row(reservationSource(c, self));
    target.inFlight += 1;
    target.reservedUnits += c.units;
  }
  const rank = (k: UsageSourceKind) => KIND_ORDER.indexOf(k);
  return [...rows.values()]
    .sort((a, b) => rank(a.kind) - rank(b.kind) || b.units - a.units || b.reservedUnits - a.reservedUnits || (a.label ?? '').localeCompare(b.label ?? ''))
    .map((r) => ({ ...r }));
}
