import { FIVE_HOURS_MS, type UsageRecord } from '../usage/usageLedger';

export interface Period {
  readonly start: number;
  readonly end: number;
  /** A 5-hour window that has calls in it (or a calendar day, which is always active). */
  readonly active: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * The 5-hour window in force at `now`, from the ledger's timestamps (sorted or not): windows open
 * at the first call after the previous one closed, floored to the hour in UTC. With no open window,
 * the one a call made now would open.
 */
export function windowAt(records: readonly UsageRecord[], now: number): Period {
  const times = records.map((r) => Date.parse(r.ts)).filter((t) => t <= now).sort((a, b) => a - b);
  let start = Number.NEGATIVE_INFINITY;
  for (const t of times) if (t >= start + FIVE_HOURS_MS) start = Math.floor(t / HOUR_MS) * HOUR_MS;
  if (start + FIVE_HOURS_MS > now) return { start, end: start + FIVE_HOURS_MS, active: true };
  const next = Math.floor(now / HOUR_MS) * HOUR_MS;
  return { start: next, end: next + FIVE_HOURS_MS, active: false };
}

/** The local calendar day around `now` (the `api` plan's daily budget). */
export function dayAt(now: number): Period {
  const d = new Date(now);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { start, end, active: true };
}

export function monthStartAt(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
}

export function inRange(r: UsageRecord, start: number, end: number): boolean {
  const t = Date.parse(r.ts);
  return t >= start && t < end;
}
