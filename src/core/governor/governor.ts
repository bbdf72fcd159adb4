import type { GovernorState } from '../../shared/budget';
import { HeliosError } from '../errors/heliosError';
import type { UsageLedger, UsageRecord } from '../usage/usageLedger';
import type { RateLimitInfo } from '../llm/llmClient';
import type { AccountBoard, BoardView, SharedRateState, SharedReservation } from './accountBoard';
import { reservationOf, stampRecord } from './boardStamps';
import { MinuteWindow } from './minuteWindow';
import { meterFor, resolveCap, type BudgetConfig, type ResolvedCap, type UnitMeter } from './budgetPlans';
import { addObservation, observedCeiling, type LimitObservation, type ObservationStore } from './limitLearning';
import { mergeRecords } from './externalUsage';
import { dayAt, inRange, monthStartAt, windowAt, type Period } from './periods';
import { SYSTEM_CLOCK, type Admission, type AdmissionRequest, type GovernorClock, type GovernorView } from './governorTypes';

export { SYSTEM_CLOCK, type Admission, type AdmissionRequest, type GovernorClock, type GovernorView } from './governorTypes';

interface Waiter {
  readonly request: AdmissionRequest;
  readonly resolve: (a: Admission) => void;
  readonly reject: (e: unknown) => void;
  readonly cleanup: () => void;
}

/**
 * The Resource Governor: admits a call only when committed plus reserved usage, with this call's
 * upper bound, stays within the cap; settles reservations with the provider's real usage; queues
 * (never drops) calls that do not fit until the window resets, the cap is raised or a reservation
 * is released. JavaScript runs admission checks one at a time, so no interleaving of in-flight
 * calls in this extension host can overshoot; other windows are seen through the shared ledger.
 */
export class Governor {
  private records: UsageRecord[] = [];
  /** The ledger's records as this process knows them, and the external ones merged into `records`. */
  private ledgerRecords: UsageRecord[] = [];
  private externalRecords: readonly UsageRecord[] = [];
  /** Other processes' calls in flight (the account board's reservations), as of the last look. */
  private others: readonly SharedReservation[] = [];
  /** The board could not be reached: nothing is admitted (fail closed) until it can. */
  private boardError: string | undefined;
  /** The board's own code for why (a `reason` on its error, e.g. the team Redis's `auth`). */
  private boardErrorCode: string | undefined;
  /** The board's whole ledger has not been read yet (it was unreachable): nothing is admitted before. */
  private unread = false;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private leaseTimer: ReturnType<typeof setInterval> | undefined;
  private pollTimer: { cancel(): void } | undefined;
  private observations: LimitObservation[] = [];
  /**
   * The provider's per-minute limits, shared by every process on the organisation's key: the
   * last minute's admissions (everyone's, from the board) and what the headers said.
   */
  private readonly minute = new MinuteWindow();
  private readonly reservations = new Map<number, Admission>();
  private readonly waiters: Waiter[] = [];
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  private manualPause = false;
  /** The provider refused with a usage limit that resets then (ms since epoch). */
  private limitedUntil = 0;
  private timer: { cancel(): void } | undefined;
  private meter: UnitMeter;

  /** Usage the account spent outside Helios (Claude Code's logs), when the user opts in. */
  private external: (() => Promise<readonly UsageRecord[]>) | undefined;

  private constructor(
    private readonly ledger: UsageLedger,
    private readonly observationStore: ObservationStore | undefined,
    private readonly clock: GovernorClock,
    private config: BudgetConfig,
    private board: AccountBoard | undefined,
  ) {
    this.meter = meterFor(config);
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
      governor.boardFailed(error);
    }
    governor.observations = (await deps.observations?.load()) ?? [];
    return governor;
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Re-reads the shared ledger: other VS Code windows of the account append to it. */
  async refresh(): Promise<void> {
    // Compared with what was known before: absorbing the board's view below updates `records` too.
    const known = this.records;
    const knownCalls = this.others.map((r) => r.id).join();
    const external = this.external ? await this.external() : [];
    // No await between reading the ledger and taking it in: a board view absorbed meanwhile would be lost.
    const own = this.board ? await this.board.readAll() : (await this.ledger.readAll()).records;
    this.externalRecords = external;
    this.ledgerRecords = own;
    this.unread = false;
    // And the others' calls in flight, for the meter (admissions look at them anyway).
    if (this.board) await this.board.transact((view) => { this.absorb(view); return []; });
    const records = this.merged();
    const changed = records.length !== known.length || records[records.length - 1]?.ts !== known[known.length - 1]?.ts || this.others.map((r) => r.id).join() !== knownCalls;
    this.records = records;
    // Announce only real changes: listeners (the meter, the budget panel) redraw on every event.
    if (changed) this.changed();
  }

