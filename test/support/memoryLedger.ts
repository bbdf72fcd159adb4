import type { UsageLedger, UsageRecord } from '../../src/core/usage/usageLedger';

export class MemoryLedger implements UsageLedger {
  readonly records: UsageRecord[] = [];
  async append(record: UsageRecord): Promise<void> {
    this.records.push(record);
  }
  async readAll(): Promise<{ records: UsageRecord[]; skipped: number }> {
    return { records: [...this.records], skipped: 0 };
  }
}
