import type { UsageWindow } from '../../core/usage/usageLedger';

/** What the meter shows; a pure function of the window so it is testable without VS Code. */
export interface BudgetView {
  readonly text: string;
  readonly ariaLabel: string;
  /** Markdown; command links are trusted only for Helios's own commands. */
  readonly tooltip: string;
}

export type Translate = (message: string, ...args: Array<string | number>) => string;

export function formatTokens(n: number): string {
  if (n < 1_000) return String(n);
  if (n < 1_000_000) return `${(n / 1_000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

export function presentBudget(args: {
  readonly window: UsageWindow | undefined;
  readonly provider: 'anthropic' | 'simulator';
  readonly now: Date;
  readonly t: Translate;
  readonly showBudgetCommand: string;
  readonly setKeyCommand: string;
}): BudgetView {
  const { window, provider, now, t } = args;
  const tokens = window?.tokens ?? 0;
  const providerLabel = provider === 'simulator' ? t('Simulator') : t('Anthropic API');
  const text = `$(pulse) ${t('{0} tok', formatTokens(tokens))} · ${providerLabel}`;
  const lines: string[] = [`**${t('Helios — current 5-hour window')}**`, ''];
  if (window) {
    const minutesLeft = Math.max(0, Math.round((window.end.getTime() - now.getTime()) / 60_000));
    lines.push(
      t('Tokens used: {0} in {1} calls', tokens.toLocaleString('en-US'), window.calls),
      '',
      t('Cost: ${0}', window.costUsd.toFixed(4)),
      '',
      t('Window: {0} – {1} (resets in {2} h {3} min)', hhmm(window.start), hhmm(window.end), Math.floor(minutesLeft / 60), minutesLeft % 60),
    );
  } else {
    lines.push(t('No Helios calls in the current window.'));
  }
  lines.push('', provider === 'simulator'
    ? t('Provider: embedded Claude simulator (no API key set; nothing is billed). [Set API Key](command:{0})', args.setKeyCommand)
    : t('Provider: Anthropic API'));
  lines.push('', `[${t('Show budget')}](command:${args.showBudgetCommand})`);
  return {
    text,
    ariaLabel: t('Helios: {0} tokens used in the current 5-hour window ({1})', tokens, providerLabel),
    tooltip: lines.join('\n'),
  };
}

function hhmm(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
