/**
 * Five-hour usage blocks, computed exactly as ccusage 18's `blocks` command does
 * (`identifySessionBlocks` in ccusage/dist/data-loader), so Helios and ccusage draw the same
 * windows from the same logs. Pure: the clock is a parameter.
 *
 * The rules, including ccusage's edges:
 * - Entries are sorted by time (stable: ties keep their input order).
 * - A block opens at its first entry's time floored to the hour (UTC) and ends `blockHours` later.
 * - An entry opens a new block when it is MORE than `blockHours` after the block's start or after
 *   the previous entry (strictly greater: an entry exactly at `endTime` still belongs to the block,
 *   and so does one exactly `blockHours` after the previous entry).
 * - When the pause since the previous entry is more than `blockHours`, a gap block sits between
 *   the two: from previous entry + `blockHours` to the next entry.
 * - `isActive` when `now < endTime` and `now − actualEndTime < blockHours`.
 * - The result is sorted by start time (stable), as ccusage prints it; so a gap that begins after
 *   the next block's floored start (last entry 11:59, next entry 17:00:00.001) comes after that block.
 */

/** The four token counts every provider usage report carries. */
export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
}

export const ZERO_TOKEN_COUNTS: TokenCounts = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
};

export type UsageSource = 'helios' | 'claude-code';

/** One billed model call, from Helios's ledger or from Claude Code's logs. */
export interface UsageEntry {
  readonly timestamp: Date;
  readonly model: string;
  readonly usage: TokenCounts;
  /** Undefined when no price is known for the model: blocks count it as $0 and report it. */
  readonly costUsd?: number;
  readonly requestId?: string;
  readonly messageId?: string;
  readonly source: UsageSource;
  readonly workspace?: string;
}

export interface Block {
  /** The start as ISO text, or `gap-<start>` for gaps (ccusage's ids). */
  readonly id: string;
  readonly startTime: Date;
  readonly endTime: Date;
  /** The last entry's time; undefined for gaps. */
  readonly actualEndTime?: Date;
  readonly isActive: boolean;
  readonly isGap: boolean;
  readonly entryCount: number;
  readonly tokenCounts: TokenCounts;
  readonly totalTokens: number;
  readonly costUsd: number;
  /** Entries without a known price (counted as $0 in `costUsd`). */
  readonly unpricedEntries: number;
  /** Distinct models in order of first use. */
  readonly models: readonly string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function floorToHourUtc(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function sumTokens(t: TokenCounts): number {
  return t.inputTokens + t.outputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens;
}

/** Running totals of a set of entries (one block, or a rolling period). */
class Tally {
  input = 0;
  output = 0;
  cacheCreation = 0;
  cacheRead = 0;
  cost = 0;
  unpriced = 0;
  count = 0;
  readonly models = new Set<string>();

  add(e: UsageEntry): void {
    this.input += e.usage.inputTokens;
    this.output += e.usage.outputTokens;
    this.cacheCreation += e.usage.cacheCreationInputTokens;
    this.cacheRead += e.usage.cacheReadInputTokens;
    if (e.costUsd === undefined) this.unpriced++;
    else this.cost += e.costUsd;
    this.count++;
    this.models.add(e.model);
  }

  tokenCounts(): TokenCounts {
    return {
      inputTokens: this.input,
      outputTokens: this.output,
      cacheCreationInputTokens: this.cacheCreation,
      cacheReadInputTokens: this.cacheRead,
    };
  }
}

function activityBlock(startMs: number, entries: readonly UsageEntry[], nowMs: number, blockMs: number): Block {
  const tally = new Tally();
  for (const e of entries) tally.add(e);
  const endMs = startMs + blockMs;
  // Only called with at least one entry.
  const lastMs = entries[entries.length - 1]!.timestamp.getTime();
  const tokenCounts = tally.tokenCounts();
  return {
    id: new Date(startMs).toISOString(),
    startTime: new Date(startMs),
    endTime: new Date(endMs),
    actualEndTime: new Date(lastMs),
    isActive: nowMs - lastMs < blockMs && nowMs < endMs,
    isGap: false,
    entryCount: tally.count,
    tokenCounts,
    totalTokens: sumTokens(tokenCounts),
    costUsd: tally.cost,
    unpricedEntries: tally.unpriced,
    models: [...tally.models],
  };
}

function gapBlock(startMs: number, endMs: number): Block {
  const start = new Date(startMs);
  return {
    id: `gap-${start.toISOString()}`,
    startTime: start,
    endTime: new Date(endMs),
    isActive: false,
    isGap: true,
    entryCount: 0,
    tokenCounts: ZERO_TOKEN_COUNTS,
    totalTokens: 0,
    costUsd: 0,
    unpricedEntries: 0,
    models: [],
  };
}

/** The blocks of `entries`, oldest first, gaps included (see the rules at the top of this file). */
export function computeBlocks(entries: readonly UsageEntry[], now: Date, blockHours = 5): Block[] {
  if (!(blockHours > 0)) throw new RangeError(`blockHours must be positive, got ${blockHours}`);
  const blockMs = blockHours * HOUR_MS;
  const nowMs = now.getTime();
  const sorted = [...entries].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const blocks: Block[] = [];
  let startMs = 0;
  let current: UsageEntry[] = [];
  for (const entry of sorted) {
    const t = entry.timestamp.getTime();
    const last = current[current.length - 1];
    if (last === undefined) {
      startMs = floorToHourUtc(t);
      current = [entry];
      continue;
    }
    const sinceLast = t - last.timestamp.getTime();
    if (t - startMs > blockMs || sinceLast > blockMs) {
      blocks.push(activityBlock(startMs, current, nowMs, blockMs));
      if (sinceLast > blockMs) blocks.push(gapBlock(last.timestamp.getTime() + blockMs, t));
      startMs = floorToHourUtc(t);
      current = [entry];
    } else {
      current.push(entry);
    }
  }
  if (current.length > 0) blocks.push(activityBlock(startMs, current, nowMs, blockMs));
  // As ccusage's output: by start time (stable). A gap can start after the next block's floored start.
  return blocks.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

/** The block in force at `now`, if any: what the session meter shows. */
export function activeBlock(blocks: readonly Block[]): Block | undefined {
  return blocks.find((b) => b.isActive);
}

export interface RollingTotal {
  readonly since: Date;
  readonly until: Date;
  readonly entryCount: number;
  readonly tokenCounts: TokenCounts;
  readonly totalTokens: number;
  readonly costUsd: number;
  readonly unpricedEntries: number;
  readonly models: readonly string[];
}

/**
 * Usage in the `days` before `now`: entries with `now − days < timestamp ≤ now` (the weekly caps
 * are rolling). Entries after `now` are left out.
 */
export function rollingTotal(entries: readonly UsageEntry[], now: Date, days = 7): RollingTotal {
  const untilMs = now.getTime();
  const sinceMs = untilMs - days * DAY_MS;
  const tally = new Tally();
  for (const e of entries) {
    const t = e.timestamp.getTime();
    if (t > sinceMs && t <= untilMs) tally.add(e);
  }
  const tokenCounts = tally.tokenCounts();
  return {
    since: new Date(sinceMs),
    until: new Date(untilMs),
    entryCount: tally.count,
    tokenCounts,
    totalTokens: sumTokens(tokenCounts),
    costUsd: tally.cost,
    unpricedEntries: tally.unpriced,
    models: [...tally.models],
  };
}
