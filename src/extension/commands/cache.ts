import * as vscode from 'vscode';
import type { CacheStats } from '../../core/cache/cachedLlmClient';
import { HeliosError } from '../../core/errors/heliosError';
import type { HeliosContext } from '../heliosContext';
import { localeInteger, localeUsd } from '../../shared/numberFormat';

const t = vscode.l10n.t;

function rate(hits: number, misses: number): string {
  return hits + misses === 0 ? '—' : `${((100 * hits) / (hits + misses)).toFixed(1)} %`;
}

/** Said only when a write failed: the answers were still returned, the entries were not kept. */
function failures(n: number | undefined): string {
  return n ? t(' · {0} writes failed (see the Helios log)', n) : '';
}

function usd(n: number): string {
  return localeUsd(n, vscode.env.language, { fraction: n < 1 ? 4 : 2 });
}

/** One row per layer: what it served, what it saved, how big it is. Pure, so it reads the same in tests and UI. */
export function cacheStatsRows(stats: CacheStats | undefined, sizes: { entries: number; bytes: number }, enabled: { exact: boolean; semantic: boolean }): vscode.QuickPickItem[] {
  const s = stats;
  const l1Share = s && s.L1.inputTokens > 0 ? `${((100 * s.L1.readTokens) / s.L1.inputTokens).toFixed(1)} %` : '—';
  return [
    {
      label: t('L1 · provider prompt cache'),
      description: t('{0} of input tokens read from cache · {1} calls', l1Share, s?.L1.calls ?? 0),
      detail: t('read {0} · written {1} tokens · saved {2}', localeInteger(s?.L1.readTokens ?? 0, vscode.env.language), localeInteger(s?.L1.writeTokens ?? 0, vscode.env.language), usd(s?.L1.savedUsd ?? 0)),
    },
    {
      label: t('L2 · exact match'),
      description: enabled.exact
        ? t('hit rate {0} · {1} hits · {2} misses', rate(s?.L2.hits ?? 0, s?.L2.misses ?? 0), s?.L2.hits ?? 0, s?.L2.misses ?? 0)
        : t('off (helios.cache.enabled)'),
      detail: t('{0} entries · {1} KB · saved {2} tokens, {3}', sizes.entries, Math.round(sizes.bytes / 1024), localeInteger(s?.L2.savedTokens ?? 0, vscode.env.language), usd(s?.L2.savedUsd ?? 0)) + failures(s?.L2.writeFailures),
    },
    {
      label: t('L3 · semantic (guarded)'),
      description: enabled.semantic
        ? t('hit rate {0} · {1} hits · {2} hints · {3} misses', rate(s?.L3.hits ?? 0, s?.L3.misses ?? 0), s?.L3.hits ?? 0, s?.L3.hints ?? 0, s?.L3.misses ?? 0)
        : t('off (helios.cache.semantic.enabled)'),
      detail: t('{0} entries · saved {1} tokens, {2} · blocked by guards: {3}', s?.L3.entries ?? 0, localeInteger(s?.L3.savedTokens ?? 0, vscode.env.language), usd(s?.L3.savedUsd ?? 0),
        Object.entries(s?.L3.blocked ?? {}).map(([g, n]) => `${g} ${n}`).join(', ') || t('none')) + failures(s?.L3.writeFailures),
    },
  ];
}

/** Helios: Show Cache Stats — hit rates per layer since this window started, saved tokens and dollars, sizes. */
export async function runShowCacheStats(ctx: HeliosContext): Promise<void> {
  const cache = ctx.cache;
  if (!cache) throw new HeliosError('no_workspace', 'No cache without a workspace');
  const stats = await cache.stats();
  const clear = { label: t('$(trash) Clear Cache'), description: t('Drop every L2 and L3 entry of this workspace'), clear: true };
  const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & { clear?: boolean }>(
    [...cacheStatsRows(stats, await cache.sizes(), cache.enabled()), { label: '', kind: vscode.QuickPickItemKind.Separator }, clear],
    { title: t('Helios cache · saved {0} this session', usd(stats?.savedUsd ?? 0)), placeHolder: t('Counts since this window started; sizes are of the stored cache.') },
  );
  if (picked?.clear) await runClearCache(ctx);
}

/** Helios: Clear Cache — asks first: the entries cost tokens to rebuild. */
export async function runClearCache(ctx: HeliosContext): Promise<void> {
  const cache = ctx.cache;
  if (!cache) throw new HeliosError('no_workspace', 'No cache without a workspace');
  const yes = t('Clear Cache');
  const ok = await vscode.window.showWarningMessage(t('Clear the exact-match and semantic caches of this workspace? Repeated requests will be paid for again.'), { modal: true }, yes);
  if (ok !== yes) return;
  await cache.clear();
  ctx.log.info('Cache cleared');
  void vscode.window.showInformationMessage(t('Helios cache cleared.'));
}
