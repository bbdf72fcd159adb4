import { randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { mergeRate, RATE_WINDOW_MS, type AccountBoard, type BoardView, type RecentAdmission, type SharedRateState, type SharedReservation } from '../../core/governor/accountBoard';
import { UsageRecordSchema, type OriginKind, type UsageRecord } from '../../core/usage/usageLedger';
import { FileLock, type HeldFileLock } from '../storage/fileLock';
import { storageError } from '../storage/storageErrors';

const ReservationsSchema = z.object({
  v: z.literal(1),
  reservations: z.array(z.object({
    id: z.string(), owner: z.string(), model: z.string(), units: z.number(), expiresAt: z.number(),
    label: z.string().optional(), member: z.string().optional(), originKind: z.enum(['vscode', 'cli', 'bench']).optional(),
  })),
  // Absent in files written before the per-minute limits were shared.
  recent: z.array(z.object({ at: z.number(), inputTokens: z.number() })).optional(),
  rate: z.object({ until: z.number(), requestsPerMinute: z.number().optional(), inputTokensPerMinute: z.number().optional() }).optional(),
});

/** What the board file holds: the calls in flight, the last minute's admissions, the rate state. */
interface BoardFile {
  readonly reservations: readonly SharedReservation[];
  readonly recent: readonly RecentAdmission[];
  readonly rate: SharedRateState;
}

const NO_RATE: SharedRateState = { until: 0 };

export interface FileAccountBoardOptions {
  /** The account directory: `ledger.jsonl`, `reservations.json` and their lock live here. */
  readonly dir: string;
  /** Who is spending, shown on the others' meters ("VS Code: my-project", "helios run"). */
  readonly label?: string;
  readonly originKind?: OriginKind;
  /** How long a reservation counts without being renewed (a dead process's, at most this long). */
  readonly leaseMs?: number;
  readonly onCorrupt?: (file: string, error: string, aside: string | undefined) => void;
}

export const DEFAULT_LEASE_MS = 30_000;

type Op = (batch: Batch) => unknown;

/**
 * The account board on one machine: every process of the OS user (each VS Code window's extension
 * host, each `helios run`) opens the same account directory. `reservations.json` holds the calls
 * in flight with their leases; `ledger.jsonl` the settled calls. Every change happens under one
 * lock file (`reservations.json.lock`), so an admission reads everything the others reserved and
 * settled, and publishes its own reservation, before anyone else admits.
 *
 * Two choices keep admission fast with many processes (measured in `bench governor --processes`):
 * - group commit: what this process asks for while the lock is busy waits for the next turn, and
 *   all of it runs in one exclusive section (one read, one write, one append);
 * - the exclusive section is synchronous file I/O on small files (about a millisecond), so the
 *   lock is never held across this process's other work on the event loop. Waiting for the lock is
 *   asynchronous. Each process reads the ledger incrementally from where it stopped.
 */
export class FileAccountBoard implements AccountBoard {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly ledgerFile: string;
  private readonly reservationsFile: string;
  private readonly lock = new FileLock({ staleLockMs: 10_000, lockTimeoutMs: 30_000, maxRetryMs: 4 });
  private readonly leaseMs: number;
  /** How far this process has read the ledger, and which file that was (compaction replaces it). */
  private cursor = { offset: 0, ino: -1 };
  private readonly pending: { op: Op; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: FileAccountBoardOptions) {
    this.reservationsFile = path.join(options.dir, 'reservations.json');
    this.ledgerFile = path.join(options.dir, 'ledger.jsonl');
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  get lease(): number {
    return this.leaseMs;
  }

  get label(): string | undefined {
    return this.options.label;
  }

  get originKind(): OriginKind | undefined {
    return this.options.originKind;
  }

  get where(): string {
    return this.options.dir;
  }

  readAll(): Promise<UsageRecord[]> {
    return this.enqueue<UsageRecord[]>((batch) => {
      const all = this.tail(true);
      // A later view of the batch replaces with the same records (a reset is idempotent): a
      // decision made in this batch sees them before the caller of readAll has taken them in.
      batch.tailed = { records: all.records, reset: true };
      return all.records;
    });
  }

  transact(decide: (view: BoardView) => readonly (SharedReservation & { readonly inputTokens: number })[]): Promise<void> {
    return this.enqueue<void>((batch) => {
      const taken = decide(batch.view());
      if (taken.length === 0) return;
      const at = Date.now();
      batch.reservations = [...batch.reservations, ...taken.map(({ inputTokens: _, ...r }) => this.labelled(r))];
      batch.recent = [...batch.recent, ...taken.map((r) => ({ at, inputTokens: r.inputTokens }))];
    });
  }

  reportRate(rate: Partial<SharedRateState>): Promise<void> {
    return this.enqueue<void>((batch) => {
      batch.rate = mergeRate(batch.rate, rate);
    });
  }

  settle(reservationId: string, record: UsageRecord): Promise<BoardView> {
    return this.enqueue<BoardView>((batch) => {
      batch.lines.push(record);
      batch.reservations = batch.reservations.filter((r) => r.id !== reservationId);
      return batch.view();
    });
  }

  release(reservationId: string): Promise<void> {
    return this.enqueue<void>((batch) => {
      batch.reservations = batch.reservations.filter((r) => r.id !== reservationId);
    });
  }

  renew(until: number): Promise<void> {
    return this.enqueue<void>((batch) => {
      batch.reservations = batch.reservations.map((r) => (r.owner === this.owner ? { ...r, expiresAt: Math.max(r.expiresAt, until) } : r));
    });
  }

  /**
   * Moves an older ledger (a window's own, before the account directory) into the account's, once:
   * every line the account's ledger lacks is appended, then the old file is renamed
   * `*.moved-to-account`. Nothing is lost if this stops half-way: the next start appends what is
   * still missing (lines already there are not appended twice).
   */
  async adopt(oldLedger: string): Promise<number> {
    let text: string;
    try {
      text = await fs.promises.readFile(oldLedger, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    return this.exclusive(async () => {
      const have = new Set((await fs.promises.readFile(this.ledgerFile, 'utf8').catch(() => '')).split('\n').map((l) => l.trim()).filter(Boolean));
      const missing = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !have.has(l) && UsageRecordSchema.safeParse(safeJson(l)).success);
      if (missing.length > 0) {
        await fs.promises.mkdir(this.options.dir, { recursive: true });
        await fs.promises.appendFile(this.ledgerFile, `${missing.join('\n')}\n`);
      }
      await fs.promises.rename(oldLedger, `${oldLedger}.moved-to-account`);
      return missing.length;
    });
  }

  /** Resolves when every operation asked for so far is written. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  exclusive<T>(body: () => Promise<T>): Promise<T> {
    return this.lock.with(this.reservationsFile, body);
  }

  private labelled(r: SharedReservation): SharedReservation {
    const { label, originKind } = this.options;
    return { ...r, ...(label !== undefined && r.label === undefined ? { label } : {}), ...(originKind !== undefined && r.originKind === undefined ? { originKind } : {}) };
  }

  private enqueue<T>(op: (batch: Batch) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, resolve: resolve as (v: unknown) => void, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let the callers of this tick join the batch.
    await Promise.resolve();
    while (this.pending.length > 0) {
      let held;
      try {
        held = await this.take();
      } catch (error) {
        for (const o of this.pending.splice(0)) o.reject(error);
        break;
      }
      // Everything asked for while the lock was awaited joins this turn.
      const ops = this.pending.splice(0);
      const results: unknown[] = [];
      try {
        const before = this.readBoard();
        const batch = new Batch(this.owner, before, this.tail(false));
        for (const { op } of ops) results.push(op(batch));
        if (batch.lines.length > 0) this.append(batch.lines);
        if (batch.changedFrom(before)) this.writeBoard(batch);
      } catch (error) {
        held.releaseSync();
        const failure = storageError(error, this.options.dir);
        for (const o of ops) o.reject(failure);
        continue;
      }
      held.releaseSync();
      ops.forEach((o, i) => o.resolve(results[i]));
    }
    this.flushing = undefined;
  }

  /**
   * The lock: tried synchronously, then again after a millisecond or two while another process
   * holds it; after 50 tries `acquire` takes over (it handles a dead holder's lock and the timeout).
   */
  private async take(): Promise<HeldFileLock> {
    for (let i = 0; i < 50; i++) {
      const held = this.lock.tryAcquireSync(this.reservationsFile);
      if (held) return held;
      await new Promise((r) => setTimeout(r, 1 + randomInt(3)));
    }
    return this.lock.acquire(this.reservationsFile);
  }

  /**
   * Live reservations (expired leases dropped), the last minute's admissions and the rate state;
   * an unreadable file is moved aside and read as empty.
   */
  private readBoard(): BoardFile {
    const empty: BoardFile = { reservations: [], recent: [], rate: NO_RATE };
    let text: string;
    try {
      text = fs.readFileSync(this.reservationsFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
      throw error;
    }
    const parsed = ReservationsSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      // Calls in flight renew their leases within a third of the lease, so they reappear at once.
      const aside = `${this.reservationsFile}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        fs.renameSync(this.reservationsFile, aside);
        this.options.onCorrupt?.(this.reservationsFile, parsed.error.issues[0]?.message ?? 'not JSON', aside);
      } catch {
        this.options.onCorrupt?.(this.reservationsFile, parsed.error.issues[0]?.message ?? 'not JSON', undefined);
      }
      return empty;
    }
    const now = Date.now();
    const { reservations, recent = [], rate = NO_RATE } = parsed.data;
    return {
      reservations: reservations.filter((r) => r.expiresAt > now),
      recent: recent.filter((a) => a.at > now - RATE_WINDOW_MS),
      rate: rate.until > now ? rate : { ...rate, until: 0 },
    };
  }

  /**
   * Replaced by rename (readers see the old list or the new), without fsync: reservations live for
   * a lease, so after a power loss a torn file is moved aside and the calls still running renew.
   */
  private writeBoard(board: BoardFile): void {
    const tmp = `${this.reservationsFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(this.options.dir, { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ v: 1, reservations: board.reservations, recent: board.recent, rate: board.rate }));
      fs.renameSync(tmp, this.reservationsFile);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
  }

  /** One write of whole lines; nobody else appends while we hold the lock, so ours are not read back. */
  private append(records: readonly UsageRecord[]): void {
    fs.mkdirSync(this.options.dir, { recursive: true });
    const fd = fs.openSync(this.ledgerFile, 'a+');
    try {
      const { size } = fs.fstatSync(fd);
      // A writer that died mid-line left a torn line: ours start on a fresh one.
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      fs.writeSync(fd, `${prefix}${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
      const stat = fs.fstatSync(fd);
      this.cursor = { offset: stat.size, ino: stat.ino };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * The ledger's records after the cursor (all of them for `full`, or when the file was replaced
   * or shrank: compaction); a torn last line is left for the next read.
   */
  private tail(full: boolean): { records: UsageRecord[]; reset: boolean } {
    let fd: number;
    try {
      fd = fs.openSync(this.ledgerFile, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const reset = full || this.cursor.offset > 0;
      this.cursor = { offset: 0, ino: -1 };
      return { records: [], reset };
    }
    try {
      const stat = fs.fstatSync(fd);
      const reset = full || stat.ino !== this.cursor.ino || stat.size < this.cursor.offset;
      const from = reset ? 0 : this.cursor.offset;
      const buffer = Buffer.alloc(stat.size - from);
      if (buffer.length > 0) fs.readSync(fd, buffer, 0, buffer.length, from);
      const end = buffer.lastIndexOf(0x0a) + 1;
      const records: UsageRecord[] = [];
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const parsed = UsageRecordSchema.safeParse(safeJson(line));
        if (parsed.success) records.push(parsed.data);
      }
      this.cursor = { offset: from + end, ino: stat.ino };
      return { records, reset };
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** One exclusive section's working state: the board file as the batch's operations change it. */
class Batch implements BoardFile {
  lines: UsageRecord[] = [];
  reservations: readonly SharedReservation[];
  recent: readonly RecentAdmission[];
  rate: SharedRateState;

  constructor(
    private readonly owner: string,
    board: BoardFile,
    public tailed: { records: UsageRecord[]; reset: boolean },
  ) {
    ({ reservations: this.reservations, recent: this.recent, rate: this.rate } = board);
  }

  changedFrom(before: BoardFile): boolean {
    return this.reservations !== before.reservations || this.recent !== before.recent || this.rate !== before.rate;
  }

  /** The others' reservations now, and (to the first caller only) what they appended. */
  view(): BoardView {
    const { records, reset } = this.tailed;
    this.tailed = { records: [], reset: false };
    return {
      others: this.reservations.filter((r) => r.owner !== this.owner), appended: records, ...(reset ? { reset } : {}),
      recent: this.recent, rate: this.rate,
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
