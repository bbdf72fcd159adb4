import * as vscode from 'vscode';
import type { HeliosContext } from '../heliosContext';

/** Helios: Show Cache Stats — hit rates per layer, saved cost, sizes (filled in when the cache lands). */
export async function runShowCacheStats(ctx: HeliosContext): Promise<void> {
  ctx.log.info('Cache stats requested');
  await vscode.window.showInformationMessage(vscode.l10n.t('Helios cache statistics are not available yet.'));
}

export async function runClearCache(ctx: HeliosContext): Promise<void> {
  ctx.log.info('Cache clear requested');
  await vscode.window.showInformationMessage(vscode.l10n.t('Helios cache statistics are not available yet.'));
}
