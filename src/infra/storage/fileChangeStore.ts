import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';
import type { ProposedChange } from '../../shared/proposedChange';
import { parseProposedChange } from '../changes/changeSchema';
import { readJsonFile, writeFileAtomic } from './atomicFile';

export interface ChangeStoreEvents {
  /** A stored change could not be read; the caller logs it. The file is left as it is. */
  onCorrupt?(file: string, error: string): void;
}

export interface ChangeStoreOptions {
  /** A lock older than this is from a crashed writer and is taken over. */
  readonly staleLockMs?: number;
  /** How long `update` and `save` wait for another writer before `state_busy`. */
  readonly lockTimeoutMs?: number;
}

const ID = /^(?!\.\.?$)[\w.-]+$/;

/**
 * Proposed changes as JSON files in the workspace storage: `changes/<planId>/<taskId>.json`, the
 * format the Run Plan writes. Writes are atomic; read-modify-write goes through a lock file next to
 * the change (`<taskId>.json.lock`, created with O_EXCL) so two VS Code windows deciding different
 * hunks of one change both keep their decisions. A lock whose writer died (same host, process
 * gone) or that is older than `staleLockMs` is taken over. A lock rather than compare-and-swap:
 * a rename cannot be made conditional on the old content, so CAS would still lose races.
 */
export class FileChangeStore {
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;

  constructor(
    private readonly root: string,
    private readonly events: ChangeStoreEvents = {},
    options: ChangeStoreOptions = {},
  ) {
    this.staleLockMs = options.staleLockMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
  }

  /** Every readable change, of one plan or of all, by plan then task; unreadable ones reported and skipped. */
  async list(planId?: string): Promise<ProposedChange[]> {
    const plans = planId !== undefined ? [checkId(planId)] : (await entries(path.join(this.root, 'changes'))).filter((n) => ID.test(n));
    const changes: ProposedChange[] = [];
    for (const plan of plans.sort()) {
      for (const name of (await entries(path.join(this.root, 'changes', plan))).filter((n) => n.endsWith('.json')).sort()) {
        const file = path.join(this.root, 'changes', plan, name);
        const read = await this.read(file, plan, name.slice(0, -'.json'.length));
        if (read.kind === 'ok') changes.push(read.value);
        else if (read.kind === 'corrupt') this.events.onCorrupt?.(file, read.error);
      }
    }
    return changes;
  }

  /** The stored change, undefined when there is none; `state_corrupt` when the file is unreadable. */
  async load(planId: string, taskId: string): Promise<ProposedChange | undefined> {
    const file = this.file(planId, taskId);
    const read = await this.read(file, planId, taskId);
    if (read.kind === 'corrupt') {
      this.events.onCorrupt?.(file, read.error);
      throw new HeliosError('state_corrupt', `${file}: ${read.error}`, { file });
    }
    return read.kind === 'ok' ? read.value : undefined;
  }

  async save(change: ProposedChange): Promise<void> {
    const file = this.file(change.planId, change.taskId);
    const valid = parseProposedChange(change);
    await this.locked(file, () => writeFileAtomic(file, JSON.stringify(valid, null, 1)));
  }

  /**
   * Re-reads the latest stored change under the lock, applies `fn`, writes the result. Undefined
   * when there is no such change; `state_corrupt` (file untouched) when it is unreadable.
   */
  async update(planId: string, taskId: string, fn: (latest: ProposedChange) => ProposedChange): Promise<ProposedChange | undefined> {
    const file = this.file(planId, taskId);
    return this.locked(file, async () => {
      const read = await this.read(file, planId, taskId);
      if (read.kind === 'missing') return undefined;
      if (read.kind === 'corrupt') {
        this.events.onCorrupt?.(file, read.error);
        throw new HeliosError('state_corrupt', `${file}: ${read.error}`, { file });
      }
      const next = parseProposedChange(fn(read.value));
      if (next.planId !== planId || next.taskId !== taskId) throw new Error(`update of ${planId}/${taskId} returned ${next.planId}/${next.taskId}`);
      await writeFileAtomic(file, JSON.stringify(next, null, 1));
      return next;
    });
  }

  private read(file: string, planId: string, taskId: string) {
    return readJsonFile(file, (v) => {
      const change = parseProposedChange(v);
      // A file copied under another name would otherwise be saved back over the wrong task.
      if (change.planId !== planId || change.taskId !== taskId) throw new Error(`names ${change.planId}/${change.taskId}`);
      return change;
    });
  }

  private file(planId: string, taskId: string): string {
    return path.join(this.root, 'changes', checkId(planId), `${checkId(taskId)}.json`);
  }

  private async locked<T>(file: string, body: () => Promise<T>): Promise<T> {
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
      // Decisions take milliseconds: a short, jittered wait is enough.
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

function checkId(id: string): string {
  if (!ID.test(id)) throw new Error(`invalid plan or task id ${JSON.stringify(id)}`);
  return id;
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
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
