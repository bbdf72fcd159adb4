import type { UsageRecord } from '../usage/usageLedger';
import { mergeRecords } from './externalUsage';

/**
 * The account's usage records as this process knows them: the ledger's (with a board, everyone's,
 * followed through the board's views) merged with what the account spent outside Helios (Claude
 * Code's logs), where a ledger record wins over an external one for the same call.
 */
export class KnownRecords {
  private merged: UsageRecord[] = [];
  private ledger: UsageRecord[] = [];
  private external: readonly UsageRecord[] = [];

  get all(): readonly UsageRecord[] {
    return this.merged;
  }

  /**
   * Whether the records differ from `known` (a `mark()` taken earlier) for the meter: how many, or the
   * last one's time. Listeners redraw on every announcement, so only real changes are announced.
   */
  differFrom(known: RecordsMark): boolean {
    const records = this.merged;
    return records.length !== known.count || records[records.length - 1]?.ts !== known.lastTs;
  }

  /**
   * What `differFrom` compares with, taken before a look at the board: a count and a time, not the
   * array, which taking in the board's view may extend in place.
   */
  mark(): RecordsMark {
    const records = this.merged;
    return { count: records.length, lastTs: records[records.length - 1]?.ts };
  }

  /** The whole ledger and the usage outside Helios, as just read; `all` follows at `remerge`. */
  read(ledger: UsageRecord[], external: readonly UsageRecord[]): void {
    this.external = external;
    this.ledger = ledger;
  }

  remerge(): void {
    this.merged = this.external.length > 0 ? mergeRecords(this.ledger, this.external) : this.ledger;
  }

  /** What the others appended to the ledger; after a compaction (`reset`), the whole ledger. */
  absorb(appended: readonly UsageRecord[], reset: boolean | undefined): void {
    if (reset) this.ledger = [...appended];
    else if (appended.length > 0) this.ledger.push(...appended);
    this.remerge();
  }

  /** A record this process settled on the board (or failed to: it is counted all the same). */
  add(record: UsageRecord): void {
    this.ledger.push(record);
    this.remerge();
  }

  /** A record this process appends to its own ledger: counted at once, read back with the ledger. */
  count(record: UsageRecord): void {
    this.merged.push(record);
  }

  /** Shows none until the next read, which is then announced as a change (the sources changed). */
  forget(): void {
    this.merged = [];
  }
}

export interface RecordsMark {
  readonly count: number;
  readonly lastTs: string | undefined;
}