  /**
   * A look at the account board without reading the whole ledger: the others' calls in flight and
   * what they settled since the last look, so an idle window's meter follows the other windows
   * within seconds. Cheap enough to run every few seconds; without a board there is nothing to see.
   */
  async peek(): Promise<void> {
    if (!this.board) return;
    if (this.unread) return this.refresh();
    const known = this.records;
    const knownCalls = this.others.map((r) => r.id).join();
    const knownError = this.boardError;
    try {
      await this.board.transact((view) => {
        this.absorb(view);
        return [];
      });
      this.boardAnswered();
    } catch (error) {
      this.boardFailed(error);
    }
    const records = this.records;
    const changed = records.length !== known.length || records[records.length - 1]?.ts !== known[known.length - 1]?.ts
      || this.others.map((r) => r.id).join() !== knownCalls || this.boardError !== knownError;
    if (changed) this.changed();
  }

  /** Counts (or stops counting) usage from outside Helios into the window. */
  async setExternalUsage(source: (() => Promise<readonly UsageRecord[]>) | undefined): Promise<void> {
    this.external = source;
    this.records = [];
    await this.refresh();
  }

  setConfig(config: BudgetConfig): void {
    this.config = config;
    this.meter = meterFor(config);
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
    const granted = this.waiters.length === 0 && !this.board ? this.tryAdmit(request) : undefined;
    if (granted) {
      this.changed();
      return Promise.resolve(granted);
    }
    return new Promise<Admission>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
        this.changed();
      };
      const waiter: Waiter = { request, resolve, reject, cleanup: () => request.signal?.removeEventListener('abort', onAbort) };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.changed();
    });
  }

  /** Records the call's real usage and frees its reservation. */
  async settle(admission: Admission, settled: UsageRecord): Promise<void> {
    const record = stampRecord(this.board, settled);
    if (!this.board) {
      this.reservations.delete(admission.id);
      this.records.push(record);
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
      this.ledgerRecords.push(record);
      this.records = this.merged();
    } catch (error) {
      // Not on the board (a full disk): counted here all the same; the board's lease runs out.
      this.ledgerRecords.push(record);
      this.records = this.merged();
      throw error;
    } finally {
      this.reservations.delete(admission.id);
      this.changed();
    }
  }

  /** The call failed or was aborted before the provider billed it: free its reservation. */
  release(admission: Admission): void {
    if (!this.reservations.delete(admission.id)) return;
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
    this.others = [];
    this.minute.reset();
    this.unread = true;
    this.boardAnswered();
    try {
      await this.refresh();
    } catch (error) {
      this.boardFailed(error);
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
    return this.boardError;
  }

  /** The board error's code when it gave one (`unreachable`, `auth`, …), for the message to show. */
  get unavailableCode(): string | undefined {
    return this.boardError === undefined ? undefined : this.boardErrorCode;
  }

  /** Notes why the board failed (a `reason` on the error is kept as its code). */
  private boardFailed(error: unknown): void {
    this.boardError = error instanceof Error ? error.message : String(error);
    const code = error instanceof Error ? (error as Error & { reason?: unknown }).reason : undefined;
    this.boardErrorCode = typeof code === 'string' ? code : undefined;
  }

  /** The board answered again. */
  private boardAnswered(): void {
    this.boardError = undefined;
    this.boardErrorCode = undefined;
  }

  /** The provider said the account hit a limit: learn the ceiling, pause until the reset. */
  async recordLimitHit(resetAt: Date | undefined): Promise<void> {
    const now = this.clock.now();
    if (resetAt && resetAt.getTime() > now) this.limitedUntil = resetAt.getTime();
    const period = this.period(now);
    this.observations = addObservation(this.observations, {
      windowStart: new Date(period.start).toISOString(),
      used: this.usedIn(period),
      at: new Date(now).toISOString(),
      resetAt: resetAt ? resetAt.toISOString() : null,
    });
    await this.observationStore?.save(this.observations);
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
    const cap = this.cap();
    if (this.manualPause || this.boardError !== undefined || this.limitedUntil > now) return 'paused';
    // A call held back by the per-minute limits waits seconds, not for the window: throttled.
    const head = this.waiters[0];
    if (head && this.minute.heldUntil(now, head.request.inputTokens) > now) return 'throttled';
    // A call waiting its turn for the board is not held back by the budget.
    if (this.waiters.length > 0 && (!this.board || this.headHeldBack(now))) return 'paused';
    const period = this.period(now);
    const share = (this.usedIn(period) + this.reservedUnits()) / cap.units;
    if (share >= 1) return 'paused';
    return share >= this.config.throttleAt ? 'throttled' : 'ok';
  }

  get manuallyPaused(): boolean {
    return this.manualPause;
  }

  /** Everything the snapshot builder needs, read at one instant. */
  view(): GovernorView {
    const now = this.clock.now();
    const period = this.period(now);
    return {
      now, period, config: this.config, meter: this.meter, cap: this.cap(), state: this.state,
      records: this.records, observations: this.observations,
      used: this.usedIn(period), reserved: this.reservedUnits(),
      inFlight: this.reservations.size, waiting: this.waiters.length,
      othersInFlight: this.others.length, othersReserved: this.others.reduce((n, r) => n + r.units, 0), otherCalls: this.others,
      ...(this.board ? { self: { holder: this.board.owner, ...(this.board.label ? { label: this.board.label } : {}), ...(this.board.member ? { member: this.board.member } : {}), ...(this.board.originKind ? { originKind: this.board.originKind } : {}) } } : {}),
      ...(this.boardError !== undefined ? { unavailable: this.boardError } : {}),
    };
  }

  dispose(): void {
    this.timer?.cancel();
    this.pollTimer?.cancel();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    for (const w of this.waiters.splice(0)) {
      w.cleanup();
      w.reject(cancelled());
    }
    this.listeners.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private cap(): ResolvedCap {
    return resolveCap(this.config, observedCeiling(this.observations)?.value);
  }

  private period(now: number): Period {
    return this.config.plan === 'api' ? dayAt(now) : windowAt(this.records, now);
  }

  private usedIn(period: Period): number {
    let used = 0;
    for (const r of this.records) if (inRange(r, period.start, period.end)) used += this.meter.unitsOf(r.model, r.usage);
    return used;
  }

  private reservedUnits(): number {
    let sum = 0;
    for (const a of this.reservations.values()) sum += a.reservedUnits;
    for (const r of this.others) sum += r.units;
    return sum;
  }

  private merged(): UsageRecord[] {
    return this.externalRecords.length > 0 ? mergeRecords(this.ledgerRecords, this.externalRecords) : this.ledgerRecords;
  }

  /** What the board says the others did. */
  private absorb(view: BoardView): void {
    this.others = view.others;
    this.minute.absorb(view, this.clock.now());
    if (view.reset) this.ledgerRecords = [...view.appended];
    else if (view.appended.length > 0) this.ledgerRecords.push(...view.appended);
    this.records = this.merged();
  }

  /** Whether the head waiter does not fit now, as far as this process knows (for `state`). */
  private headHeldBack(now: number): boolean {
    const head = this.waiters[0];
    if (!head) return true;
    const minOutput = Math.min(head.request.maxTokens, head.request.minOutputTokens ?? 1_024);
    return this.messagesLeft(now) < 1 || this.meter.boundOf(head.request.model, head.request.inputTokens, minOutput) > this.remaining(now);
  }

  /** Units left under every cap that applies now (window or day, and the month for `api`). */
  private remaining(now: number): number {
    const period = this.period(now);
    let left = this.cap().units - this.usedIn(period) - this.reservedUnits();
    if (this.config.plan === 'api') {
      const monthUsed = this.usedIn({ start: monthStartAt(now), end: period.end, active: true });
      left = Math.min(left, this.config.monthlyUsd - monthUsed - this.reservedUnits());
    }
    return left;
  }

  private messagesLeft(now: number): number {
    const cap = this.cap();
    if (cap.messages <= 0) return Number.POSITIVE_INFINITY;
    const period = this.period(now);
    return cap.messages - this.records.filter((r) => inRange(r, period.start, period.end)).length - this.reservations.size - this.others.length;
  }

  private tryAdmit(request: AdmissionRequest): Admission | undefined {
    if (this.manualPause) return undefined;
    const now = this.clock.now();
    if (this.limitedUntil > now) return undefined;
    if (this.minute.heldUntil(now, request.inputTokens) > now) return undefined;
    if (this.messagesLeft(now) < 1) return undefined;
    const remaining = this.remaining(now);
    const minOutput = Math.min(request.maxTokens, request.minOutputTokens ?? 1_024);
    if (this.meter.boundOf(request.model, request.inputTokens, minOutput) > remaining) return undefined;
    const maxTokens = Math.min(request.maxTokens, this.meter.outputWithin(request.model, request.inputTokens, remaining));
    const admission: Admission = {
      id: this.nextId++,
      model: request.model,
      maxTokens,
      inputTokens: request.inputTokens,
      reservedUnits: this.meter.boundOf(request.model, request.inputTokens, maxTokens),
    };
    this.reservations.set(admission.id, admission);
    this.minute.admitted(now, request.inputTokens);
    return admission;
  }

  /** Admits waiting calls in order, and re-arms the timer for the period's end. */
  private pump(): void {
    if (this.board) {
      this.drain();
      return;
    }
    while (this.waiters.length > 0) {
      const head = this.waiters[0]!;
      const granted = this.tryAdmit(head.request);
      if (!granted) break;
      this.waiters.shift();
      head.cleanup();
      head.resolve(granted);
    }
    this.timer?.cancel();
    this.timer = undefined;
    if (this.waiters.length > 0) {
      const now = this.clock.now();
      this.timer = this.clock.setTimer(Math.max(1, this.wakeAt(now) - now), () => this.changed());
    }
  }

  /** When waiting calls should be looked at again: the period's end, a limit's reset, the minute's turn. */
  private wakeAt(now: number): number {
    const head = this.waiters[0];
    const rateHeld = head ? this.minute.heldUntil(now, head.request.inputTokens) : 0;
    if (rateHeld > now) return rateHeld;
    return this.limitedUntil > now ? this.limitedUntil : this.period(now).end;
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
        if (this.waiters.length === 0) break;
        const granted: { waiter: Waiter; admission: Admission }[] = [];
        try {
          // The board was unreachable when the ledger was last read: read all of it first.
          if (this.unread) await this.refresh();
          await this.board!.transact((view) => {
            this.absorb(view);
            const taken: (SharedReservation & { inputTokens: number })[] = [];
            while (this.waiters.length > 0) {
              const head = this.waiters[0]!;
              const admission = this.tryAdmit(head.request);
              if (!admission) break;
              this.waiters.shift();
              const shared = reservationOf(this.board!, admission, this.clock.now());
              const withId = { ...admission, sharedId: shared.id };
              this.reservations.set(admission.id, withId);
              granted.push({ waiter: head, admission: withId });
              taken.push(shared);
            }
            return taken;
          });
          this.boardAnswered();
        } catch (error) {
          // Fail closed: what was granted in this round never reached the board, so it is not granted.
          for (const g of granted.reverse()) {
            this.reservations.delete(g.admission.id);
            this.waiters.unshift(g.waiter);
          }
          granted.length = 0;
          this.boardFailed(error);
        }
        for (const g of granted) {
          g.waiter.cleanup();
          // Aborted while its reservation was being published: nobody will settle it, so release it.
          if (g.waiter.request.signal?.aborted) this.release(g.admission);
          else g.waiter.resolve(g.admission);
        }
        if (granted.length > 0 || this.boardError !== undefined) for (const l of this.listeners) l();
      } while (this.drainAgain);
      this.draining = undefined;
      this.armBoardTimers();
    })();
    this.draining = run;
  }

  /** Re-look while calls wait (others settle, the board comes back); renew leases while calls run. */
  private armBoardTimers(): void {
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.waiters.length > 0) {
      const now = this.clock.now();
      this.pollTimer = this.clock.setTimer(this.boardError !== undefined ? BOARD_RETRY_MS : POLL_MS, () => this.changed());
      this.timer = this.clock.setTimer(Math.max(1, this.wakeAt(now) - now), () => this.changed());
    }
    if (this.reservations.size > 0 && !this.leaseTimer) {
      this.leaseTimer = setInterval(() => {
        if (this.reservations.size === 0) {
          clearInterval(this.leaseTimer);
          this.leaseTimer = undefined;
          return;
        }
        void this.board!.renew(this.clock.now() + this.board!.lease).catch(() => undefined);
      }, Math.max(50, Math.floor(this.board!.lease / 3)));
      this.leaseTimer.unref?.();
    }
  }
}

/** How often waiting calls look at the board again for room another process freed. */
const POLL_MS = 200;
/** How often an unreachable board is tried again while calls wait. */
const BOARD_RETRY_MS = 1_000;


function cancelled(): HeliosError {
  return new HeliosError('cancelled', 'Cancelled while waiting for budget');
}
