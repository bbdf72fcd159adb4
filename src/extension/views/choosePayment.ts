import * as vscode from 'vscode';
import { COMMANDS } from '../constants';
import type { ProviderMode } from '../providerHost';

/**
 * How Helios should call Claude: the user's Claude Code (Pro/Max), a metered API key, or the
 * offline simulator. Asked once on first run when `claude` is installed, and from the walkthrough.
 * Resolves with the choice, or undefined when the user dismissed the pick.
 */
export async function choosePayment(current: ProviderMode): Promise<ProviderMode | undefined> {
  const choices = [
    { label: vscode.l10n.t('Use my Claude Code (Pro/Max)'), detail: vscode.l10n.t('Runs your logged-in claude; calls draw on your subscription\'s 5-hour window.'), provider: 'claude-code' as const },
    { label: vscode.l10n.t('Set API Key'), detail: vscode.l10n.t('Metered Anthropic API billing.'), provider: 'anthropic' as const },
    { label: vscode.l10n.t('Use the offline simulator'), detail: vscode.l10n.t('Nothing is billed; answers are generated locally.'), provider: 'simulator' as const },
  ];
  const picked = await vscode.window.showQuickPick(choices, { title: vscode.l10n.t('Helios: how should Helios call Claude?'), ignoreFocusOut: true });
  const config = vscode.workspace.getConfiguration('helios');
  if (picked?.provider === 'claude-code') await config.update('provider', 'claude-code', vscode.ConfigurationTarget.Global);
  if (picked?.provider === 'anthropic') await vscode.commands.executeCommand(COMMANDS.setApiKey);
  // Back to the simulator from another provider; on first run it is in use already.
  if (picked?.provider === 'simulator' && current !== 'simulator') await config.update('provider', 'simulator', vscode.ConfigurationTarget.Global);
  return picked?.provider;
}
