import type { GovernorState } from '../../shared/budget';
import type { UsageLedger, UsageRecord } from '../usage/usageLedger';
import type { RateLimitInfo } from '../llm/llmClient';
import type { AccountBoard, BoardView, SharedRateState, SharedReservation } from './accountBoard';
import { reservationOf, stampRecord } from './boardStamps';
import { MinuteWindow } from './minuteWindow';
import { BoardHealth } from './boardHealth';
import { LeaseRenewer, WakeTimers } from './governorTimers';
import { LimitHits } from './limitHits';
import { cancelled, WaitQueue, type Waiter } from './waitQueue';
import { BudgetBook } from './budgetBook';
import type { BudgetConfig } from './budgetPlans';
import type { ObservationStore } from './limitLearning';
import { KnownRecords } from './knownRecords';
import type { Period } from './periods';
import { SYSTEM_CLOCK, type Admission, type AdmissionRequest, type GovernorClock, type GovernorView } from './governorTypes';

export { SYSTEM_CLOCK, type Admission, type AdmissionRequest, type GovernorClock, type GovernorView } from './governorTypes';

/**
 * The Resource Governor: admits a call only when committed plus reserved usage, with this call's
 * upper bound, stays within the cap; settles reservations with the provider's real usage; queues
 * (never drops) calls that do not fit until the window resets, the cap is raised or a reservation
 * is released. JavaScript runs admission checks one at a time, so no interleaving of in-flight
 * calls in this extension host can overshoot; other windows are seen through the shared ledger.
 */
export class Governor {
  /** The ledger's records as this process knows them, with the usage outside Helios merged in. */
  private readonly records = new KnownRecords();
  /** The board could not be reached: nothing is admitted (fail closed) until it can. */
  private readonly health = new BoardHealth();
  /** The board's whole ledger has not been read yet (it was unreachable): nothing is admitted before. */
  private unread = false;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  /**
   * The provider's per-minute limits, shared by every process on the organisation's key: the
   * last minute's admissions (everyone's, from the board) and what the headers said.
   */
  private readonly minute = new MinuteWindow();
  private readonly queue = new WaitQueue(() => this.changed());
  private readonly listeners = new Set<() => void>();
  private manualPause = false;
  /** The provider refused with a usage limit: paused until its reset; the ceiling it showed. */
  private readonly limitHits: LimitHits;
  private readonly wakes: WakeTimers;
  private readonly leases: LeaseRenewer;
  /** The cap, the period, what is used and what calls in flight hold. */
  private readonly book: BudgetBook;

  /** Usage the account spent outside Helios (Claude Code's logs), when the user opts in. */
  private external: (() => Promise<readonly UsageRecord[]>) | undefined;

  private constructor(
    private readonly ledger: UsageLedger,
    observationStore: ObservationStore | undefined,
    private readonly clock: GovernorClock,
    config: BudgetConfig,
    private board: AccountBoard | undefined,
  ) {
    this.limitHits = new LimitHits(observationStore);
    this.book = new BudgetBook(config, () => this.limitHits.ceiling());
    this.wakes = new WakeTimers(clock, () => this.changed());
    this.leases = new LeaseRenewer(() => this.board!, clock, () => this.book.inFlight > 0);
  }

