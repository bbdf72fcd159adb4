import type * as vscode from 'vscode';
import type { HeliosSettings } from '../core/config/settings';
import type { PlanStore } from '../core/plan/plan';
import { currentWindow, type UsageLedger, type UsageRecord } from '../core/usage/usageLedger';
import type { ProviderHost } from './providerHost';
import type { BudgetStatusBar } from './statusBar/budgetStatusBar';

/**
 * The one object commands receive: the services `activate()` composed. Commands read what they
 * need from here instead of taking ten constructor parameters.
 */
export interface HeliosContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => HeliosSettings;
  readonly providers: ProviderHost;
  readonly ledger: UsageLedger;
  /** Undefined when no folder is open: plans need workspace storage. */
  readonly plans: PlanStore | undefined;
  readonly statusBar: BudgetStatusBar;
  /** Re-reads the ledger and redraws the meter. */
  refreshBudget(): Promise<void>;
  /** Called after each recorded call, before the ledger is re-read. */
  onRecorded(record: UsageRecord): void;
}

export async function readCurrentWindow(ledger: UsageLedger, log: vscode.LogOutputChannel) {
  const { records, skipped } = await ledger.readAll();
  if (skipped > 0) log.warn(`Usage ledger: skipped ${skipped} unreadable line(s)`);
  return currentWindow(records, new Date());
}
