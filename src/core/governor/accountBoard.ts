import type { UsageRecord } from '../usage/usageLedger';

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
}

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
}

export interface AccountBoard {
  /** This process's holder id. */
  readonly owner: string;
  /** The whole ledger (at start and on a periodic refresh); the next views continue from here. */
  readAll(): Promise<UsageRecord[]>;
  /**
   * Inside the board's exclusion: `decide` sees the others' reservations and the records they
   * appended, and returns the reservations this process takes now (published before the exclusion
   * ends, so no other process can admit against the same room).
   */
  transact(decide: (view: BoardView) => readonly SharedReservation[]): Promise<void>;
  /** Appends the call's record and drops its reservation in one step; returns what others did meanwhile. */
  settle(reservationId: string, record: UsageRecord): Promise<BoardView>;
  /** Drops a reservation whose call failed before it was billed. */
  release(reservationId: string): Promise<void>;
  /** Extends the leases of this process's reservations to `until`. */
  renew(until: number): Promise<void>;
  /** Runs `body` inside the board's exclusion (ledger compaction). */
  exclusive<T>(body: () => Promise<T>): Promise<T>;
}
