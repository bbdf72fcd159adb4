import type { GovernorState } from '../../shared/budget';
import type { OriginKind, UsageRecord } from '../usage/usageLedger';
import type { SharedReservation } from './accountBoard';
import type { BudgetConfig, ResolvedCap, UnitMeter } from './budgetPlans';
import type { LimitObservation } from './limitLearning';
import type { Period } from './periods';

/** The governor's vocabulary: its clock, what a call asks for and is granted, and what it shows. */

export interface GovernorClock {
  now(): number;
  /** Calls `fn` after `ms`; the governor cancels timers it no longer needs. */
  setTimer(ms: number, fn: () => void): { cancel(): void };
}

export const SYSTEM_CLOCK: GovernorClock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const handle = setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    return { cancel: () => clearTimeout(handle) };
  },
};

export interface AdmissionRequest {
  readonly model: string;
  /** Counted input tokens of the request (count_tokens, or a local upper bound). */
  readonly inputTokens: number;
  /** The output budget the caller would like; the admission may grant less, never more. */
  readonly maxTokens: number;
  /** Below this many output tokens the call is not worth making: wait instead. */
  readonly minOutputTokens?: number;
  readonly signal?: AbortSignal;
}

/** A granted call: its reservation is held until `settle` or `release`. */
export interface Admission {
  readonly id: number;
  /** Its id on the account board, when there is one. */
  readonly sharedId?: string;
  readonly model: string;
  /** The output budget the call must be sent with, so it cannot overshoot the cap. */
  readonly maxTokens: number;
  /** The input the call was admitted with (counted, with margin). */
  readonly inputTokens: number;
  readonly reservedUnits: number;
}

export interface GovernorView {
  readonly now: number;
  readonly period: Period;
  readonly config: BudgetConfig;
  readonly meter: UnitMeter;
  readonly cap: ResolvedCap;
  readonly state: GovernorState;
  readonly records: readonly UsageRecord[];
  readonly observations: readonly LimitObservation[];
  readonly used: number;
  /** Units reserved by calls in flight: this process's and the others' (`othersReserved`). */
  readonly reserved: number;
  readonly inFlight: number;
  readonly waiting: number;
  /** Other processes' (windows', the CLI's, teammates') calls in flight on the account board. */
  readonly othersInFlight?: number;
  readonly othersReserved?: number;
  /** Those calls, with who holds them (label, member). */
  readonly otherCalls?: readonly SharedReservation[];
  /** This process on the board: its holder id (records it settled carry it) and member. */
  readonly self?: { readonly holder: string; readonly label?: string; readonly member?: string; readonly originKind?: OriginKind };
  /** The account board cannot be reached: nothing is admitted until it can. */
  readonly unavailable?: string;
}
