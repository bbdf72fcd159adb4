import * as vscode from 'vscode';
import { parseSettings, type HeliosSettings } from '../core/config/settings';
import { collectSettings, type IgnoredSetting, type SettingField } from '../core/security/settingPolicy';
import { CONFIG_SECTION, LEGACY_SETTINGS, SETTINGS } from './constants';

/** Every setting field has its key (a compile-time check that SETTINGS is complete). */
const KEYS: Readonly<Record<SettingField, string>> = SETTINGS;

export interface ReadSettings {
  readonly settings: HeliosSettings;
  /** Workspace values of user-only settings (and of the retired allowUnsandboxed) that were ignored. */
  readonly ignored: readonly IgnoredSetting[];
}

/**
 * Reads the settings as Helios uses them. User-only settings (core/security/settingPolicy.ts)
 * come from the user's value or the default — `inspect()`, never `get()`, so a repository's
 * `.vscode/settings.json` cannot name the endpoint, the binary, the budget or the sandbox.
 * `unsandboxedAllowed` answers from the user's stored consent for this folder and verify command
 * (not a setting).
 */
export function readSettingsWithIgnored(unsandboxedAllowed: (verifyCommand: string) => boolean): ReadSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const { raw, ignored } = collectSettings((field) => config.get(KEYS[field]), (field) => config.inspect(KEYS[field]));
  raw['verifyAllowUnsandboxed'] = unsandboxedAllowed(typeof raw['verifyCommand'] === 'string' ? raw['verifyCommand'] : '');
  // The retired setting: any workspace value is ignored (and warned about), a user value too.
  const legacy = config.inspect<unknown>(LEGACY_SETTINGS.verifyAllowUnsandboxed);
  const legacyIgnored: IgnoredSetting[] = [
    ...(legacy?.workspaceFolderValue !== undefined ? [{ field: 'verifyAllowUnsandboxed', scope: 'workspaceFolder' as const, value: legacy.workspaceFolderValue }] : []),
    ...(legacy?.workspaceValue !== undefined ? [{ field: 'verifyAllowUnsandboxed', scope: 'workspace' as const, value: legacy.workspaceValue }] : []),
  ];
  return { settings: parseSettings(raw), ignored: [...ignored, ...legacyIgnored] };
}

/** The full key (`helios.anthropic.baseUrl`) of a settings field, for messages and file scans. */
export function settingKey(field: string): string {
  const key = (KEYS as Record<string, string>)[field] ?? (LEGACY_SETTINGS as Record<string, string>)[field] ?? field;
  return `${CONFIG_SECTION}.${key}`;
}

export function affectsHelios(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}
