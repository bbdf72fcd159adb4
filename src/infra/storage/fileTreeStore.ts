import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HeliosError } from '../../core/errors/heliosError';
import type { TreeState, TreeStore } from '../../core/integration/planTree';
import { UsageSchema } from '../../core/plan/planSchema';
import { readJsonFile, writeFileAtomic } from './atomicFile';
import { moveAside } from './corruptFile';
import { writingState } from './storageErrors';

const OutcomeSchema = z.object({
  model: z.string(),
  reasonCode: z.string(),
  reason: z.string(),
  usage: UsageSchema,
  costUsd: z.number().nonnegative(),
  calls: z.number().int().nonnegative(),
  review: z.object({
    verdict: z.enum(['approve', 'request_changes']), blockers: z.number(), findings: z.number(), rounds: z.number(), costUsd: z.number(),
  }).optional(),
  verification: z.object({ status: z.enum(['passed', 'failed', 'error', 'skipped', 'unavailable']), failedTests: z.number().optional() }).optional(),
  rebaseCostUsd: z.number().optional(),
});

const TreeStateSchema = z.object({
  version: z.literal(1),
  planId: z.string().min(1),
  createdAt: z.string(),
  base: z.record(z.string(), z.string().nullable()),
  files: z.record(z.string(), z.string()),
  tasks: z.record(z.string(), z.object({
    taskId: z.string(),
    status: z.enum(['integrated', 'merged', 'rebased']),
    order: z.number().int().positive(),
    at: z.string(),
    paths: z.array(z.string()),
    files: z.record(z.string(), z.string()).optional(),
    outcome: OutcomeSchema,
  })),
});

/** A save's difference from the one before: absolute values, so replaying it twice is harmless. */
interface TreeDelta {
  readonly seq: number;
  readonly base?: Record<string, string | null>;
  readonly files?: Record<string, string>;
  readonly tasks?: Record<string, unknown>;
  /** Files back to the plan's base and tasks taken off the plan (a rejected task withdrawn). */
  readonly dropFiles?: readonly string[];
  readonly dropTasks?: readonly string[];
}

/** Deltas appended before the next full snapshot. */
const JOURNAL_LIMIT = 200;

/**
 * Each plan's integrated tree: a snapshot (`<dir>/<planId>.json`, written atomically) plus a
 * journal of whole-line deltas (`<planId>.journal.jsonl`, appended and fsynced per integration),
 * folded into a new snapshot every JOURNAL_LIMIT saves. Writing the whole tree per integration
 * made a 1,200-task plan write 3 MB per task; a delta is the task's own files. Every line carries a
 * sequence number and the snapshot the last one it holds, so a crash between a snapshot and the
 * journal's truncation replays nothing twice; a torn last line (a crash mid-append) is dropped —
 * its integration had not been acknowledged. A snapshot or journal that cannot be read is moved
 * aside (`*.corrupt-<time>`) and reported: the tree holds integrated work, so it is never silently
 * replaced by an empty one.
 */
export class FileTreeStore implements TreeStore {
  private readonly saved = new Map<string, { state: TreeState; seq: number; lines: number }>();

  constructor(private readonly dir: string) {}

