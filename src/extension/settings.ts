import * as vscode from 'vscode';
import { parseSettings, type HeliosSettings } from '../core/config/settings';
import { CONFIG_SECTION, SETTINGS } from './constants';

export function readSettings(): HeliosSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(SETTINGS)) raw[field] = config.get(key);
  // Running verify commands unsandboxed is a per-workspace decision: a user-wide value is ignored.
  const unsandboxed = config.inspect<boolean>(SETTINGS.verifyAllowUnsandboxed);
  raw['verifyAllowUnsandboxed'] = unsandboxed?.workspaceFolderValue ?? unsandboxed?.workspaceValue ?? false;
  return parseSettings(raw);
}

export function affectsHelios(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}
