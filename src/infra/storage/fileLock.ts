import { randomBytes, randomInt } from 'node:crypto';
import { linkSync, mkdirSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';
import { storageError } from './storageErrors';

/**
 * A lock file next to a state file (`<file>.lock`, created with O_EXCL) for read-modify-write by
 * several VS Code windows (processes) at once. A lock whose writer died (same host, process gone)
 * or that is older than `staleLockMs` is taken over; waiting longer than `lockTimeoutMs` is
 * `state_busy`. A lock rather than compare-and-swap: a rename cannot be made conditional on the
 * old content, so CAS would still lose races.
 */

export interface FileLockOptions {
  /**
   * A lock older than this is from a crashed writer and is taken over (`Infinity`: only a dead
   * holder's lock is; an unreadable lock is still taken over after 10 s).
   */
  readonly staleLockMs?: number;
  /** How long to wait for another writer before `state_busy`. */
  readonly lockTimeoutMs?: number;
  /**
   * A lock held for a whole run rather than for one write: a live holder on this host keeps it
   * however old it is (other hosts keep it fresh by touching it, see `staleLockMs`), and a lock
   * naming this very process is a leftover of a dead one with the same pid (containers reuse pids) —
   * the caller never asks twice for a lock it holds.
   */
  readonly longHeld?: boolean;
  /** The longest pause between two tries while another writer holds the lock (default 50 ms). */
  readonly maxRetryMs?: number;
}

/** A lock taken with `acquire`: release it once. */
export interface HeldFileLock {
  /** The lock file (`<file>.lock`). */
  readonly file: string;
  release(): Promise<void>;
  releaseSync(): void;
}

/** A lock file that cannot be parsed is being written right now (milliseconds) or garbage. */
const UNREADABLE_STALE_MS = 10_000;

export class FileLock {
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly longHeld: boolean;
  private readonly maxRetryMs: number;

  constructor(options: FileLockOptions = {}) {
    this.maxRetryMs = options.maxRetryMs ?? 50;
    this.staleLockMs = options.staleLockMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
    this.longHeld = options.longHeld ?? false;
  }

  /** Runs `body` holding `<file>.lock`; the folder is created when missing. */
  async with<T>(file: string, body: () => Promise<T>): Promise<T> {
    const held = await this.acquire(file);
    try {
      return await body();
    } finally {
      await held.release();
    }
  }

  /**
   * Takes `<file>.lock` for as long as the caller needs (release it exactly once): for locks held
   * across a whole run. `releaseSync` is for `process.on('exit')`, where nothing async runs.
   */
  async acquire(file: string): Promise<HeldFileLock> {
    const lock = `${file}.lock`;
    const token = randomBytes(8).toString('hex');
    await fs.mkdir(path.dirname(file), { recursive: true }).catch((error: unknown) => {
      throw storageError(error, lock);
    });
    await this.take(lock, token);
    return { file: lock, release: () => release(lock, token), releaseSync: () => releaseSync(lock, token) };
  }

  /**
   * One try, synchronously — no event-loop hop while the lock is free: the lock, or undefined when
   * another writer holds it (a dead writer's lock is left to `acquire`, which takes it over).
   */
  tryAcquireSync(file: string): HeldFileLock | undefined {
    const lock = `${file}.lock`;
    const token = randomBytes(8).toString('hex');
    const staged = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(staged, JSON.stringify({ token, pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
      linkSync(staged, lock);
      return { file: lock, release: () => release(lock, token), releaseSync: () => releaseSync(lock, token) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw storageError(error, lock);
    } finally {
      rmSync(staged, { force: true });
    }
  }

  private async take(lock: string, token: string): Promise<void> {
    const mine = JSON.stringify({ token, pid: process.pid, host: os.hostname(), at: new Date().toISOString() });
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      // The holder is written beside the lock and linked into place: a lock file is never empty,
      // even when the process dies between creating and writing it (a kill -9, a full disk).
      const staged = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await fs.writeFile(staged, mine);
        await fs.link(staged, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError(error, lock);
      } finally {
        await fs.rm(staged, { force: true });
      }
      if (await this.takeOverStale(lock)) continue;
      if (Date.now() >= deadline) {
        const holder = parseHolder(await fs.readFile(lock, 'utf8').catch(() => ''));
        throw new HeliosError('state_busy', `${lock} is held by another writer`, {
          file: lock, ...(holder ? { pid: holder.pid, host: holder.host, ...(holder.at ? { since: holder.at } : {}) } : {}),
        });
      }
      // Writes under the lock take milliseconds: a short, jittered wait is enough.
      await new Promise((r) => setTimeout(r, Math.min(this.maxRetryMs, 2 + attempt) + randomInt(Math.max(2, Math.ceil(this.maxRetryMs / 10)))));
    }
  }

  /** Removes a lock left by a dead writer; true when the caller should retry at once. */
  private async takeOverStale(lock: string): Promise<boolean> {
    let text: string;
    let mtimeMs: number;
    try {
      [text, mtimeMs] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock).then((s) => s.mtimeMs)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
    const holder = parseHolder(text);
    const here = holder?.host === os.hostname();
    const dead = holder !== undefined && here && (!processAlive(holder.pid) || (this.longHeld && holder.pid === process.pid));
    if (here && !dead && this.longHeld) return false;
    // An unparsable lock is either being written right now or garbage: only its age can tell.
    const staleMs = holder === undefined ? Math.min(this.staleLockMs, UNREADABLE_STALE_MS) : this.staleLockMs;
    if (!dead && Date.now() - mtimeMs < staleMs) return false;
    const aside = `${lock}.${randomBytes(4).toString('hex')}.stale`;
    try {
      await fs.rename(lock, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
    // Another writer may have replaced the stale lock between our read and our rename: give it back.
    if ((await fs.readFile(aside, 'utf8')) !== text) await fs.link(aside, lock).catch(() => undefined);
    await fs.rm(aside, { force: true });
    return true;
  }
}

function parseHolder(text: string): { pid: number; host: string; at?: string } | undefined {
  try {
    const v = JSON.parse(text) as { pid?: unknown; host?: unknown; at?: unknown };
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    return { pid: v.pid, host: v.host, ...(typeof v.at === 'string' ? { at: v.at } : {}) };
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function release(lock: string, token: string): Promise<void> {
  const text = await fs.readFile(lock, 'utf8').catch(() => undefined);
  if (text !== undefined && parseHolder(text) !== undefined && text.includes(`"token":"${token}"`)) await fs.rm(lock, { force: true });
}

function releaseSync(lock: string, token: string): void {
  try {
    const text = readFileSync(lock, 'utf8');
    if (parseHolder(text) !== undefined && text.includes(`"token":"${token}"`)) rmSync(lock, { force: true });
  } catch {
    // Gone already, or unreadable: nothing of ours to remove.
  }
}