  /**
   * With a `board`, admission, settling and the ledger go through the account's shared board:
   * the cap holds across every process metering the account (see `AccountBoard`); `ledger` is then
   * not written.
   */
  static async create(deps: {
    readonly ledger: UsageLedger;
    readonly config: BudgetConfig;
    readonly clock?: GovernorClock;
    readonly observations?: ObservationStore;
    readonly board?: AccountBoard;
  }): Promise<Governor> {
    const governor = new Governor(deps.ledger, deps.observations, deps.clock ?? SYSTEM_CLOCK, deps.config, deps.board);
    try {
      await governor.refresh();
    } catch (error) {
      // A board that cannot be reached at start (a team's Redis): the governor starts paused and
      // admits nothing until the whole ledger has been read from it.
      if (!deps.board) throw error;
      governor.unread = true;
      governor.health.failed(error);
    }
    await governor.limitHits.load();
    return governor;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Re-reads the shared ledger: other VS Code windows of the account append to it. */
  async refresh(): Promise<void> {
    // Compared with what was known before: absorbing the board's view below updates `records` too.
    const known = this.records.mark();
    const knownCalls = this.book.others.map((r) => r.id).join();
    const external = this.external ? await this.external() : [];
    // No await between reading the ledger and taking it in: a board view absorbed meanwhile would be lost.
    const own = this.board ? await this.board.readAll() : (await this.ledger.readAll()).records;
    this.records.read(own, external);
    this.unread = false;
    // And the others' calls in flight, for the meter (admissions look at them anyway).
    if (this.board) await this.board.transact((view) => { this.absorb(view); return []; });
    this.records.remerge();
    // Announce only real changes: listeners (the meter, the budget panel) redraw on every event.
    if (this.records.differFrom(known) || this.book.others.map((r) => r.id).join() !== knownCalls) this.changed();
  }

  /**
   * A look at the account board without reading the whole ledger: the others' calls in flight and
   * what they settled since the last look, so an idle window's meter follows the other windows
   * within seconds. Cheap enough to run every few seconds; without a board there is nothing to see.
   */
  async peek(): Promise<void> {
    if (!this.board) return;
    if (this.unread) return this.refresh();
    const known = this.records.mark();
    const knownCalls = this.book.others.map((r) => r.id).join();
    const knownError = this.health.error;
    try {
      await this.board.transact((view) => { this.absorb(view); return []; });
      this.health.answered();
    } catch (error) {
      this.health.failed(error);
    }
    if (this.records.differFrom(known) || this.book.others.map((r) => r.id).join() !== knownCalls || this.health.error !== knownError) this.changed();
  }

  /** Counts (or stops counting) usage from outside Helios into the window. */
  async setExternalUsage(source: (() => Promise<readonly UsageRecord[]>) | undefined): Promise<void> {
    this.external = source;
    this.records.forget();
    await this.refresh();
  }

  setConfig(config: BudgetConfig): void {
    this.book.setConfig(config);
    this.changed();
  }

  /** The user's Pause: no new call starts until Resume; calls in flight finish. */
  setPaused(paused: boolean): void {
    this.manualPause = paused;
    this.changed();
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- admission ----------------------------------------------------------------------------

  admit(request: AdmissionRequest): Promise<Admission> {
    if (request.signal?.aborted) return Promise.reject(cancelled());
    // FIFO: nobody overtakes a waiting call. With a board every admission waits its turn for it.
    const granted = this.queue.length === 0 && !this.board ? this.tryAdmit(request) : undefined;
    if (granted) {
      this.changed();
      return Promise.resolve(granted);
    }
    const waiting = this.queue.wait(request);
    this.changed();
    return waiting;
  }

  /** Records the call's real usage and frees its reservation. */
  async settle(admission: Admission, settled: UsageRecord): Promise<void> {
    const record = stampRecord(this.board, settled);
    if (!this.board) {
      this.book.free(admission.id);
      this.records.count(record);
      try {
        await this.ledger.append(record);
      } finally {
        this.changed();
      }
      return;
    }
    try {
      // The record replaces the reservation in one step on the board: never both, never neither.
      const view = await this.board.settle(admission.sharedId ?? '', record);
      // Others' records come before ours (they were appended before it).
      this.absorb(view);
      this.records.add(record);
    } catch (error) {
      // Not on the board (a full disk): counted here all the same; the board's lease runs out.
      this.records.add(record);
      throw error;
    } finally {
      this.book.free(admission.id);
      this.changed();
    }
  }

  /** The call failed or was aborted before the provider billed it: free its reservation. */
  release(admission: Admission): void {
    if (!this.book.free(admission.id)) return;
    // Best effort on the board: a release that fails leaves a lease that ends on its own.
    if (this.board && admission.sharedId) void this.board.release(admission.sharedId).catch(() => undefined).then(() => this.changed());
    this.changed();
  }

  /**
   * Admits through another account board from now on ("Continue with a local cap" when the team's
   * Redis is unreachable): its whole ledger is read before anything is admitted. Calls in flight
   * settle on the new board.
   */
  async switchBoard(board: AccountBoard): Promise<void> {
    const old = this.board;
    this.board = board;
    this.book.seeOthers([]);
    this.minute.reset();
    this.unread = true;
    this.health.answered();
    try {
      await this.refresh();
    } catch (error) {
      this.health.failed(error);
    }
    await old?.close?.().catch(() => undefined);
    this.changed();
  }

  /** Where the account board lives (a directory, or a team's Redis), for messages. */
  get boardWhere(): string | undefined {
    return this.board?.where;
  }

  /** Why the governor admits nothing now although the budget has room: the board is unreachable. */
  get unavailable(): string | undefined {
    return this.health.error;
  }

  /** The board error's code when it gave one (`unreachable`, `auth`, …), for the message to show. */
  get unavailableCode(): string | undefined {
    return this.health.code;
  }

  /** The provider said the account hit a limit: learn the ceiling, pause until the reset. */
  async recordLimitHit(resetAt: Date | undefined): Promise<void> {
    const now = this.clock.now();
    const period = this.period(now);
    await this.limitHits.record(now, resetAt, period.start, this.usedIn(period));
    this.changed();
  }

  /**
   * What a response's `anthropic-ratelimit-*` headers said: the per-minute limits (admission keeps
   * the last minute's calls within them, across every process on the board), and a limit used up
   * until its reset.
   */
  observeRate(info: RateLimitInfo | undefined): void {
    if (info) this.shareRate(MinuteWindow.updateOf(info, this.clock.now()));
  }

  /** A 429 with `retry-after`: no call starts on the account before it has passed. */
  rateLimitedFor(ms: number): void {
    this.shareRate({ until: this.clock.now() + Math.max(0, ms) });
  }

  private shareRate(update: Partial<SharedRateState>): void {
    if (!this.minute.merge(update)) return;
    // Best effort: a board that cannot take it now learns it from the next response or 429.
    if (this.board) void this.board.reportRate(update).catch(() => undefined);
    this.changed();
  }

  // ---- reading ------------------------------------------------------------------------------

  get state(): GovernorState {
    const now = this.clock.now();
    const cap = this.book.cap();
    if (this.manualPause || this.health.error !== undefined || this.limitHits.heldUntil(now) > now) return 'paused';
    // A call held back by the per-minute limits waits seconds, not for the window: throttled.
    const head = this.queue.head;
    if (head && this.minute.heldUntil(now, head.request.inputTokens) > now) return 'throttled';
    // A call waiting its turn for the board is not held back by the budget.
    if (this.queue.length > 0 && (!this.board || this.headHeldBack(now))) return 'paused';
    const period = this.period(now);
    const share = (this.usedIn(period) + this.book.reservedUnits()) / cap.units;
    if (share >= 1) return 'paused';
    return share >= this.book.config.throttleAt ? 'throttled' : 'ok';
  }

  get manuallyPaused(): boolean {
    return this.manualPause;
  }

  /** Everything the snapshot builder needs, read at one instant. */
  view(): GovernorView {
    const now = this.clock.now();
    const period = this.period(now);
    return {
      now, period, config: this.book.config, meter: this.book.meter, cap: this.book.cap(), state: this.state,
      records: this.records.all, observations: this.limitHits.observations,
      used: this.usedIn(period), reserved: this.book.reservedUnits(),
      inFlight: this.book.inFlight, waiting: this.queue.length,
      othersInFlight: this.book.others.length, othersReserved: this.book.others.reduce((n, r) => n + r.units, 0), otherCalls: this.book.others,
      ...(this.board ? { self: { holder: this.board.owner, ...(this.board.label ? { label: this.board.label } : {}), ...(this.board.member ? { member: this.board.member } : {}), ...(this.board.originKind ? { originKind: this.board.originKind } : {}) } } : {}),
      ...(this.health.error !== undefined ? { unavailable: this.health.error } : {}),
    };
  }

  dispose(): void {
    this.wakes.cancel();
    this.leases.dispose();
    this.queue.cancelAll();
    this.listeners.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private period(now: number): Period {
    return this.book.period(this.records.all, now);
  }

  private usedIn(period: Period): number {
    return this.book.usedIn(this.records.all, period);
  }

  /** What the board says the others did. */
  private absorb(view: BoardView): void {
    this.book.seeOthers(view.others);
    this.minute.absorb(view, this.clock.now());
    this.records.absorb(view.appended, view.reset);
  }

  /** Whether the head waiter does not fit now, as far as this process knows (for `state`). */
  private headHeldBack(now: number): boolean {
    const head = this.queue.head;
    return !head || this.book.heldBack(head.request, this.records.all, now);
  }

  private tryAdmit(request: AdmissionRequest): Admission | undefined {
    if (this.manualPause) return undefined;
    const now = this.clock.now();
    if (this.limitHits.heldUntil(now) > now) return undefined;
    if (this.minute.heldUntil(now, request.inputTokens) > now) return undefined;
    const admission = this.book.reserve(request, this.records.all, now);
    if (admission) this.minute.admitted(now, request.inputTokens);
    return admission;
  }

  /** Admits waiting calls in order, and re-arms the timer for the period's end. */
  private pump(): void {
    if (this.board) return this.drain();
    while (this.queue.length > 0) {
      const head = this.queue.head!;
      const granted = this.tryAdmit(head.request);
      if (!granted) break;
      this.queue.shift();
      head.cleanup();
      head.resolve(granted);
    }
    const now = this.clock.now();
    this.wakes.rearm(now, this.queue.length > 0 ? this.wakeAt(now) : undefined);
  }

  /** When waiting calls should be looked at again: the period's end, a limit's reset, the minute's turn. */
  private wakeAt(now: number): number {
    const head = this.queue.head;
    const rateHeld = head ? this.minute.heldUntil(now, head.request.inputTokens) : 0;
    if (rateHeld > now) return rateHeld;
    return this.limitHits.heldUntil(now) || this.period(now).end;
  }

  private changed(): void {
    this.pump();
    for (const l of this.listeners) l();
  }

  /**
   * With a board: admits waiting calls in order inside the board's exclusion, after taking in what
   * the others reserved and settled, and publishes the new reservations before leaving it. One
   * drain at a time; a change meanwhile runs another. While calls wait, the board is looked at
   * again every POLL_MS (another process may settle), and at the period's end.
   */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    const run = (async () => {
      // The first await comes later: nothing below may run before `draining` is set.
      await Promise.resolve();
      do {
        this.drainAgain = false;
        if (this.queue.length === 0) break;
        const granted: { waiter: Waiter; admission: Admission }[] = [];
        try {
          // The board was unreachable when the ledger was last read: read all of it first.
          if (this.unread) await this.refresh();
          await this.board!.transact((view) => {
            this.absorb(view);
            const taken: (SharedReservation & { inputTokens: number })[] = [];
            while (this.queue.length > 0) {
              const head = this.queue.head!;
              const admission = this.tryAdmit(head.request);
              if (!admission) break;
              this.queue.shift();
              const shared = reservationOf(this.board!, admission, this.clock.now());
              const withId = { ...admission, sharedId: shared.id };
              this.book.hold(withId);
              granted.push({ waiter: head, admission: withId });
              taken.push(shared);
            }
            return taken;
          });
          this.health.answered();
        } catch (error) {
          // Fail closed: what was granted in this round never reached the board, so it is not granted.
          for (const g of granted.reverse()) {
            this.book.free(g.admission.id);
            this.queue.unshift(g.waiter);
          }
          granted.length = 0;
          this.health.failed(error);
        }
        for (const g of granted) {
          g.waiter.cleanup();
          // Aborted while its reservation was being published: nobody will settle it, so release it.
          if (g.waiter.request.signal?.aborted) this.release(g.admission);
          else g.waiter.resolve(g.admission);
        }
        if (granted.length > 0 || this.health.error !== undefined) for (const l of this.listeners) l();
      } while (this.drainAgain);
      this.draining = undefined;
      this.armBoardTimers();
    })();
    this.draining = run;
  }

  /** Re-look while calls wait (others settle, the board comes back); renew leases while calls run. */
  private armBoardTimers(): void {
    const now = this.clock.now();
    this.wakes.rearm(now, this.queue.length > 0 ? this.wakeAt(now) : undefined, this.health.error !== undefined ? BOARD_RETRY_MS : POLL_MS);
    this.leases.arm();
  }
}

/** How often waiting calls look at the board again for room another process freed. */
const POLL_MS = 200;
/** How often an unreachable board is tried again while calls wait. */
const BOARD_RETRY_MS = 1_000;
