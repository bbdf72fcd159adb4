/**
 * The governor's view of the budget, as every surface shows it: the status-bar meter, the budget
 * panel, `helios usage`/`helios budget` on the CLI. Produced by core/governor; plain data.
 */
import type { ModelFamily } from './models';

/** `api`: a dollar budget per day and month, no 5-hour window. The others meter a 5-hour window. */
export type BudgetPlanKind = 'pro' | 'max5x' | 'max20x' | 'api' | 'custom';

/** ok → throttled at the threshold (no Opus unless required, lower concurrency) → paused at the cap. */
export type GovernorState = 'ok' | 'throttled' | 'paused';

/** Units: weighted tokens (Sonnet-equivalent) for subscription plans, US dollars for `api`. */
export type BudgetUnit = 'tokens' | 'usd';

/** Where the cap in force came from, so the UI can say which numbers are defaults. */
export type CapSource = 'default' | 'configured' | 'observed';

export interface FamilyUsage {
  readonly units: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly calls: number;
}

export interface WindowSummary {
  readonly start: string;
  readonly end: string;
  readonly units: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly calls: number;
  /** The provider said a limit was reached in this window. */
  readonly hitLimit: boolean;
}

/**
 * Who spent in the period, for the meter and the panel: this process (`self`), other VS Code
 * windows, `helios run`, benchmark workers, teammates (team mode), Claude Code outside Helios (its
 * logs), another process whose kind was not recorded, and records from before usage was attributed.
 */
export type UsageSourceKind = 'self' | 'window' | 'cli' | 'bench' | 'member' | 'claudeCode' | 'other' | 'unattributed';

export interface UsageSource {
  readonly kind: UsageSourceKind;
  /**
   * Who, as recorded: the origin label ("VS Code: app", "helios run app") or the member's name;
   * null where the kind says it all (benchmarks, Claude Code, unattributed records).
   */
  readonly label: string | null;
  /** Settled in the period. */
  readonly units: number;
  readonly costUsd: number;
  readonly calls: number;
  /** Calls in flight now, and the units they hold against the cap. */
  readonly inFlight: number;
  readonly reservedUnits: number;
}

export interface BudgetSnapshot {
  readonly plan: BudgetPlanKind;
  readonly unit: BudgetUnit;
  readonly state: GovernorState;
  readonly provider: string;
  /** The period the cap applies to: the 5-hour window, or the calendar day for `api`. */
  readonly period: { readonly start: string; readonly end: string; readonly active: boolean };
  /** Settled usage in the period (this and every other VS Code window of the account). */
  readonly used: number;
  /** Reserved by calls in flight, not settled yet. */
  readonly reserved: number;
  readonly cap: number;
  readonly capSource: CapSource;
  /** Fraction of the cap at which the governor throttles (default 0.8). */
  readonly throttleAt: number;
  readonly byFamily: Readonly<Record<ModelFamily, FamilyUsage>>;
  /** Units per minute over the last 30 minutes. */
  readonly burnRatePerMin: number;
  /** Used units at the period's end if the burn rate holds. */
  readonly projectedAtEnd: number;
  /** When the cap is reached at the current burn rate, if within the period. */
  readonly capReachedAt: string | null;
  readonly observedCeiling: { readonly value: number; readonly windows: number } | null;
  /** Rolling 7 days. */
  readonly weekly: { readonly units: number; readonly tokens: number; readonly costUsd: number };
  /** `api` only: spend this calendar month against the monthly budget. */
  readonly month: { readonly costUsd: number; readonly budgetUsd: number } | null;
  readonly perProject: ReadonlyArray<{ readonly workspace: string; readonly units: number; readonly costUsd: number }>;
  /** Whose usage the period's is: `self` first (when this process is on the account board), then the others by kind and units. */
  readonly sources: readonly UsageSource[];
  /** Cumulative used units through the period, for the burn chart. */
  readonly history: ReadonlyArray<{ readonly t: string; readonly used: number }>;
  readonly recentWindows: readonly WindowSummary[];
  readonly inFlight: number;
  readonly waiting: number;
  readonly now: string;
}
