import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProposedChange } from '../../shared/proposedChange';
import { parseProposedChange } from '../changes/changeSchema';
import { readJsonFile, writeFileAtomic } from './atomicFile';
import { moveAside } from './corruptFile';
import { FileLock, type FileLockOptions } from './fileLock';

export interface ChangeStoreEvents {
  /**
   * A stored change could not be read: it was moved to `aside` (`*.corrupt-<time>`) and is treated
   * as missing from now on; the caller tells the user.
   */
  onCorrupt?(file: string, error: string, aside: string | undefined): void;
}

/** `lockTimeoutMs`: how long `update` and `save` wait for another writer before `state_busy`. */
export type ChangeStoreOptions = FileLockOptions;

const ID = /^(?!\.\.?$)[\w.-]+$/;

/**
 * Proposed changes as JSON files in the workspace storage: `changes/<planId>/<taskId>.json`, the
 * format the Run Plan writes. Writes are atomic; read-modify-write goes through a lock file next to
 * the change (`<taskId>.json.lock`, see FileLock) so two VS Code windows deciding different hunks of
 * one change both keep their decisions.
 */
export class FileChangeStore {
  private readonly lock: FileLock;

  constructor(
    private readonly root: string,
    private readonly events: ChangeStoreEvents = {},
    options: ChangeStoreOptions = {},
  ) {
    this.lock = new FileLock(options);
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
      }
    }
    return changes;
  }

  /** The stored change, undefined when there is none (or it was unreadable: moved aside and reported). */
  async load(planId: string, taskId: string): Promise<ProposedChange | undefined> {
    const read = await this.read(this.file(planId, taskId), planId, taskId);
    return read.kind === 'ok' ? read.value : undefined;
  }

  async save(change: ProposedChange): Promise<void> {
    const file = this.file(change.planId, change.taskId);
    const valid = parseProposedChange(change);
    await this.lock.with(file, () => writeFileAtomic(file, JSON.stringify(valid, null, 1)));
  }

  /**
   * Re-reads the latest stored change under the lock, applies `fn`, writes the result. Undefined
   * when there is no such change (an unreadable one is moved aside and reported first).
   */
  async update(planId: string, taskId: string, fn: (latest: ProposedChange) => ProposedChange): Promise<ProposedChange | undefined> {
    const file = this.file(planId, taskId);
    return this.lock.with(file, async () => {
      const read = await this.read(file, planId, taskId);
      if (read.kind !== 'ok') return undefined;
      const next = parseProposedChange(fn(read.value));
      if (next.planId !== planId || next.taskId !== taskId) throw new Error(`update of ${planId}/${taskId} returned ${next.planId}/${next.taskId}`);
      await writeFileAtomic(file, JSON.stringify(next, null, 1));
      return next;
    });
  }

  /** Reads a change; an unreadable file is moved aside and reported, then reads as missing. */
  private async read(file: string, planId: string, taskId: string) {
    const read = await readJsonFile(file, (v) => {
      const change = parseProposedChange(v);
      // A file copied under another name would otherwise be saved back over the wrong task.
      if (change.planId !== planId || change.taskId !== taskId) throw new Error(`names ${change.planId}/${change.taskId}`);
      return change;
    });
    if (read.kind === 'corrupt') this.events.onCorrupt?.(file, read.error, await moveAside(file));
    return read;
  }

  private file(planId: string, taskId: string): string {
    return path.join(this.root, 'changes', checkId(planId), `${checkId(taskId)}.json`);
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
