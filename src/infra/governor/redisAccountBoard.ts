import { randomBytes, randomInt } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { mergeRate, RATE_WINDOW_MS, type AccountBoard, type BoardView, type RecentAdmission, type SharedRateState, type SharedReservation } from '../../core/governor/accountBoard';
import { UsageRecordSchema, type OriginKind, type UsageRecord } from '../../core/usage/usageLedger';
import { openTeamRedis, TeamRedisError, type TeamRedis } from '../redis/redisConnection';
import { DEFAULT_LEASE_MS } from './fileAccountBoard';
import { BOARD_LUA } from './redisBoardScript';

/**
 * The account board in team mode: every member's Helios (each window, each `helios run`) admits
 * against one Redis. The design keeps the governor's `decide` to one call per turn:
 *
 * - Admission runs under a lock key (`{ns}:lock`, a random token, PX 2 s): one script call
 *   (`begin`) takes it and returns the view, `decide` runs here, one call (`commit`) checks the
 *   token, publishes the reservations and frees the lock. A commit that finds the lock gone
 *   publishes nothing, and the governor re-queues those calls (fail closed).
 * - Leases are key TTLs: `{ns}:res:{id}` with PX = the lease, renewed with PEXPIRE while the call
 *   runs; a dead holder's keys expire on their own. `{ns}:res` indexes them for the view.
 * - The ledger is the stream `{ns}:ledger` (one entry per settled call); each process reads it from
 *   its cursor. Settling appends the record and drops the reservation in one script call. The
 *   stream is trimmed (XTRIM MINID ~) on every append to the last 35 days: the longest period the
 *   governor reads is a month.
 * - Group commit: what this process asks while a turn is under way joins the next turn; while
 *   another process holds the lock, settles and releases go ahead without it.
 */

export interface RedisAccountBoardOptions {
  readonly url: string;
  /** Keys live under `{namespace}:` (default `helios`): one team's board per namespace. */
  readonly namespace?: string;
  readonly label?: string;
  readonly member?: string;
  readonly originKind?: OriginKind;
  readonly leaseMs?: number;
  readonly commandTimeoutMs?: number;
  /** Connection trouble and an emptied Redis, as sentences without the password. */
  readonly onError?: (message: string) => void;
}

/** How long the admission lock holds without its holder (a process that died inside a turn). */
const LOCK_MS = 2_000;
/** How long a turn waits for the lock before it fails (the governor then retries every second). */
const LOCK_WAIT_MS = 10_000;
/** Ledger entries per reply; more are read in chunks of this size. */
const CHUNK = 2_000;
const KEEP_MS = 35 * 24 * 60 * 60_000;
/** How long the script remembers that a record was appended (the outbox resends well within it). */
const SENT_MS = 24 * 60 * 60_000;
const RESEND_MS = 1_000;

const ReservationSchema = z.object({
  id: z.string(), owner: z.string(), model: z.string(), units: z.number(), expiresAt: z.number(),
  label: z.string().optional(), member: z.string().optional(), originKind: z.enum(['vscode', 'cli', 'bench']).optional(),
});

type Taken = SharedReservation & { readonly inputTokens: number };
type Op =
  | { readonly kind: 'transact'; readonly decide: (view: BoardView) => readonly Taken[] }
  | { readonly kind: 'settle'; readonly id: string; readonly record: UsageRecord }
  | { readonly kind: 'release'; readonly id: string }
  | { readonly kind: 'renew'; readonly until: number }
  | { readonly kind: 'rate'; readonly rate: Partial<SharedRateState> }
  | { readonly kind: 'resend' }
  | { readonly kind: 'readAll' };
interface Pending { readonly op: Op; readonly resolve: (v: unknown) => void; readonly reject: (e: unknown) => void }

/** What a script reply says about the board (its `view`). */
type RawView = [epoch: string, now: string, live: (string | number)[], entries: [string, string[]][], recent: string[], rate: (string | null)[]];
interface Snapshot { others: SharedReservation[]; recent: RecentAdmission[]; rate: SharedRateState }
interface Publish { readonly id: string; readonly value: string; readonly px: string; readonly member?: string }
/** A settled call's record on its way to the ledger stream; `id` (its reservation's) appends it at most once. */
interface Outgoing { readonly id: string; readonly r: string }

