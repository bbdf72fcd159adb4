import type { UsageRecord } from '../usage/usageLedger';
import type { SharedReservation } from './accountBoard';
import { meterFor, resolveCap, type BudgetConfig, type ResolvedCap, type UnitMeter } from './budgetPlans';
import type { Admission, AdmissionRequest } from './governorTypes';
import { dayAt, inRange, monthStartAt, windowAt, type Period } from './periods';

/**
 * The budget's arithmetic: the cap in force and the period it applies to, what the period's
 * records used, and what the calls in flight hold — this process's reservations and, with a
 * board, the others' — so an admission reserves only what is left under every cap that applies.
 * The records are the governor's (it follows the ledger or the board); they are passed in.
 */
export class BudgetBook {
  private readonly reservations = new Map<number, Admission>();
  /** Other processes' calls in flight (the account board's reservations), as of the last look. */
  private theirs: readonly SharedReservation[] = [];
  private nextId = 1;
  private meterOf: UnitMeter;

  /** `ceiling`: the one the provider's refusals showed, which lowers the cap when it is lower. */
  constructor(private configOf: BudgetConfig, private readonly ceiling: () => number | undefined) {
    this.meterOf = meterFor(configOf);
  }

  get config(): BudgetConfig {
    return this.configOf;
  }

  get meter(): UnitMeter {
    return this.meterOf;
  }

  setConfig(config: BudgetConfig): void {
    this.configOf = config;
    this.meterOf = meterFor(config);
  }

  /** This process's calls in flight. */
  get inFlight(): number {
    return this.reservations.size;
  }

  get others(): readonly SharedReservation[] {
    return this.theirs;
  }

  /** The others' calls in flight, as the board's last view showed them. */
  seeOthers(others: readonly SharedReservation[]): void {
    this.theirs = others;
  }

  cap(): ResolvedCap {
    return resolveCap(this.configOf, this.ceiling());
  }

  period(records: readonly UsageRecord[], now: number): Period {
    return this.configOf.plan === 'api' ? dayAt(now) : windowAt(records, now);
  }

  usedIn(records: readonly UsageRecord[], period: Period): number {
    let used = 0;
    for (const r of records) if (inRange(r, period.start, period.end)) used += this.meterOf.unitsOf(r.model, r.usage);
    return used;
  }

  reservedUnits(): number {
    let sum = 0;
    for (const a of this.reservations.values()) sum += a.reservedUnits;
    for (const r of this.theirs) sum += r.units;
    return sum;
  }

  /** Whether the call does not fit now, not even at its minimum output, as far as this process knows. */
  heldBack(request: AdmissionRequest, records: readonly UsageRecord[], now: number): boolean {
    const minOutput = Math.min(request.maxTokens, request.minOutputTokens ?? 1_024);
    return this.messagesLeft(records, now) < 1 || this.meterOf.boundOf(request.model, request.inputTokens, minOutput) > this.remaining(records, now);
  }

  /**
   * Reserves the call's upper bound when it fits: at its full output budget, or at a smaller
   * `max_tokens` as long as its minimum output (`minOutputTokens`, default 1,024) still fits.
   */
  reserve(request: AdmissionRequest, records: readonly UsageRecord[], now: number): Admission | undefined {
    if (this.messagesLeft(records, now) < 1) return undefined;
    const remaining = this.remaining(records, now);
    const minOutput = Math.min(request.maxTokens, request.minOutputTokens ?? 1_024);
    if (this.meterOf.boundOf(request.model, request.inputTokens, minOutput) > remaining) return undefined;
    const maxTokens = Math.min(request.maxTokens, this.meterOf.outputWithin(request.model, request.inputTokens, remaining));
    const admission: Admission = {
      id: this.nextId++,
      model: request.model,
      maxTokens,
      inputTokens: request.inputTokens,
      reservedUnits: this.meterOf.boundOf(request.model, request.inputTokens, maxTokens),
    };
    this.reservations.set(admission.id, admission);
    return admission;
  }

  /** Replaces a reservation (the same one, now with its id on the board). */
  hold(admission: Admission): void {
    this.reservations.set(admission.id, admission);
  }

  /** Frees a reservation; false when it was not held. */
  free(id: number): boolean {
    return this.reservations.delete(id);
  }

  /** Units left under every cap that applies now (window or day, and the month for `api`). */
  private remaining(records: readonly UsageRecord[], now: number): number {
    const period = this.period(records, now);
    let left = this.cap().units - this.usedIn(records, period) - this.reservedUnits();
    if (this.configOf.plan === 'api') {
      const monthUsed = this.usedIn(records, { start: monthStartAt(now), end: period.end, active: true });
      left = Math.min(left, this.configOf.monthlyUsd - monthUsed - this.reservedUnits());
    }
    return left;
  }

  private messagesLeft(records: readonly UsageRecord[], now: number): number {
    const cap = this.cap();
    if (cap.messages <= 0) return Number.POSITIVE_INFINITY;
    const period = this.period(records, now);
    return cap.messages - records.filter((r) => inRange(r, period.start, period.end)).length - this.reservations.size - this.theirs.length;
  }
}
