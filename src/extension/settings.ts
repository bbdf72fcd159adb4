import * as vscode from 'vscode';
import { parseSettings, type HeliosSettings } from '../core/config/settings';
import { CONFIG_SECTION, SETTINGS } from './constants';

export function readSettings(): HeliosSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(SETTINGS)) raw[field] = config.get(key);
  return parseSettings(raw);
}

export function affectsHelios(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}
