import type { ModelInfo } from '../../shared/models';
import type { TokenUsage } from '../../shared/usage';
import type { TokenCounts, UsageEntry } from './blocks';
import { costOfUsage } from './cost';

/**
 * Claude Code's JSONL session logs (`<config>/projects/<cwd as ->/<session>.jsonl`, subagents in
 * `<session>/subagents/*.jsonl`) turned into usage entries. Pure: files are read elsewhere and fed
 * here line by line.
 *
 * Agreement with ccusage 18 (`loadSessionBlockData`), which the parity test checks:
 * - A usage record is a line whose `message.usage` has numeric `input_tokens` and `output_tokens`;
 *   cache counts default to 0; the model is `message.model` (+ `-fast` when `usage.speed` is
 *   `fast`), else `unknown`.
 * - Files are visited oldest first by the earliest `timestamp` of any JSON line in them (files
 *   without one last, ties in listing order), lines in order; a record whose `message.id` and
 *   `requestId` were both seen before is a duplicate and dropped (Claude Code writes one line per
 *   content block of a message, and copies history into the new file of a resumed session).
 *   Records lacking either id are never duplicates.
 * - Cost: the record's own `costUSD` when present, else Helios's price table (not ccusage's), by
 *   exact id or by the id without its date suffix; models the table lacks are left unpriced.
 *
 * Deliberate differences (Helios reads more, and reads it correctly):
 * - Timestamps with a UTC offset (`+09:00`) or with other than 3 fractional digits are read at
 *   the right instant; ccusage 18's schema silently skips such records.
 * - Records whose `type` is present and is not `assistant` are ignored; a `null` `requestId`,
 *   `message.id`, model or cache count counts as absent (ccusage skips the whole record).
 * - Malformed lines (not JSON, or usage with bad numbers or timestamp) are counted, not hidden.
 */

export interface ClaudeCodeRecord {
  readonly entry: UsageEntry;
  /** `<message.id>:<requestId>`, ccusage's de-duplication key; absent when either id is missing. */
  readonly key?: string;
}

export interface ParsedClaudeCodeFile {
  readonly file: string;
  /** Earliest `timestamp` on any JSON line, in ms (ccusage orders files by it). */
  readonly earliestMs?: number;
  readonly records: readonly ClaudeCodeRecord[];
  readonly lines: number;
  readonly malformedLines: number;
}

export interface ClaudeCodeParseOptions {
  /** Model prices; Helios's table by default. */
  readonly priceTable?: readonly ModelInfo[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An RFC 3339 date-time (`Z` or `±hh:mm`, any number of fractional digits, truncated to ms) in
 * epoch ms; undefined when it is not one or names an impossible date.
 */
export function parseTimestamp(text: string): number | undefined {
  // Fast path for what Claude Code writes (`2026-11-24T01:02:03.456Z`): exact when it round-trips.
  if (text.length === 24 && text.charCodeAt(23) === 90 /* Z */) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms) && new Date(ms).toISOString() === text) return ms;
  }
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0) ? 1 : 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]! + leap) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // Date.UTC would map years 0–99 to 1900–1999.
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMin * 60_000;
}

export type LineOutcome =
  | { readonly kind: 'blank' }
  | { readonly kind: 'malformed'; readonly timestampMs?: number }
  | { readonly kind: 'other'; readonly timestampMs?: number }
  | { readonly kind: 'usage'; readonly timestampMs?: number; readonly record: ClaudeCodeRecord };

const BLANK: LineOutcome = { kind: 'blank' };
const MALFORMED: LineOutcome = { kind: 'malformed' };

/** One log line: a usage record, another kind of record, a blank line, or a malformed one. */
export function parseClaudeCodeLine(line: string, options: ClaudeCodeParseOptions = {}): LineOutcome {
  if (line.length === 0) return BLANK;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return line.trim() === '' ? BLANK : MALFORMED;
  }
  if (!isObject(value)) return MALFORMED;
  // ccusage orders files by `new Date(timestamp)` of any line: mirror that leniency here only.
  const loose = typeof value.timestamp === 'string' ? Date.parse(value.timestamp) : Number.NaN;
  const timestampMs = Number.isNaN(loose) ? undefined : loose;
  const message = value.message;
  if (!isObject(message) || message.usage === undefined) return { kind: 'other', timestampMs };
  if (typeof value.type === 'string' && value.type !== 'assistant') return { kind: 'other', timestampMs };
  const record = usageRecord(value, message, options);
  return record ? { kind: 'usage', timestampMs, record } : { kind: 'malformed', timestampMs };
}