  async load(planId: string): Promise<TreeState | undefined> {
    const file = this.file(planId);
    let snapshotSeq = 0;
    const read = await readJsonFile(file, (v) => {
      snapshotSeq = typeof (v as { journalSeq?: unknown }).journalSeq === 'number' ? (v as { journalSeq: number }).journalSeq : 0;
      return TreeStateSchema.parse(v);
    });
    if (read.kind === 'corrupt') await this.corrupt(planId, file, read.error);
    let state: TreeState | undefined = read.kind === 'ok' ? read.value : undefined;
    let seq = snapshotSeq;
    const lines = await this.journalLines(planId);
    for (const [i, line] of lines.entries()) {
      let delta: TreeDelta;
      try {
        delta = JSON.parse(line) as TreeDelta;
      } catch (error) {
        if (i === lines.length - 1) break;
        return this.corrupt(planId, this.journal(planId), `line ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (typeof delta.seq !== 'number' || delta.seq <= seq) continue;
      if (!state) return this.corrupt(planId, this.journal(planId), 'a journal without its snapshot');
      const files: Record<string, string> = { ...state.files, ...delta.files };
      for (const p of delta.dropFiles ?? []) delete files[p];
      const tasks: Record<string, TreeState['tasks'][string]> = { ...state.tasks, ...(delta.tasks as TreeState['tasks'] | undefined) };
      for (const id of delta.dropTasks ?? []) delete tasks[id];
      state = { ...state, base: { ...state.base, ...delta.base }, files, tasks };
      seq = delta.seq;
    }
    if (!state) return undefined;
    const checked = TreeStateSchema.safeParse(state);
    if (!checked.success) return this.corrupt(planId, this.journal(planId), checked.error.message);
    this.saved.set(planId, { state, seq, lines: lines.length });
    return state;
  }

  async save(state: TreeState): Promise<void> {
    const previous = this.saved.get(state.planId) ?? (await this.loadForSave(state.planId));
    const seq = (previous?.seq ?? 0) + 1;
    if (!previous || previous.lines >= JOURNAL_LIMIT) {
      await writeFileAtomic(this.file(state.planId), JSON.stringify({ ...state, journalSeq: seq }));
      await fs.rm(this.journal(state.planId), { force: true });
      this.saved.set(state.planId, { state, seq, lines: 0 });
      return;
    }
    const delta = deltaOf(previous.state, state, seq);
    const journal = this.journal(state.planId);
    await writingState(journal, async () => {
      const handle = await fs.open(journal, 'a');
      try {
        await handle.appendFile(`${JSON.stringify(delta)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    this.saved.set(state.planId, { state, seq, lines: previous.lines + 1 });
  }

  /** Another instance (a window, an earlier run) may have written the plan: start from what is on disk. */
  private async loadForSave(planId: string): Promise<{ state: TreeState; seq: number; lines: number } | undefined> {
    await this.load(planId).catch(() => undefined);
    return this.saved.get(planId);
  }

  private async journalLines(planId: string): Promise<string[]> {
    try {
      return (await fs.readFile(this.journal(planId), 'utf8')).split('\n').filter((l) => l.length > 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async corrupt(planId: string, file: string, why: string): Promise<never> {
    const aside = (await moveAside(file)) ?? file;
    this.saved.delete(planId);
    throw new HeliosError('state_corrupt', `The integrated tree of plan ${planId} was unreadable (${why}); it was moved to ${aside}`, { path: aside, planId });
  }

  private file(planId: string): string {
    if (!/^[\w.-]+$/.test(planId)) throw new HeliosError('plan_invalid', `invalid plan id ${planId}`, { planId });
    return path.join(this.dir, `${planId}.json`);
  }

  private journal(planId: string): string {
    return this.file(planId).replace(/\.json$/, '.journal.jsonl');
  }
}

/** What changed between two states of one tree (by reference: the tree replaces what it changes). */
function deltaOf(before: TreeState, after: TreeState, seq: number): TreeDelta {
  const changed = <T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>): Record<string, T> | undefined => {
    const out: Record<string, T> = {};
    let any = false;
    for (const [k, v] of Object.entries(b)) {
      if (a[k] !== v) {
        out[k] = v;
        any = true;
      }
    }
    return any ? out : undefined;
  };
  const base = changed(before.base, after.base);
  const files = changed(before.files, after.files);
  const tasks = changed(before.tasks, after.tasks);
  const dropFiles = Object.keys(before.files).filter((p) => !(p in after.files));
  const dropTasks = Object.keys(before.tasks).filter((id) => !(id in after.tasks));
  return {
    seq, ...(base ? { base } : {}), ...(files ? { files } : {}), ...(tasks ? { tasks } : {}),
    ...(dropFiles.length > 0 ? { dropFiles } : {}), ...(dropTasks.length > 0 ? { dropTasks } : {}),
  };
}
