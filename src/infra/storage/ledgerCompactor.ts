import { promises as fs } from 'node:fs';
import path from 'node:path';
import { summarizeWindows, type WindowSummaryRecord } from '../../core/usage/ledgerSummary';
import type { UsageRecord } from '../../core/usage/usageLedger';
import { JsonlFile } from './jsonlFile';

const LOCK_STALE_MS = 60_000;
/** Appenders open, write and close in one call; this grace lets one that opened the old file finish. */
const RENAME_GRACE_MS = 200;

export interface CompactionResult {
  readonly compactedRecords: number;
  readonly windows: number;
  readonly keptRecords: number;
}

/**
 * Keeps the account-wide ledger small while other windows append to it: under a lock file, the
 * live ledger is renamed aside (new appends start a fresh file), records older than `keepMs` are
 * summarised per 5-hour window into `summaries.jsonl`, the recent ones are appended back, and the
 * aside file is deleted. A crash leaves the aside file, which the next run finishes.
 */
export async function compactLedger(args: {
  readonly ledgerFile: string;
  readonly parse: (v: unknown) => UsageRecord;
  readonly now: number;
  readonly keepMs: number;
}): Promise<CompactionResult | undefined> {
  const dir = path.dirname(args.ledgerFile);
  const lock = path.join(dir, 'compact.lock');
  if (!(await takeLock(lock, args.now))) return undefined;
  try {
    const aside = `${args.ledgerFile}.compacting`;
    // A previous run that died after the rename left its aside file: finish it first.
    const leftover = await exists(aside);
    if (!leftover) {
      try {
        await fs.rename(args.ledgerFile, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { compactedRecords: 0, windows: 0, keptRecords: 0 };
        throw error;
      }
      await new Promise((r) => setTimeout(r, RENAME_GRACE_MS));
    }
    const { records } = await new JsonlFile(aside, args.parse).readAll();
    const cutoff = args.now - args.keepMs;
    const old = records.filter((r) => Date.parse(r.ts) < cutoff);
    const recent = records.filter((r) => Date.parse(r.ts) >= cutoff);
    const summaries = summarizeWindows(old);
    const summaryFile = new JsonlFile<WindowSummaryRecord>(path.join(dir, 'summaries.jsonl'), (v) => v as WindowSummaryRecord);
    for (const s of summaries) await summaryFile.append(s);
    const live = new JsonlFile(args.ledgerFile, args.parse);
    for (const r of recent) await live.append(r);
    await fs.rm(aside, { force: true });
    return { compactedRecords: old.length, windows: summaries.length, keptRecords: recent.length };
  } finally {
    await fs.rm(lock, { force: true });
  }
}

async function takeLock(file: string, now: number): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await fs.writeFile(file, String(now), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
      await fs.rm(file, { force: true });
      return takeLock(file, now);
    }
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
