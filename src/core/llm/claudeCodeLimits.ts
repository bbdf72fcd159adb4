/**
 * Claude Code's usage-limit notices, parsed. Claude Code (`claude -p`) reports a Pro/Max limit
 * only as text in its `result` message — there is no machine-readable field — so this module is
 * the one place that reads that text. Three shapes are known (API-FACTS.md):
 *
 *   You've hit your session limit · resets 12:50am (America/Los_Angeles)
 *   Weekly limit reached · resets 10am (Asia/Seoul)
 *   Claude AI usage limit reached|1732500000            (older versions; epoch seconds)
 *
 * The wall-clock form names the reset in the zone written in parentheses; the instant is the
 * next time that wall clock shows there, after `now` (a past time of day means tomorrow). An
 * optional month and day (`resets Nov 28, 10am`, `resets Nov 28 at 10am`) is honoured. Pure:
 * no clock, no I/O; time zones come from the runtime's ICU data (Node ships full ICU).
 */

export type ClaudeCodeLimitKind = 'session' | 'weekly' | 'opus_weekly' | 'usage';

export interface ClaudeCodeLimitNotice {
  readonly kind: ClaudeCodeLimitKind;
  /** When the limit lifts; undefined if the notice named no reset or an unknown time zone. */
  readonly resetsAt: Date | undefined;
  /** The IANA zone named in the notice, if any. */
  readonly timeZone: string | undefined;
}

const EPOCH_FORM = /Claude AI usage limit reached\|(\d{9,13})/;
const LIMIT_PHRASE = /(session limit|weekly limit|opus limit|usage limit|limit reached)/i;
const RESET_CLAUSE =
  /resets\s+(?:(?:on\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?\b)?(?:\s*\(([^)]+)\))?/i;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Finds a limit notice in Claude Code's output. `localTimeZone` is used when the notice names
 * none (Claude Code then prints the user's local time).
 */
export function parseClaudeCodeLimitNotice(text: string, now: Date, localTimeZone?: string): ClaudeCodeLimitNotice | undefined {
  const epoch = EPOCH_FORM.exec(text);
  if (epoch) {
    const value = Number(epoch[1]);
    // Seconds in the notices seen so far; accept milliseconds too rather than land in 1970.
    const ms = value > 1e11 ? value : value * 1000;
    return { kind: 'usage', resetsAt: new Date(ms), timeZone: 'UTC' };
  }
  const phrase = LIMIT_PHRASE.exec(text);
  if (!phrase) return undefined;
  const kind = kindOf(text);
  const clause = RESET_CLAUSE.exec(text);
  if (!clause) return { kind, resetsAt: undefined, timeZone: undefined };
  const [, monthName, dayText, hourText, minuteText, meridiem, zoneText] = clause;
  const timeZone = zoneText?.trim() || localTimeZone;
  if (!timeZone || !isValidTimeZone(timeZone)) return { kind, resetsAt: undefined, timeZone };
  const clock = toHourMinute(Number(hourText), minuteText, meridiem);
  if (!clock) return { kind, resetsAt: undefined, timeZone };
  const { hour, minute } = clock;
  const month = monthName ? MONTHS.indexOf(monthName.slice(0, 3).toLowerCase()) : -1;
  const resetsAt =
    month >= 0 && dayText
      ? nextDateAt(now, timeZone, month, Number(dayText), hour, minute)
      : nextTimeOfDay(now, timeZone, hour, minute);
  return { kind, resetsAt, timeZone };
}

/** `10am`, `12:50am`, `1:05 p.m.`, or a 24-hour `14:00` (minutes required without am/pm). */
function toHourMinute(hourValue: number, minuteText: string | undefined, meridiem: string | undefined): { hour: number; minute: number } | undefined {
  const minute = minuteText ? Number(minuteText) : 0;
  if (minute > 59) return undefined;
  if (!meridiem) return minuteText && hourValue <= 23 ? { hour: hourValue, minute } : undefined;
  if (hourValue < 1 || hourValue > 12) return undefined;
  return { hour: (hourValue % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0), minute };
}

function kindOf(text: string): ClaudeCodeLimitKind {
  if (/opus/i.test(text) && /weekly|week/i.test(text)) return 'opus_weekly';
  if (/weekly|week/i.test(text)) return 'weekly';
  if (/session|5-hour|five.hour/i.test(text)) return 'session';
  return 'usage';
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number; // 0-based
  readonly day: number;
}

/** The zone's calendar date at an instant. */
function wallDate(instant: Date, timeZone: string): WallClock {
  const parts = partsOf(instant, timeZone);
  return { year: parts.year, month: parts.month - 1, day: parts.day };
}

function partsOf(instant: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of format.formatToParts(instant)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetAt(instantMs: number, timeZone: string): number {
  const p = partsOf(new Date(instantMs), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time in a zone denotes. Offsets a day either side bracket any DST
 * change; a time that occurs twice (fall back) resolves to the first, one that does not exist
 * (spring forward) to the same clock time after the jump.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(year, month, day, hour, minute);
  const before = offsetAt(guess - 86_400_000, timeZone);
  const after = offsetAt(guess + 86_400_000, timeZone);
  const valid = [guess - before, guess - after].filter((t) => t + offsetAt(t, timeZone) === guess);
  return new Date(valid.length > 0 ? Math.min(...valid) : guess - Math.min(before, after));
}

function nextTimeOfDay(now: Date, timeZone: string, hour: number, minute: number): Date {
  const today = wallDate(now, timeZone);
  for (let add = 0; add <= 2; add++) {
    const candidate = zonedTimeToInstant(today.year, today.month, today.day + add, hour, minute, timeZone);
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  return zonedTimeToInstant(today.year, today.month, today.day + 1, hour, minute, timeZone);
}

function nextDateAt(now: Date, timeZone: string, month: number, day: number, hour: number, minute: number): Date {
  const today = wallDate(now, timeZone);
  const thisYear = zonedTimeToInstant(today.year, month, day, hour, minute, timeZone);
  // A date more than a day in the past is next year's (a notice printed around New Year).
  if (thisYear.getTime() < now.getTime() - 86_400_000) return zonedTimeToInstant(today.year + 1, month, day, hour, minute, timeZone);
  return thisYear;
}

const NOT_LOGGED_IN = /not logged in|please run \/login|invalid api key|oauth token (has )?expired/i;

/** Claude Code's "Not logged in · Please run /login" (and its expired-login variants). */
export function isClaudeCodeLoginNotice(text: string): boolean {
  return NOT_LOGGED_IN.test(text);
}
