import type * as vscode from 'vscode';
import type { HeliosSettings } from '../core/config/settings';
import type { Governor } from '../core/governor/governor';
import type { PlanStore } from '../core/plan/plan';
import type { UsageRecord } from '../core/usage/usageLedger';
import type { BudgetSnapshot } from '../shared/budget';
import type { PlanRunner } from './planRunner';
import type { ProviderHost } from './providerHost';
import type { MetricsHost } from './metricsHost';
import type { CacheHost } from './cacheHost';
import type { ContextKeys } from './contextKeys';
import type { UnsandboxedConsentStore } from './security/unsandboxedConsent';

/**
 * The one object commands receive: the services `activate()` composed. Commands read what they
 * need from here instead of taking ten constructor parameters.
 */
export interface HeliosContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => HeliosSettings;
  readonly providers: ProviderHost;
  /** Admits, settles and accounts every model call (account-wide ledger). */
  readonly governor: Governor;
  /** Undefined when no folder is open: plans need workspace storage. */
  readonly plans: PlanStore | undefined;
  /** Runs plans (created with the context; undefined when no folder is open). */
  runner?: PlanRunner;
  /** The window's L2/L3 caches (L1 is per request); set by activate. */
  cache?: CacheHost;
  /** Set by activate once the metrics host exists. */
  metrics?: MetricsHost;
  /** Helios's context keys for menus; set by activate. */
  contextKeys?: ContextKeys;
  /** The user's stored consent to verify without a sandbox in this folder; set by activate. */
  unsandboxed?: UnsandboxedConsentStore;
  /** The budget as the meter and the budget panel show it. */
  budgetSnapshot(): BudgetSnapshot;
  /** Called after each settled call. */
  onRecorded(record: UsageRecord): void;
}
