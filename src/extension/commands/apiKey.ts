import * as vscode from 'vscode';
import { SECRET_KEYS, STATE_KEYS } from '../constants';
import type { HeliosContext } from '../heliosContext';

/** Helios: Set API Key — stores the key in SecretStorage only, and the date it was set (not the key). */
export async function runSetApiKey(ctx: HeliosContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('Helios: Anthropic API key'),
    prompt: vscode.l10n.t('The key is kept in VS Code\'s secret storage, never in settings or files.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (/^\S{10,}$/.test(value.trim()) ? undefined : vscode.l10n.t('Paste the whole key (no spaces).')),
  });
  if (!key) return;
  await ctx.extension.secrets.store(SECRET_KEYS.anthropicApiKey, key.trim());
  await ctx.extension.globalState.update(STATE_KEYS.apiKeySetOn, new Date().toISOString().slice(0, 10));
  await ctx.providers.refreshKey();
  ctx.log.info('API key updated');
  void vscode.window.showInformationMessage(vscode.l10n.t('API key saved. Helios now calls the Anthropic API.'));
}

export async function runClearApiKey(ctx: HeliosContext): Promise<void> {
  await ctx.extension.secrets.delete(SECRET_KEYS.anthropicApiKey);
  await ctx.extension.globalState.update(STATE_KEYS.apiKeySetOn, undefined);
  await ctx.providers.refreshKey();
  ctx.log.info('API key removed');
  void vscode.window.showInformationMessage(
    ctx.providers.hasKey
      ? vscode.l10n.t('API key removed from secret storage. ANTHROPIC_API_KEY from the environment is still used.')
      : vscode.l10n.t('API key removed. Helios now uses its built-in simulator.'),
  );
}
