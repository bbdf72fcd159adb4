import * as vscode from 'vscode';
import { checkKeyRotation } from '../../core/security/keyRotation';
import { COMMANDS, SECRET_KEYS, STATE_KEYS } from '../constants';
import type { HeliosContext } from '../heliosContext';

/**
 * Helios: Set API Key / Rotate API Key — stores the key in SecretStorage only, and the date it was
 * set (never the key) so Helios can remind the user to rotate it.
 */
export async function runSetApiKey(ctx: HeliosContext, rotating = false): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: rotating ? vscode.l10n.t('Helios: rotate the Anthropic API key') : vscode.l10n.t('Helios: Anthropic API key'),
    prompt: rotating
      ? vscode.l10n.t('Create a new key in the Anthropic Console, paste it here, then revoke the old one there.')
      : vscode.l10n.t('The key is kept in VS Code\'s secret storage, never in settings or files.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (/^\S{10,}$/.test(value.trim()) ? undefined : vscode.l10n.t('Paste the whole key (no spaces).')),
  });
  if (!key) return;
  await ctx.extension.secrets.store(SECRET_KEYS.anthropicApiKey, key.trim());
  await ctx.extension.globalState.update(STATE_KEYS.apiKeySetOn, new Date().toISOString().slice(0, 10));
  await ctx.providers.refreshKey();
  ctx.log.info(rotating ? 'API key rotated' : 'API key updated');
  void vscode.window.showInformationMessage(
    rotating ? vscode.l10n.t('New API key saved. Revoke the old key in the Anthropic Console.') : vscode.l10n.t('API key saved. Helios now calls the Anthropic API.'),
  );
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

/** Shows the rotation reminder once per key when the stored key is older than the setting allows. */
export async function maybeRemindKeyRotation(ctx: HeliosContext): Promise<void> {
  const setOn = ctx.extension.globalState.get<string>(STATE_KEYS.apiKeySetOn);
  const remindedFor = ctx.extension.globalState.get<string>(STATE_KEYS.rotationRemindedFor);
  const check = checkKeyRotation({ setOn, remindedFor, now: new Date(), maxAgeDays: ctx.settings().apiKeyRotationDays });
  if (!check.due || !(await ctx.extension.secrets.get(SECRET_KEYS.anthropicApiKey))) return;
  await ctx.extension.globalState.update(STATE_KEYS.rotationRemindedFor, setOn);
  const rotate = vscode.l10n.t('Rotate API Key');
  const picked = await vscode.window.showWarningMessage(
    vscode.l10n.t('Your Anthropic API key was set {0} days ago. Rotating keys regularly limits the damage of a leaked key.', check.ageDays),
    rotate,
  );
  if (picked === rotate) await vscode.commands.executeCommand(COMMANDS.rotateApiKey);
}
