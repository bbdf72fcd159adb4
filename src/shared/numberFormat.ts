/**
 * Numbers in the UI language, for the status bar (host) and the panels (webview) alike. Every
 * function takes the BCP 47 locale explicitly (the host's `vscode.env.language`, a page's
 * `<html lang>`), so nothing silently falls back to the machine's or the browser's default.
 * Compact token counts keep the `k`/`M`/`B` suffixes, which read the same in every language we
 * ship; only the digits, separators and the dollar sign's position follow the locale.
 */

const formats = new Map<string, Intl.NumberFormat>();

/** One cached formatter per locale and options; an unknown locale falls back to English. */
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, options);
    } catch {
      f = new Intl.NumberFormat('en', options);
    }
    formats.set(key, f);
  }
  return f;
}

/** 1234 → "1,234" (en), "1.234" (de). Non-finite → "–". */
export function localeInteger(n: number, locale: string): string {
  return Number.isFinite(n) ? numberFormat(locale, { maximumFractionDigits: 0 }).format(Math.round(n)) : '–';
}

/**
 * A fixed number of decimals: (12.345, 1) → "12.3" (en), "12,3" (de). Rounded as `toFixed`
 * rounds (the binary value), so every language shows the same digits.
 */
export function localeDecimal(n: number, digits: number, locale: string): string {
  if (!Number.isFinite(n)) return '–';
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(n.toFixed(digits)));
}

/** Like `localeDecimal`, but a value that rounds to a whole number drops its decimals ("1k", not "1.0k"). */
export function localeTrimmed(n: number, digits: number, locale: string): string {
  const rounded = Number(n.toFixed(digits));
  return Number.isInteger(rounded) ? localeInteger(rounded, locale) : localeDecimal(rounded, digits, locale);
}

/**
 * US dollars with `digits` decimals ("$1,234.50"; "1.234,50 $" in German). `significant`
 * instead keeps that many significant digits, so sub-cent amounts stay visible ("$0.0042").
 */
export function localeUsd(usd: number, locale: string, digits: { readonly fraction?: number; readonly significant?: number } = { fraction: 2 }): string {
  if (!Number.isFinite(usd)) return '–';
  const base: Intl.NumberFormatOptions = { style: 'currency', currency: 'USD', currencyDisplay: 'narrowSymbol' };
  const options: Intl.NumberFormatOptions = digits.significant !== undefined
    ? { ...base, maximumSignificantDigits: digits.significant }
    : { ...base, minimumFractionDigits: digits.fraction ?? 2, maximumFractionDigits: digits.fraction ?? 2 };
  return numberFormat(locale, options).format(usd);
}

/** A share (0..1, or more) as a whole percent: 0.12 → "12%" (en), "12 %" (de). */
export function localePercent(fraction: number, locale: string): string {
  if (!Number.isFinite(fraction)) return '–';
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}
