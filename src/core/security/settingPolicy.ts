import type { HeliosSettings } from '../config/settings';

/**
 * Who may set each Helios setting. A cloned repository controls `.vscode/settings.json` and its
 * `.code-workspace` file, so anything that decides where the API key goes, which binary runs,
 * what the sandbox lets through, what is applied without asking, or what the user spends is the
 * user's alone: for those only the user's own value (or the default) counts, and a workspace value
 * is ignored with a warning. What describes the project itself (its verify command, its git
 * layout, its caches) the repository may set.
 *
 * `verifyAllowUnsandboxed` is not a setting at all: it is a consent Helios stores per folder in
 * its own storage (see `unsandboxedConsent.ts`), so it is absent here.
 */
export type SettingOwner = 'user' | 'repository';

export type SettingField = Exclude<keyof HeliosSettings, 'verifyAllowUnsandboxed'>;

/** Why a setting is the user's: the README's "Security model" table says the same in words. */
export type UserOnlyReason = 'key_destination' | 'binary' | 'spend' | 'sandbox' | 'applies_edits' | 'machine';

export const SETTING_OWNERS: Readonly<Record<SettingField, { readonly owner: SettingOwner; readonly why?: UserOnlyReason }>> = {
  provider: { owner: 'user', why: 'key_destination' },
  anthropicBaseUrl: { owner: 'user', why: 'key_destination' },
  claudeCodePath: { owner: 'user', why: 'binary' },
  claudeCodeMaxConcurrency: { owner: 'user', why: 'machine' },
  metricsPort: { owner: 'user', why: 'machine' },
  apiKeyRotationDays: { owner: 'user', why: 'key_destination' },
  architectModel: { owner: 'user', why: 'spend' },
  architectMaxOutputTokens: { owner: 'user', why: 'spend' },
  budgetPlan: { owner: 'user', why: 'spend' },
  budgetWindowTokens: { owner: 'user', why: 'spend' },
  budgetWindowMessages: { owner: 'user', why: 'spend' },
  budgetOpusWeight: { owner: 'user', why: 'spend' },
  budgetDailyUsd: { owner: 'user', why: 'spend' },
  budgetMonthlyUsd: { owner: 'user', why: 'spend' },
  budgetThrottleAt: { owner: 'user', why: 'spend' },
  budgetIncludeClaudeCode: { owner: 'user', why: 'spend' },
  runConcurrency: { owner: 'user', why: 'spend' },
  runPerPlanConcurrency: { owner: 'user', why: 'spend' },
  routerDefaultMap: { owner: 'user', why: 'spend' },
  routerOpusShareLimit: { owner: 'user', why: 'spend' },
  routerHaikuEnabled: { owner: 'user', why: 'spend' },
  routerFableEnabled: { owner: 'user', why: 'spend' },
  reviewMaxRounds: { owner: 'user', why: 'spend' },
  reviewAutoAcceptApproved: { owner: 'user', why: 'applies_edits' },
  // Hosts the sandbox lets the verify command reach: with the project's own verify command, a
  // repository that could also open the network could send the code anywhere.
  verifyAllowedHosts: { owner: 'user', why: 'sandbox' },
  verifyCommand: { owner: 'repository' },
  verifyTimeoutSeconds: { owner: 'repository' },
  reviewEnabled: { owner: 'repository' },
  plansGitBranch: { owner: 'repository' },
  cacheEnabled: { owner: 'repository' },
  cacheSemanticEnabled: { owner: 'repository' },
  requestTimeoutSeconds: { owner: 'repository' },
  maxRetries: { owner: 'repository' },
  simulatorSpeedUp: { owner: 'repository' },
};

export function isUserOnly(field: SettingField): boolean {
  return SETTING_OWNERS[field].owner === 'user';
}

/** What VS Code's `WorkspaceConfiguration.inspect()` returns, reduced to the scopes Helios reads. */
export interface InspectedValue {
  readonly defaultValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

export type WorkspaceScope = 'workspace' | 'workspaceFolder';

export interface IgnoredSetting {
  readonly field: string;
  readonly scope: WorkspaceScope;
  readonly value: unknown;
}

/**
 * The value of a user-only setting: the user's own, else the default — never a workspace's, which
 * is reported instead so the adapter can warn.
 */
export function userLevelValue(inspected: InspectedValue | undefined, field: string): { value: unknown; ignored: IgnoredSetting[] } {
  const ignored: IgnoredSetting[] = [];
  if (inspected?.workspaceFolderValue !== undefined) ignored.push({ field, scope: 'workspaceFolder', value: inspected.workspaceFolderValue });
  if (inspected?.workspaceValue !== undefined) ignored.push({ field, scope: 'workspace', value: inspected.workspaceValue });
  return { value: inspected?.globalValue ?? inspected?.defaultValue, ignored };
}

/**
 * The raw settings object for `parseSettings`: user-only fields from `inspect` (user value or
 * default), the others as VS Code resolves them (`get`). Returns what a workspace set and Helios
 * ignored.
 */
export function collectSettings(
  get: (field: SettingField) => unknown,
  inspect: (field: SettingField) => InspectedValue | undefined,
): { raw: Record<string, unknown>; ignored: IgnoredSetting[] } {
  const raw: Record<string, unknown> = {};
  const ignored: IgnoredSetting[] = [];
  for (const field of Object.keys(SETTING_OWNERS) as SettingField[]) {
    if (!isUserOnly(field)) {
      raw[field] = get(field);
      continue;
    }
    const resolved = userLevelValue(inspect(field), field);
    raw[field] = resolved.value;
    ignored.push(...resolved.ignored);
  }
  return { raw, ignored };
}
