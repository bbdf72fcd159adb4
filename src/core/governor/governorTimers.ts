import type { AccountBoard } from './accountBoard';
import type { GovernorClock } from './governorTypes';

/**
 * When waiting calls are looked at again: a wake-up at the moment they could fit (the period's end,
 * a limit's reset, the minute's turn) and, with a board, a poll for room another process freed.
 */
export class WakeTimers {
  private wake: { cancel(): void } | undefined;
  private poll: { cancel(): void } | undefined;

  constructor(private readonly clock: GovernorClock, private readonly onWake: () => void) {}

  /**
   * Replaces the timers: while calls wait, a wake-up at `at` (at least 1 ms ahead) and, with
   * `pollMs`, a poll that soon; none when nothing waits (`at` undefined).
   */
  rearm(now: number, at: number | undefined, pollMs?: number): void {
    this.cancel();
    if (at === undefined) return;
    if (pollMs !== undefined) this.poll = this.clock.setTimer(pollMs, this.onWake);
    this.wake = this.clock.setTimer(Math.max(1, at - now), this.onWake);
  }

  cancel(): void {
    this.poll?.cancel();
    this.poll = undefined;
    this.wake?.cancel();
    this.wake = undefined;
  }
}

/**
 * Renews the leases of this process's calls on the account board, a third of a lease apart, while
 * any runs: they keep counting for the others, and a process that dies stops renewing, so its
 * reservations lapse on their own. The interval never keeps the process alive.
 */
export class LeaseRenewer {
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `board`: the one in force at each renewal (it may be switched); `running`: calls are in flight. */
  constructor(
    private readonly board: () => AccountBoard,
    private readonly clock: GovernorClock,
    private readonly running: () => boolean,
  ) {}

  /** Starts renewing when calls run and it is not already; it stops on its own once none runs. */
  arm(): void {
    if (!this.running() || this.timer) return;
    this.timer = setInterval(() => {
      if (!this.running()) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      const board = this.board();
      void board.renew(this.clock.now() + board.lease).catch(() => undefined);
    }, Math.max(50, Math.floor(this.board().lease / 3)));
    this.timer.unref?.();
  }

  /** Stops for good: the handle is kept, so a drain that ends after disposal cannot start it again. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