function usageRecord(value: Json, message: Json, options: ClaudeCodeParseOptions): ClaudeCodeRecord | undefined {
  const u = message.usage;
  if (!isObject(u) || !isCount(u.input_tokens) || !isCount(u.output_tokens)) return undefined;
  const cacheCreation = u.cache_creation_input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  if (!isCount(cacheCreation) || !isCount(cacheRead)) return undefined;
  const at = typeof value.timestamp === 'string' ? parseTimestamp(value.timestamp) : undefined;
  if (at === undefined) return undefined;

  const fast = u.speed === 'fast';
  const modelId = nonEmpty(message.model);
  const model = modelId === undefined ? 'unknown' : fast ? `${modelId}-fast` : modelId;
  const usage: TokenCounts = {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheCreationInputTokens: cacheCreation,
    cacheReadInputTokens: cacheRead,
  };
  const messageId = nonEmpty(message.id);
  const requestId = nonEmpty(value.requestId);
  // One object shape for every entry (absent ids are `undefined`): cheaper than conditional spreads.
  const entry: UsageEntry = {
    timestamp: new Date(at),
    model,
    usage,
    costUsd: typeof value.costUSD === 'number' ? value.costUSD : priceOf(modelId, fast, usage, u.cache_creation, options),
    requestId,
    messageId,
    source: 'claude-code',
    workspace: nonEmpty(value.cwd),
  };
  return { entry, key: messageId !== undefined && requestId !== undefined ? `${messageId}:${requestId}` : undefined };
}

function priceOf(modelId: string | undefined, fast: boolean, usage: TokenCounts, split: unknown, options: ClaudeCodeParseOptions): number | undefined {
  const tokens = usage.inputTokens + usage.outputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  if (tokens === 0) return 0; // `<synthetic>` error messages and the like cost nothing.
  // Fast mode's price multiplier is not in the table: an honest "unknown" beats a guess.
  if (modelId === undefined || fast) return undefined;
  const s = isObject(split) ? split : undefined;
  const full: TokenUsage = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationInputTokens: usage.cacheCreationInputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens,
    cacheCreation5mTokens: s && isCount(s.ephemeral_5m_input_tokens) ? s.ephemeral_5m_input_tokens : 0,
    cacheCreation1hTokens: s && isCount(s.ephemeral_1h_input_tokens) ? s.ephemeral_1h_input_tokens : 0,
  };
  // Claude Code logs dated snapshot ids (`claude-haiku-4-5-20251001`); the table keys the alias.
  return costOfUsage(modelId, full, options.priceTable) ?? costOfUsage(modelId.replace(DATE_SUFFIX, ''), full, options.priceTable);
}

const DATE_SUFFIX = /-\d{8}$/;

/** Collects one file's lines as they stream in. */
export class ClaudeCodeFileParser {
  private readonly records: ClaudeCodeRecord[] = [];
  private earliestMs: number | undefined;
  private lines = 0;
  private malformed = 0;

  constructor(
    readonly file: string,
    private readonly options: ClaudeCodeParseOptions = {},
  ) {}

  addLine(line: string): void {
    this.lines++;
    const outcome = parseClaudeCodeLine(line, this.options);
    if (outcome.kind === 'blank') return;
    if (outcome.timestampMs !== undefined && (this.earliestMs === undefined || outcome.timestampMs < this.earliestMs)) {
      this.earliestMs = outcome.timestampMs;
    }
    if (outcome.kind === 'malformed') this.malformed++;
    else if (outcome.kind === 'usage') this.records.push(outcome.record);
  }

  result(): ParsedClaudeCodeFile {
    return {
      file: this.file,
      ...(this.earliestMs === undefined ? {} : { earliestMs: this.earliestMs }),
      records: this.records,
      lines: this.lines,
      malformedLines: this.malformed,
    };
  }
}

/** A whole file's text at once (tests, small files). Handles `\n` and `\r\n`. */
export function parseClaudeCodeLog(file: string, text: string, options?: ClaudeCodeParseOptions): ParsedClaudeCodeFile {
  const parser = new ClaudeCodeFileParser(file, options);
  for (const line of text.split(/\r?\n/)) parser.addLine(line);
  return parser.result();
}

export interface ClaudeCodeUsage {
  readonly entries: UsageEntry[];
  readonly duplicates: number;
  readonly malformedLines: number;
  readonly files: number;
}

/**
 * All files' records in ccusage's visiting order, duplicates dropped (first copy wins). With
 * `since`, older entries are left out after de-duplication, so the surviving copy is the same.
 */
export function mergeClaudeCodeFiles(files: readonly ParsedClaudeCodeFile[], since?: Date): ClaudeCodeUsage {
  const ordered = [...files].sort((a, b) => {
    if (a.earliestMs === undefined) return b.earliestMs === undefined ? 0 : 1;
    if (b.earliestMs === undefined) return -1;
    return a.earliestMs - b.earliestMs;
  });
  const seen = new Set<string>();
  const entries: UsageEntry[] = [];
  let duplicates = 0;
  let malformedLines = 0;
  const sinceMs = since?.getTime() ?? Number.NEGATIVE_INFINITY;
  for (const file of ordered) {
    malformedLines += file.malformedLines;
    for (const { entry, key } of file.records) {
      if (key !== undefined) {
        if (seen.has(key)) {
          duplicates++;
          continue;
        }
        seen.add(key);
      }
      if (entry.timestamp.getTime() >= sinceMs) entries.push(entry);
    }
  }
  return { entries, duplicates, malformedLines, files: files.length };
}
