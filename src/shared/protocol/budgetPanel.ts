/**
 * The typed protocol between the budget panel (webview) and the extension host. Both sides import
 * this file; the host validates every incoming message (extension/budgetPanel/budgetPanelMessages.ts).
 */
import type { BudgetSnapshot, CapSource, GovernorState, UsageSourceKind } from '../budget';
import type { ModelFamily } from '../models';

/** What the panel's buttons ask the host to do; the host maps each to a command id. */
export const BUDGET_PANEL_COMMANDS = ['pause', 'resume', 'openSettings', 'showLog'] as const;
export type BudgetPanelCommand = (typeof BUDGET_PANEL_COMMANDS)[number];

/** The collapsible sections, by the key the page persists. */
export const BUDGET_PANEL_SECTIONS = ['sources', 'families', 'history', 'projects', 'windows'] as const;
export type BudgetPanelSection = (typeof BUDGET_PANEL_SECTIONS)[number];

/**
 * Strings the panel shows, localized by the host (the webview has no l10n of its own).
 * `{0}`, `{1}` are placeholders the page fills, so each language keeps its own word order.
 */
export interface BudgetPanelStrings {
  readonly title: string;
  /** The host could not read the ledger. */
  readonly unavailable: string;
  readonly states: Readonly<Record<GovernorState, string>>;
  /** One sentence per state saying what the governor is doing about it; `{0}` is the reset time. */
  readonly stateDetails: Readonly<Record<GovernorState, string>>;
  readonly plans: Readonly<Record<BudgetSnapshot['plan'], string>>;
  /** `{0}` is the observed ceiling, `{1}` the number of windows it was observed in (observed only). */
  readonly capSources: Readonly<Record<CapSource, string>>;
  readonly families: Readonly<Record<ModelFamily, string>>;
  readonly periodWindow: string;
  readonly periodDay: string;
  readonly noActivePeriod: string;
  /** `{0}` used, `{1}` reserved, `{2}` cap, `{3}` percent of the cap. */
  readonly gaugeSummary: string;
  readonly used: string;
  readonly reserved: string;
  readonly cap: string;
  readonly threshold: string;
  /** `{0}` percent. */
  readonly throttleAt: string;
  /** `{0}` duration. */
  readonly resetsIn: string;
  /** `{0}` clock time. */
  readonly resetsAt: string;
  /** `{0}` calls in flight, `{1}` calls waiting. */
  readonly queue: string;
  /** `{0}` amount per minute. */
  readonly burnRate: string;
  /** `{0}` clock time. */
  readonly capReachedAt: string;
  readonly withinBudget: string;
  /** Used and reserved have reached the cap. */
  readonly capReachedNow: string;
  /** `{0}` projected amount at the period's end. */
  readonly projected: string;
  readonly now: string;
  /** Legend entry for the dashed projection line. */
  readonly projectedLegend: string;
  readonly durationDaysHours: string;
  readonly durationHoursMinutes: string;
  readonly durationMinutes: string;
  readonly durationUnderMinute: string;
  /** "Who is spending": the period's usage by window, CLI, teammate. */
  readonly sectionSources: string;
  readonly sectionFamilies: string;
  readonly sectionHistory: string;
  readonly sectionProjects: string;
  readonly sectionWindows: string;
  readonly sectionTotals: string;
  readonly colFamily: string;
  readonly colUnits: string;
  readonly colTokens: string;
  readonly colCost: string;
  readonly colCalls: string;
  readonly colShare: string;
  readonly total: string;
  readonly colProject: string;
  readonly colWindow: string;
  /** The "who" column of the spenders table. */
  readonly colSource: string;
  readonly colInFlight: string;
  /** What each kind of spender is called ("This window", "Another window", "Teammate"). */
  readonly sourceKinds: Readonly<Record<UsageSourceKind, string>>;
  readonly noSources: string;
  readonly limitHit: string;
  readonly noFamilies: string;
  readonly noHistory: string;
  readonly noProjects: string;
  readonly noWindows: string;
  /** `{0}` units, `{1}` tokens, `{2}` cost. */
  readonly weekly: string;
  /** For dollar budgets, where units are the cost: `{0}` cost, `{1}` tokens. */
  readonly weeklyUsd: string;
  /** `{0}` spent, `{1}` budget, `{2}` percent. */
  readonly month: string;
  readonly unitTokens: string;
  readonly unitUsd: string;
  readonly commands: Readonly<Record<BudgetPanelCommand, string>>;
  /** Provider names for the header ("anthropic", "simulator", "claude-code"); one not listed shows its key. */
  readonly providers: Readonly<Record<string, string>>;
}

export type HostToBudgetPanel = {
  readonly type: 'snapshot';
  /** null when the host could not read the budget; the page says so and keeps its view state. */
  readonly snapshot: BudgetSnapshot | null;
  readonly strings: BudgetPanelStrings;
};

export type BudgetPanelToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'command'; readonly command: BudgetPanelCommand };

/** What the panel persists through `vscode.setState` (view state only; the host owns the data). */
export interface BudgetPanelViewState {
  readonly collapsed: readonly BudgetPanelSection[];
}
