import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';

/**
 * A lock file next to a state file (`<file>.lock`, created with O_EXCL) for read-modify-write by
 * several VS Code windows (processes) at once. A lock whose writer died (same host, process gone)
 * or that is older than `staleLockMs` is taken over; waiting longer than `lockTimeoutMs` is
 * `state_busy`. A lock rather than compare-and-swap: a rename cannot be made conditional on the
 * old content, so CAS would still lose races.
 */

export interface FileLockOptions {
  /** A lock older than this is from a crashed writer and is taken over. */
  readonly staleLockMs?: number;
  /** How long to wait for another writer before `state_busy`. */
  readonly lockTimeoutMs?: number;
}

export class FileLock {
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;

  constructor(options: FileLockOptions = {}) {
    this.staleLockMs = options.staleLockMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
  }

  /** Runs `body` holding `<file>.lock`; the folder is created when missing. */
  async with<T>(file: string, body: () => Promise<T>): Promise<T> {
    const lock = `${file}.lock`;
    const token = randomBytes(8).toString('hex');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await this.acquire(lock, token);
    try {
      return await body();
    } finally {
      await release(lock, token);
    }
  }

  private async acquire(lock: string, token: string): Promise<void> {
    const mine = JSON.stringify({ token, pid: process.pid, host: os.hostname(), at: new Date().toISOString() });
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.writeFile(lock, mine, { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.takeOverStale(lock)) continue;
      if (Date.now() > deadline) throw new HeliosError('state_busy', `${lock} is held by another writer`, { file: lock });
      // Writes under the lock take milliseconds: a short, jittered wait is enough.
      await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt) + randomInt(5)));
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
    const dead = holder !== undefined && holder.host === os.hostname() && !processAlive(holder.pid);
    // An unparsable lock is either being written right now or garbage: only its age can tell.
    if (!dead && Date.now() - mtimeMs < this.staleLockMs) return false;
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

function parseHolder(text: string): { pid: number; host: string } | undefined {
  try {
    const v = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host } : undefined;
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
