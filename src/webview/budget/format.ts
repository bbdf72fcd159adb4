/**
 * Number, money, time and text helpers for the budget panel. DOM-free, so node tests them.
 * Numbers keep a compact shape (`12.3k`, `$1.23`) with the UI language's digits and separators;
 * clock times and dates follow the UI language through Intl. `locale` defaults to the page's.
 */
import type { BudgetUnit } from '../../shared/budget';
import { localeInteger, localePercent, localeTrimmed, localeUsd } from '../../shared/numberFormat';
import { pageLocale } from '../common/pageLocale';

/** Fills `{0}`, `{1}`… in a localized template; an unknown placeholder stays visible. */
export function fill(template: string, ...args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (match, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? match : String(v);
  });
}

/** 950 · 12.3k · 123k · 1.23M · 12.3M · 1.2B; negative and non-finite values are handled. */
export function formatTokens(n: number, locale = pageLocale()): string {
  if (!Number.isFinite(n)) return '–';
  if (n < 0) return `−${formatTokens(-n, locale)}`;
  if (n < 1_000) return localeInteger(n, locale);
  // Rounding can carry into the next unit (999 950 → "1000k"): move up instead.
  if (n < 99_950) return `${localeTrimmed(n / 1_000, 1, locale)}k`;
  if (n < 999_500) return `${localeInteger(n / 1_000, locale)}k`;
  if (n < 9_995_000) return `${localeTrimmed(n / 1_000_000, 2, locale)}M`;
  if (n < 999_950_000) return `${localeTrimmed(n / 1_000_000, 1, locale)}M`;
  return `${localeTrimmed(n / 1_000_000_000, 1, locale)}B`;
}

/** $0 · $0.0042 (below a cent) · $1.23 · $1,234.56 · $12,345 (whole dollars from $10k). */
export function formatUsd(usd: number, locale = pageLocale()): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd < 0) return `−${formatUsd(-usd, locale)}`;
  if (usd === 0) return localeUsd(0, locale, { fraction: 0 });
  if (usd < 0.01) return localeUsd(usd, locale, { significant: 2 });
  return localeUsd(usd, locale, { fraction: usd >= 10_000 ? 0 : 2 });
}

/** An amount in the budget's unit: weighted tokens, or dollars for `api` plans. */
export function formatUnits(n: number, unit: BudgetUnit, locale = pageLocale()): string {
  return unit === 'usd' ? formatUsd(n, locale) : formatTokens(n, locale);
}

export function formatInteger(n: number, locale = pageLocale()): string {
  return localeInteger(n, locale);
}

/** 0 → "0%", 0.4 → "<1%", 12.34 → "12%", over 100 kept as is. `fraction` is 0..1 (or more). */
export function formatPercent(fraction: number, locale = pageLocale()): string {
  if (!Number.isFinite(fraction)) return '–';
  const pct = fraction * 100;
  if (pct > 0 && pct < 1) return `<${localePercent(0.01, locale)}`;
  return localePercent(Math.round(pct) / 100, locale);
}

export interface DurationStrings {
  readonly durationDaysHours: string;
  readonly durationHoursMinutes: string;
  readonly durationMinutes: string;
  readonly durationUnderMinute: string;
}

/** A whole-minute duration for countdowns: "1 d 3 h", "2 h 05 min", "14 min", "< 1 min". */
export function formatDuration(ms: number, strings: DurationStrings): string {
  if (!Number.isFinite(ms) || ms < 60_000) return strings.durationUnderMinute;
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1_440);
  const hours = Math.floor((totalMinutes % 1_440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return fill(strings.durationDaysHours, days, hours);
  if (hours > 0) return fill(strings.durationHoursMinutes, hours, String(minutes).padStart(2, '0'));
  return fill(strings.durationMinutes, minutes);
}

export interface ClockOptions {
  /** BCP 47 language for clock times and dates. */
  readonly locale: string;
  /** IANA zone; the page's own zone when omitted (tests pin it). */
  readonly timeZone?: string;
}

function dateFormat(opts: ClockOptions, fields: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const zone = opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {};
  try {
    return new Intl.DateTimeFormat(opts.locale, { ...fields, ...zone });
  } catch {
    // An unknown locale or zone must not break the page.
    return new Intl.DateTimeFormat('en', fields);
  }
}

/** "14:32" (24-hour, so "2:32" cannot be read as night or day wrongly). */
export function formatClock(iso: string, opts: ClockOptions): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return dateFormat(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

function dayKey(d: Date, opts: ClockOptions): string {
  return dateFormat(opts, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** "Nov 24" in English, "11월 24일" in Korean. */
export function formatDay(iso: string, opts: ClockOptions): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : dateFormat(opts, { month: 'short', day: 'numeric' }).format(d);
}

/** "09:00–14:00" today; "Nov 23, 09:00–14:00" on another day (the start's day). */
export function formatRange(startIso: string, endIso: string, nowIso: string, opts: ClockOptions): string {
  const start = new Date(startIso);
  const range = `${formatClock(startIso, opts)}–${formatClock(endIso, opts)}`;
  if (Number.isNaN(start.getTime())) return range;
  if (dayKey(start, opts) === dayKey(new Date(nowIso), opts)) return range;
  return `${formatDay(startIso, opts)}, ${range}`;
}

/**
 * The folder name of a workspace URI (`file:///home/u/shop-api` → `shop-api`), percent-decoded;
 * the input itself when it has no path to take a name from.
 */
export function folderName(workspace: string): string {
  const withoutQuery = workspace.replace(/[?#].*$/, '');
  const last = withoutQuery.split(/[\\/]/).filter((s) => s !== '').pop();
  if (last === undefined || /^[a-z][a-z0-9+.-]*:$/i.test(last)) return workspace;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