export class RedisAccountBoard implements AccountBoard {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly lease: number;
  private readonly keys: readonly string[];
  private readonly prefix: string;
  /** `{ns}:sent:{id}`: the records the ledger already holds, by reservation id. */
  private readonly sentPrefix: string;
  /** The last ledger entry this process has taken in. */
  private cursor = '0-0';
  /** Records read (by a commit) that no view has handed over yet. */
  private undelivered: UsageRecord[] = [];
  /** This process's reservations on the board, for renewals and republishing. */
  private readonly own = new Map<string, { readonly value: string; expiresAt: number }>();
  /** Reservations a failed commit may have published: dropped with the next one. */
  private orphans: string[] = [];
  /**
   * Records whose commit failed (Redis away, a reply lost): sent again with every commit until one
   * succeeds, and every RESEND_MS meanwhile, so a call that ended during an outage still reaches the
   * team's ledger. The script appends each id once, so a commit applied before its reply was lost
   * does not count the call twice.
   */
  private outbox: Outgoing[] = [];
  private resendTimer: NodeJS.Timeout | undefined;
  private epoch: string | undefined;
  private republish = false;
  private readonly pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly conn: TeamRedis, private readonly options: RedisAccountBoardOptions, readonly namespace: string) {
    this.lease = options.leaseMs ?? DEFAULT_LEASE_MS;
    const tag = `{${namespace}}`;
    this.prefix = `${tag}:res:`;
    this.sentPrefix = `${tag}:sent:`;
    this.keys = [`${tag}:lock`, `${tag}:res`, `${tag}:recent`, `${tag}:rate`, `${tag}:ledger`, `${tag}:epoch`, `${tag}:queue`, `${tag}:beat`];
    conn.redis.defineCommand('heliosBoard', { numberOfKeys: this.keys.length, lua: BOARD_LUA });
  }

  /** Connects (or throws a `TeamRedisError` that says why, without the password). */
  static async open(options: RedisAccountBoardOptions): Promise<RedisAccountBoard> {
    const namespace = options.namespace ?? 'helios';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(namespace)) throw new Error(`Team namespace "${namespace}": use letters, digits, . _ - (at most 64)`);
    const conn = await openTeamRedis({ url: options.url, ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}), ...(options.onError ? { onError: options.onError } : {}) });
    return new RedisAccountBoard(conn, options, namespace);
  }

  /** The same as `open` (the extension's account host calls it so). */
  static connect(options: RedisAccountBoardOptions): Promise<RedisAccountBoard> {
    return RedisAccountBoard.open(options);
  }

  get label(): string | undefined {
    return this.options.label;
  }

  get member(): string | undefined {
    return this.options.member;
  }

  get originKind(): OriginKind | undefined {
    return this.options.originKind;
  }

  /** The URL without its password. */
  get where(): string {
    return this.conn.where;
  }

  readAll(): Promise<UsageRecord[]> {
    return this.enqueue({ kind: 'readAll' });
  }

  transact(decide: (view: BoardView) => readonly Taken[]): Promise<void> {
    return this.enqueue({ kind: 'transact', decide });
  }

  settle(reservationId: string, record: UsageRecord): Promise<BoardView> {
    return this.enqueue({ kind: 'settle', id: reservationId, record });
  }

  release(reservationId: string): Promise<void> {
    return this.enqueue({ kind: 'release', id: reservationId });
  }

  renew(until: number): Promise<void> {
    return this.enqueue({ kind: 'renew', until });
  }

  reportRate(rate: Partial<SharedRateState>): Promise<void> {
    return this.enqueue({ kind: 'rate', rate });
  }

  async exclusive<T>(body: () => Promise<T>): Promise<T> {
    const token = randomBytes(16).toString('hex');
    await this.untilLocked(async () => (await this.call('lock', { token, lockMs: String(LOCK_MS) })) as [number, number?]);
    // Held while the body runs, however long: renewed well within its PX.
    const keep = setInterval(() => void this.call('extend', { token, lockMs: String(LOCK_MS) }).catch(() => undefined), LOCK_MS / 4);
    try {
      return await body();
    } finally {
      clearInterval(keep);
      await this.call('unlock', { token }).catch(() => undefined);
    }
  }

  /** Every live reservation on the board, this process's too (the bench counts leaks with it). */
  async liveReservations(): Promise<SharedReservation[]> {
    const out: SharedReservation[] = [];
    let scan = '0';
    do {
      const [next, keys] = await this.conn.redis.scan(scan, 'MATCH', `${this.prefix}*`, 'COUNT', 1_000);
      scan = next;
      if (keys.length === 0) continue;
      const pipeline = this.conn.redis.pipeline();
      for (const key of keys) pipeline.get(key).pttl(key);
      const replies = (await pipeline.exec()) ?? [];
      for (let i = 0; i < keys.length; i++) {
        const value = replies[2 * i]?.[1];
        const ttl = Number(replies[2 * i + 1]?.[1]);
        const parsed = typeof value === 'string' && ttl > 0 ? ReservationSchema.safeParse(safeJson(value)) : undefined;
        if (parsed?.success) out.push({ ...parsed.data, expiresAt: Date.now() + ttl });
      }
    } while (scan !== '0');
    return out;
  }

  /** Resolves when every operation asked for so far has run. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.idle();
    clearTimeout(this.resendTimer);
    this.closed = true;
    await this.conn.close();
  }

  private enqueue<T>(op: Op): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The team board is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, resolve: resolve as (v: unknown) => void, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Turns one after the other; a `readAll` runs on its own, in order with the rest. */
  private async flush(): Promise<void> {
    // Let the callers of this tick join the turn.
    await Promise.resolve();
    while (this.pending.length > 0) {
      if (this.pending[0]!.op.kind === 'readAll') {
        const reads = this.takeWhile((p) => p.op.kind === 'readAll');
        await this.readWhole().then((all) => reads.forEach((r) => r.resolve(all)), (e: unknown) => reads.forEach((r) => r.reject(this.failure(e))));
        continue;
      }
      const turn = this.takeWhile((p) => p.op.kind !== 'readAll');
      try {
        await this.runTurn(turn);
      } catch (error) {
        const failure = this.failure(error);
        for (const p of turn) p.reject(failure);
      }
    }
    this.flushing = undefined;
  }

  private takeWhile(keep: (p: Pending) => boolean): Pending[] {
    const end = this.pending.findIndex((p) => !keep(p));
    return this.pending.splice(0, end < 0 ? this.pending.length : end);
  }

  /**
   * A turn with admissions takes the lock (`begin`), decides, and commits; one without needs no
   * lock. While another process holds the lock, this turn's settles and releases go without it
   * (they only free room), and what is asked meanwhile joins the turn.
   */
  private async runTurn(turn: Pending[]): Promise<void> {
    if (!turn.some((p) => p.op.kind === 'transact')) return this.commit(turn, undefined);
    const token = randomBytes(16).toString('hex');
    let begun: RawView | undefined;
    await this.untilLocked(async () => {
      const reply = (await this.call('begin', { token, lockMs: String(LOCK_MS), ...this.readArgs() })) as [1, RawView] | [0, number];
      if (reply[0] === 1) {
        begun = reply[1];
        return reply;
      }
      const free = turn.filter((p) => p.op.kind !== 'transact');
      if (free.length > 0) {
        turn.splice(0, turn.length, ...turn.filter((p) => p.op.kind === 'transact'));
        await this.commit(free, undefined).catch((e: unknown) => free.forEach((p) => p.reject(this.failure(e))));
      }
      turn.push(...this.takeWhile((p) => p.op.kind !== 'readAll'));
      return reply;
    });
    await this.commit(turn, { token, view: begun! });
  }

  /**
   * Tries `attempt` until it takes the lock (`[1, …]`), for LOCK_WAIT_MS. The lock goes to waiters
   * in turn, so the next one (`[0, 0]`) asks again 1–4 ms later; the ones behind it every 5–20 ms,
   * which keeps their place (a waiter silent for 250 ms loses it) without loading Redis.
   */
  private async untilLocked(attempt: () => Promise<readonly [number, unknown?]>): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const [taken, place] = await attempt();
      if (taken === 1) return;
      if (Date.now() > deadline) throw new TeamRedisError('lock_timeout', `The team board at ${this.where} stayed locked for ${LOCK_WAIT_MS / 1000} s`, this.where);
      const behind = Number(place ?? 0);
      await new Promise((r) => setTimeout(r, behind === 0 ? 1 + randomInt(4) : Math.min(5 * behind, 15) + randomInt(6)));
    }
  }

  /**
   * Decides the turn's admissions against the view `begin` returned (when locked), then one
   * `commit` publishes them with everything else the turn asked for, and the ops resolve in order.
   */
  private async commit(turn: readonly Pending[], locked: { readonly token: string; readonly view: RawView } | undefined): Promise<void> {
    let snapshot = locked ? await this.take(locked.view) : undefined;
    const taken = new Map<Pending, Taken[]>();
    const failed = new Map<Pending, unknown>();
    const drops = [...this.orphans];
    const records: Outgoing[] = [...this.outbox];
    let rate: Partial<SharedRateState> | undefined;
    let renewUntil: number | undefined;
    for (const p of turn) {
      const op = p.op;
      if (op.kind === 'transact' && snapshot) {
        try {
          const mine = op.decide({ ...snapshot, appended: this.handOver(), recent: [...snapshot.recent] });
          taken.set(p, [...mine]);
          const at = Date.now();
          snapshot = { ...snapshot, recent: [...snapshot.recent, ...mine.map((r) => ({ at, inputTokens: r.inputTokens }))] };
        } catch (error) {
          failed.set(p, error);
        }
      } else if (op.kind === 'settle' || op.kind === 'release') {
        drops.push(op.id);
        this.own.delete(op.id);
        if (op.kind === 'settle') records.push({ id: op.id || randomBytes(8).toString('hex'), r: JSON.stringify(op.record) });
      } else if (op.kind === 'renew') {
        renewUntil = Math.max(renewUntil ?? 0, op.until);
      } else if (op.kind === 'rate') {
        rate = { ...rate, ...op.rate, until: Math.max(rate?.until ?? 0, op.rate.until ?? 0) };
        if (snapshot) snapshot = { ...snapshot, rate: mergeRate(snapshot.rate, op.rate) };
      }
    }
    const now = Date.now();
    const reservations: Publish[] = [...taken.values()].flat().map(({ inputTokens, ...r }) => ({
      id: r.id, value: JSON.stringify(this.labelled(r)), px: String(Math.max(1, r.expiresAt - now)), member: `${inputTokens}:${r.id}`,
    }));
    if (renewUntil !== undefined) for (const own of this.own.values()) own.expiresAt = Math.max(own.expiresAt, renewUntil);
    const republish = this.republish ? [...this.own].filter(([, o]) => o.expiresAt > now).map(([id, o]) => ({ id, value: o.value, px: String(o.expiresAt - now) })) : [];
    const nothing = !locked && drops.length === 0 && records.length === 0 && rate === undefined && republish.length === 0 && (renewUntil === undefined || this.own.size === 0);
    if (nothing) {
      for (const p of turn) p.resolve(undefined);
      return;
    }
    let reply: [number, string[], RawView];
    try {
      reply = (await this.call('commit', {
        ...(locked ? { token: locked.token } : {}), ...this.readArgs(), reservations, republish, drops, records,
        renew: renewUntil !== undefined ? [...this.own.keys()] : [], renewPx: String(Math.max(1, (renewUntil ?? now) - now)),
        ...(rate ? { rate: rateArgs(rate) } : {}), keepMs: String(KEEP_MS), sentPrefix: this.sentPrefix, sentMs: String(SENT_MS),
      })) as [number, string[], RawView];
    } catch (error) {
      // It may have been applied before the reply was lost: what it published is dropped next time,
      // and its records are sent again (appended once all the same).
      this.orphans.push(...reservations.map((r) => r.id));
      this.outbox = records;
      this.scheduleResend();
      throw error;
    }
    this.outbox = [];
    this.orphans = this.orphans.filter((id) => !drops.includes(id));
    if (republish.length > 0) this.republish = false;
    const [lost, appendedIds, seen] = reply;
    let fresh: Snapshot;
    try {
      fresh = await this.take(seen, appendedIds);
    } catch (error) {
      // Published, but the admissions fail: their reservations must not be renewed for ever.
      if (lost === 0) this.orphans.push(...reservations.map((r) => r.id));
      throw error;
    }
    if (lost === 0) for (const r of reservations) this.own.set(r.id, { value: r.value, expiresAt: now + Number(r.px) });
    const lockLost = new TeamRedisError('lock_lost', `The team board's lock at ${this.where} was lost before the admission was published`, this.where);
    for (const p of turn) {
      if (failed.has(p)) p.reject(failed.get(p));
      else if (p.op.kind === 'transact' && lost !== 0) p.reject(lockLost);
      else if (p.op.kind === 'settle') p.resolve({ ...fresh, appended: this.handOver(), recent: [...fresh.recent] } satisfies BoardView);
      else p.resolve(undefined);
    }
  }

  /**
   * Takes in a script's view: the ledger entries after the cursor (the rest read in chunks when
   * there were more than one reply holds), and, after a commit, the cursor moved past this
   * process's own appends. Records this process appended itself are not handed over.
   */
  private async take(raw: RawView, ownIds: readonly string[] = []): Promise<Snapshot> {
    const [epoch, serverNow, live, entries, recent, rate] = raw;
    const now = Date.now();
    if (this.epoch !== undefined && this.epoch !== epoch) {
      // Redis lost its data (restarted without persistence): the calls in flight go back on it.
      this.republish = this.own.size > 0;
      this.options.onError?.(`The team board at ${this.where} was emptied (Redis restarted without persistence?): usage recorded before is gone from it`);
      if (this.republish) void this.renew(now + this.lease).catch(() => undefined);
    }
    this.epoch = epoch;
    this.absorbEntries(entries);
    if (entries.length >= CHUNK) await this.readFrom(this.cursor, (chunk) => this.absorbEntries(chunk));
    else if (ownIds.length > 0) this.cursor = ownIds[ownIds.length - 1]!;
    const offset = Number(serverNow) - now;
    const others: SharedReservation[] = [];
    for (let i = 0; i + 1 < live.length; i += 2) {
      const parsed = ReservationSchema.safeParse(safeJson(String(live[i])));
      if (parsed.success && parsed.data.owner !== this.owner) others.push({ ...parsed.data, expiresAt: now + Number(live[i + 1]) });
    }
    const admissions: RecentAdmission[] = [];
    for (let i = 0; i + 1 < recent.length; i += 2) admissions.push({ at: Number(recent[i + 1]) - offset, inputTokens: Number.parseInt(recent[i]!, 10) || 0 });
    const until = Number(rate[0] ?? 0);
    const rpm = rate[1] ? Number(rate[1]) : undefined;
    const itpm = rate[2] ? Number(rate[2]) : undefined;
    return {
      others, recent: admissions,
      rate: { until: until > now ? until : 0, ...(rpm !== undefined ? { requestsPerMinute: rpm } : {}), ...(itpm !== undefined ? { inputTokensPerMinute: itpm } : {}) },
    };
  }

  private absorbEntries(entries: readonly [string, string[]][]): void {
    for (const [id, fields] of entries) {
      this.cursor = id;
      const record = recordOf(fields);
      if (record && record.holder !== this.owner) this.undelivered.push(record);
    }
  }

  /** The records not yet handed to a view (the first view of a turn gets them). */
  private handOver(): UsageRecord[] {
    const out = this.undelivered;
    this.undelivered = [];
    return out;
  }

  /** The whole stream, in chunks; the views continue after it. */
  private async readWhole(): Promise<UsageRecord[]> {
    const all: UsageRecord[] = [];
    let last = '0-0';
    await this.readFrom('-', (chunk) => {
      for (const [id, fields] of chunk) {
        last = id;
        const record = recordOf(fields);
        if (record) all.push(record);
      }
    });
    this.cursor = last;
    this.undelivered = [];
    return all;
  }

  private async readFrom(start: string, take: (chunk: [string, string[]][]) => void): Promise<void> {
    let from = start === '-' ? '-' : `(${start}`;
    for (;;) {
      const chunk = (await this.conn.redis.xrange(this.keys[4]!, from, '+', 'COUNT', CHUNK)) as [string, string[]][];
      take(chunk);
      if (chunk.length < CHUNK) return;
      from = `(${chunk[chunk.length - 1]![0]}`;
    }
  }

  private readArgs(): Record<string, string> {
    return { cursor: this.cursor, limit: String(CHUNK), window: String(RATE_WINDOW_MS), epoch: randomBytes(8).toString('hex') };
  }

  private call(op: string, payload: Record<string, unknown>): Promise<unknown> {
    const redis = this.conn.redis as unknown as { heliosBoard(...args: string[]): Promise<unknown> };
    return redis.heliosBoard(...this.keys, op, this.prefix, JSON.stringify(payload));
  }

  private labelled(r: SharedReservation): SharedReservation {
    const { label, member, originKind } = this.options;
    return { ...r, ...(label !== undefined && r.label === undefined ? { label } : {}), ...(member !== undefined && r.member === undefined ? { member } : {}), ...(originKind !== undefined && r.originKind === undefined ? { originKind } : {}) };
  }

  /** Tries the outbox again on its own while nothing else commits (a window with no call running). */
  private scheduleResend(): void {
    if (this.resendTimer !== undefined || this.closed) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      if (this.outbox.length > 0) void this.enqueue({ kind: 'resend' }).catch(() => undefined);
    }, RESEND_MS);
    this.resendTimer.unref();
  }

  private failure(error: unknown): unknown {
    return this.conn.unreachable(error, 'board');
  }
}

function rateArgs(rate: Partial<SharedRateState>): Record<string, string> {
  return {
    ...(rate.until ? { untilMs: String(rate.until) } : {}),
    ...(rate.requestsPerMinute !== undefined ? { rpm: String(rate.requestsPerMinute) } : {}),
    ...(rate.inputTokensPerMinute !== undefined ? { itpm: String(rate.inputTokensPerMinute) } : {}),
  };
}

/** A stream entry's record (field `r`); one that does not parse is skipped. */
function recordOf(fields: readonly string[]): UsageRecord | undefined {
  const i = fields.indexOf('r');
  const parsed = i >= 0 && i % 2 === 0 ? UsageRecordSchema.safeParse(safeJson(fields[i + 1] ?? '')) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
