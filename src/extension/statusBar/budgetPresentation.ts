import type { BudgetSnapshot } from '../../shared/budget';
import { localeDecimal, localeInteger, localePercent, localeUsd } from '../../shared/numberFormat';
import { englishTranslate, type Translate } from '../translate';
import { sourceLines } from './sourcesPresentation';

/** What the meter shows; a pure function of the snapshot so it is testable without VS Code. */
export interface BudgetView {
  readonly text: string;
  readonly ariaLabel: string;
  /** Markdown; command links are trusted only for the commands in `commands`. */
  readonly tooltip: string;
  readonly severity: 'none' | 'warning' | 'error';
}

export type { Translate };

export interface MeterCommands {
  readonly showBudget: string;
  readonly pause: string;
  readonly resume: string;
  readonly settings: string;
  readonly setApiKey: string;
}

/** `1.2k`, `46k`, `2.50M`, with the locale's digits and separators (`locale` is BCP 47). */
export function formatTokens(n: number, locale = 'en'): string {
  const r = Math.round(n);
  if (r < 1_000) return localeInteger(r, locale);
  if (r < 1_000_000) return `${localeDecimal(r / 1_000, r < 10_000 ? 1 : 0, locale)}k`;
  return `${localeDecimal(r / 1_000_000, r < 10_000_000 ? 2 : 1, locale)}M`;
}

export function formatUnits(n: number, unit: BudgetSnapshot['unit'], locale = 'en'): string {
  return unit === 'usd' ? localeUsd(n, locale, { fraction: n < 10 ? 2 : 0 }) : formatTokens(n, locale);
}

/** `3h12m`, `45m`, `<1m` in English; the units come from `t` in the UI language. */
export function formatDuration(ms: number, t: Translate = englishTranslate): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return t('<1m');
  const h = Math.floor(minutes / 60);
  return h > 0 ? t('{0}h{1}m', h, String(minutes % 60).padStart(2, '0')) : t('{0}m', minutes);
}

export function presentBudget(args: {
  readonly snapshot: BudgetSnapshot;
  readonly provider: 'anthropic' | 'simulator' | 'claude-code';
  readonly t: Translate;
  readonly commands: MeterCommands;
  /** Local time formatter (the host passes the UI locale's). */
  readonly time: (iso: string) => string;
  /** The Anthropic endpoint in use when it is not the official one (the key goes there). */
  readonly customEndpoint?: string;
  /** BCP 47 language for numbers (`vscode.env.language`); English when omitted. */
  readonly locale?: string;
}): BudgetView {
  const { snapshot: s, t, commands } = args;
  const locale = args.locale ?? 'en';
  const units = (n: number, unit: BudgetSnapshot['unit']): string => formatUnits(n, unit, locale);
  const duration = (ms: number): string => formatDuration(ms, t);
  const now = Date.parse(s.now);
  const percent = s.cap > 0 ? Math.round((s.used / s.cap) * 100) : 0;
  const left = Date.parse(s.period.end) - now;
  const icon = s.state === 'paused' ? '$(debug-pause)' : '$(pulse)';
  const parts = [`${icon} ${localePercent(percent / 100, locale)}`];
  if (s.unit === 'usd') parts.push(units(s.used, 'usd'));
  else if (s.period.active) parts.push(duration(left));
  if (args.provider === 'simulator') parts.push(t('Simulator'));
  if (args.provider === 'claude-code') parts.push(t('Claude Code (Max)'));

  const lines: string[] = [];
  const title = s.unit === 'usd' ? t('Helios — API budget today') : t('Helios — current 5-hour window');
  lines.push(`**${title}** · ${stateLabel(s.state, t)}`, '');
  const capNote = s.capSource === 'observed' && s.observedCeiling
    ? t('observed ceiling ≈ {0}, from {1} windows', units(s.observedCeiling.value, s.unit), s.observedCeiling.windows)
    : s.capSource === 'default' ? t('plan default') : t('configured');
  lines.push(t('Used {0} of {1} ({2}); {3} reserved by {4} calls in flight', units(s.used, s.unit), units(s.cap, s.unit), capNote, units(s.reserved, s.unit), s.inFlight), '');
  // Whose usage it is, when this window is not the only spender.
  for (const line of sourceLines(s, t)) lines.push(line, '');
  if (s.period.active) {
    lines.push(t('Window {0} – {1}, resets in {2}', args.time(s.period.start), args.time(s.period.end), duration(left)), '');
  } else {
    lines.push(t('No window is open: the next call starts one.'), '');
  }
  const split = (['opus', 'sonnet', 'haiku', 'fable'] as const)
    .filter((f) => s.byFamily[f].calls > 0)
    .map((f) => `${f[0]!.toUpperCase()}${f.slice(1)} ${units(s.byFamily[f].units, s.unit)}`);
  if (split.length > 0) lines.push(split.join(' · '), '');
  lines.push(t('Burn rate {0}/min · projected {1} at the end', units(s.burnRatePerMin, s.unit), units(s.projectedAtEnd, s.unit)), '');
  if (s.capReachedAt) lines.push(t('At this rate the cap is reached at {0}.', args.time(s.capReachedAt)), '');
  if (s.waiting > 0) lines.push(t('{0} calls are waiting for budget.', s.waiting), '');
  if (args.provider === 'simulator') lines.push(t('Provider: embedded Claude simulator (no API key set; nothing is billed). [Set API Key](command:{0})', commands.setApiKey), '');
  // Whenever calls (with the API key) go somewhere else than Anthropic's own API, the user sees where.
  if (args.provider === 'anthropic' && args.customEndpoint) lines.push(t('Endpoint: {0} — not the official Anthropic API; your API key is sent there (from your user settings).', `\`${args.customEndpoint.replace(/`/g, '')}\``), '');
  const pauseLink = s.state === 'paused' ? `[${t('Resume')}](command:${commands.resume})` : `[${t('Pause')}](command:${commands.pause})`;
  lines.push(`[${t('Show budget')}](command:${commands.showBudget}) · ${pauseLink} · [${t('Settings')}](command:${commands.settings})`);

  return {
    text: parts.join(' · '),
    ariaLabel: t('Helios: {0} percent of the budget used, {1}', percent, stateLabel(s.state, t)),
    tooltip: lines.join('\n'),
    severity: s.state === 'paused' ? 'error' : s.state === 'throttled' ? 'warning' : 'none',
  };
}

function stateLabel(state: BudgetSnapshot['state'], t: Translate): string {
  return state === 'paused' ? t('paused') : state === 'throttled' ? t('throttled') : t('ok');
}
