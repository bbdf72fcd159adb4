import type { OriginKind, UsageRecord } from '../usage/usageLedger';

/**
 * What every process metering one Claude account shares: the calls in flight (reservations, each
 * with a lease) and the ledger of settled calls. Every VS Code window, every `helios run` — and in
 * team mode every member's machine — admits against the same board, so a cap holds across all of
 * them: a call is admitted only inside the board's exclusion, after seeing everyone else's
 * reservations and records, and its own reservation is visible to the others before it starts.
 *
 * A reservation's lease is renewed while its call runs; a process that dies (`kill -9`) stops
 * renewing, and its reservations stop counting once their lease ends — nothing is blocked for ever,
 * nothing is counted twice (a settled call's record replaces its reservation in one step).
 */
export interface SharedReservation {
  readonly id: string;
  /** The process (or member) that holds it. */
  readonly owner: string;
  readonly model: string;
  /** Weighted units it holds against the cap (the call's upper bound). */
  readonly units: number;
  /** Lease end, ms since the epoch; renewed while the call runs. */
  readonly expiresAt: number;
  /** Who is spending, for the meter: a window, the CLI, a teammate. */
  readonly label?: string;
  /** The team member (team mode), for the meter. */
  readonly member?: string;
  readonly originKind?: OriginKind;
}

/**
 * One admission on the account, kept a minute for the provider's per-minute limits, which every
 * process (and, in team mode, every machine) on one organisation's key shares.
 */
export interface RecentAdmission {
  /** When it was admitted, ms since the epoch. */
  readonly at: number;
  readonly inputTokens: number;
}

/** What the account learned of the provider's per-minute limits (`anthropic-ratelimit-*`). */
export interface SharedRateState {
  /** No call starts before this (ms since the epoch): a limit was used up, or a 429 said so. */
  readonly until: number;
  /** The limits per minute, as the provider's headers last reported them. */
  readonly requestsPerMinute?: number;
  readonly inputTokensPerMinute?: number;
}

/** How long an admission counts against the per-minute limits. */
export const RATE_WINDOW_MS = 60_000;

/** What the others did since this process last looked. */
export interface BoardView {
  /** Live reservations of every other holder (expired leases dropped). */
  readonly others: readonly SharedReservation[];
  /** Ledger records appended by others since this process last read. */
  readonly appended: readonly UsageRecord[];
  /**
   * The ledger was rewritten (compacted) or replaced: `appended` is then the whole ledger, which
   * replaces what the reader held.
   */
  readonly reset?: boolean;
  /** Every holder's admissions (this process's too) of the last RATE_WINDOW_MS. */
  readonly recent: readonly RecentAdmission[];
  /** The shared per-minute limit state. */
  readonly rate: SharedRateState;
}

export interface AccountBoard {
  /** This process's holder id. */
  readonly owner: string;
  /** Who this holder is on the others' meters ("VS Code: my-project", "helios run app"). */
  readonly label?: string;
  /** The team member this holder spends for (team mode). */
  readonly member?: string;
  readonly originKind?: OriginKind;
  /** Where the board lives, for messages ("~/.local/share/helios", "redis://team-host:6379"). */
  readonly where: string;
  /** How long a reservation counts without being renewed. */
  readonly lease: number;
  /** The whole ledger (at start and on a periodic refresh); the next views continue from here. */
  readAll(): Promise<UsageRecord[]>;
  /**
   * Inside the board's exclusion: `decide` sees the others' reservations and the records they
   * appended, and returns the reservations this process takes now (published before the exclusion
   * ends, so no other process can admit against the same room). Each reservation taken is also
   * added to `recent` (with `inputTokens`), for the per-minute limits. `decide` is called once.
   * If `transact` rejects, nothing it returned was published: those calls are not admitted.
   *
   * Settling and releasing need not wait for the exclusion: they only ever free room (a record
   * never counts more than the reservation it replaces), so a view they make stale errs on the
   * side of the cap.
   */
  transact(decide: (view: BoardView) => readonly (SharedReservation & { readonly inputTokens: number })[]): Promise<void>;
  /**
   * Appends the call's record and drops its reservation in one step; returns what others did
   * meanwhile. The record is written as given (the governor stamps `holder`, `origin`, `member`).
   */
  settle(reservationId: string, record: UsageRecord): Promise<BoardView>;
  /** Drops a reservation whose call failed before it was billed. */
  release(reservationId: string): Promise<void>;
  /** Extends the leases of this process's reservations to `until`. */
  renew(until: number): Promise<void>;
  /**
   * Merges what this process learned of the per-minute limits into the shared state: `until` only
   * moves later (until it passes), limits replace the old ones.
   */
  reportRate(rate: Partial<SharedRateState>): Promise<void>;
  /** Runs `body` inside the board's exclusion (ledger compaction). */
  exclusive<T>(body: () => Promise<T>): Promise<T>;
  /** Stops timers and connections (the process is done with the board). */
  close?(): Promise<void>;
}

/** `until` only moves later; limits the provider reported replace the old ones. */
export function mergeRate(old: SharedRateState, update: Partial<SharedRateState>): SharedRateState {
  const requestsPerMinute = update.requestsPerMinute ?? old.requestsPerMinute;
  const inputTokensPerMinute = update.inputTokensPerMinute ?? old.inputTokensPerMinute;
  return {
    until: Math.max(old.until, update.until ?? 0),
    ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}),
    ...(inputTokensPerMinute !== undefined ? { inputTokensPerMinute } : {}),
  };
}
