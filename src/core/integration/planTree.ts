import type { IntegrationOverlap, IntegrationStatus, StoredTaskOutcome } from '../../shared/integration';
export type { StoredTaskOutcome } from '../../shared/integration';
import type { ProposedChange } from '../../shared/proposedChange';
import { HeliosError } from '../errors/heliosError';
import { mergeText } from './threeWayMerge';

export interface IntegratedTask {
  readonly taskId: string;
  readonly status: Exclude<IntegrationStatus, 'conflicted' | 'stale'>;
  /** 1 for the first task integrated into the plan's tree, then 2, 3, … */
  readonly order: number;
  readonly at: string;
  /** The paths the task changed. */
  readonly paths: readonly string[];
  /**
   * Those files as the task left them in the tree, until the plan branch recorded the task: what a
   * resume needs to bring the branch up to date after a crash between the two writes.
   */
  readonly files?: Readonly<Record<string, string>>;
  readonly outcome: StoredTaskOutcome;
}

/** The persisted state of one plan's integrated tree. */
export interface TreeState {
  readonly version: 1;
  readonly planId: string;
  readonly createdAt: string;
  /** The user's files as the plan first read them (null = the file did not exist): the plan's base. */
  readonly base: Readonly<Record<string, string | null>>;
  /** The plan's current content of every file it changed. */
  readonly files: Readonly<Record<string, string>>;
  readonly tasks: Readonly<Record<string, IntegratedTask>>;
}

export interface TreeStore {
  load(planId: string): Promise<TreeState | undefined>;
  save(state: TreeState): Promise<void>;
}

/** The user's files, read-only: the tree's base. `undefined` = no such file (or not readable safely). */
export interface BaseReader {
  read(path: string): Promise<string | undefined>;
}

/** What `withdraw` did. */
export interface WithdrawResult {
  /** Every task taken out, in integration order (those asked for that were integrated, and `overlapped`). */
  readonly withdrawn: readonly string[];
  /** Kept tasks whose change overlapped a withdrawn one's and could not be replayed without it. */
  readonly overlapped: readonly string[];
  /** Files whose content changed: the new content, or null when the file is back to the plan's base. */
  readonly files: ReadonlyMap<string, string | null>;
}

export type IntegrateResult =
  | { readonly ok: true; readonly record: IntegratedTask; readonly merged: readonly string[] }
  | { readonly ok: false; readonly overlaps: readonly IntegrationOverlap[] };

/**
 * One plan's integrated tree: the user's files as they were when the plan first read them, plus
 * every integrated task's change. Every agent of the plan reads through it, so a task sees its
 * dependencies' work. A finished task's change is three-way merged in (base = what the task read,
 * ours = the tree now, theirs = its proposal); overlapping edits are refused, never overwritten.
 * Integrations are serialised, and each is persisted before it is announced, so a crash loses
 * none and a resume integrates none twice (the task's record is the proof).
 */
export class PlanTree {
  private state: TreeState;
  private base: Record<string, string | null>;
  private queue: Promise<unknown> = Promise.resolve();
  /** The one task of the plan re-running on the merged tree now, and the files it holds. */
  private reservation: { readonly taskId: string; readonly paths: ReadonlySet<string>; readonly done: Promise<void> } | undefined;
  private reservations: Promise<void> = Promise.resolve();

  private constructor(state: TreeState, private readonly store: TreeStore, private readonly workspace: BaseReader, private readonly now: () => Date) {
    this.state = state;
    this.base = { ...state.base };
  }

  static async open(options: { readonly planId: string; readonly store: TreeStore; readonly workspace: BaseReader; readonly now?: () => Date }): Promise<PlanTree> {
    const now = options.now ?? (() => new Date());
    const stored = await options.store.load(options.planId);
    const state: TreeState = stored ?? { version: 1, planId: options.planId, createdAt: now().toISOString(), base: {}, files: {}, tasks: {} };
    return new PlanTree(state, options.store, options.workspace, now);
  }

  get planId(): string {
    return this.state.planId;
  }

  /** A file as the plan sees it now: the plan's content, else the user's file as first read. */
  async read(path: string): Promise<string | undefined> {
    const mine = this.state.files[path];
    if (mine !== undefined) return mine;
    if (path in this.base) return this.base[path] ?? undefined;
    const text = await this.workspace.read(path);
    // A concurrent reader may have frozen it first: the first read wins.
    if (!(path in this.base)) this.base[path] = text ?? null;
    return this.base[path] ?? undefined;
  }

  /** The user's file as the plan's base has it (frozen at first read); undefined = it did not exist. */
  async baseOf(path: string): Promise<string | undefined> {
    if (!(path in this.base)) await this.read(path);
    return this.base[path] ?? undefined;
  }

  record(taskId: string): IntegratedTask | undefined {
    return this.state.tasks[taskId];
  }

  /** Integrated tasks, in integration order. */
  records(): IntegratedTask[] {
    return Object.values(this.state.tasks).sort((a, b) => a.order - b.order);
  }

  /** Every file the plan changed with its current content (path order). */
  changedFiles(): Map<string, string> {
    return new Map(Object.entries(this.state.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** What integrating the change now would give, without writing anything. */
  preview(change: ProposedChange): Promise<{ readonly ok: true; readonly files: Map<string, string> } | { readonly ok: false; readonly overlaps: readonly IntegrationOverlap[] }> {
    return this.merge(change);
  }

  /**
   * Merges a task's change into the tree and persists it with the task's outcome. Refused (nothing
   * written) when any file's edits overlap what the tree holds now. A task integrated before is
   * returned as it was: integrating is idempotent by task id.
   */
  integrate(
    change: ProposedChange, status: 'fresh' | 'rebased', outcome: StoredTaskOutcome, afterSave?: (record: IntegratedTask) => Promise<boolean>,
  ): Promise<IntegrateResult> {
    return this.waitForReservation(change).then(() => this.serially(async (): Promise<IntegrateResult> => {
      const existing = this.state.tasks[change.taskId];
      if (existing) return { ok: true, record: existing, merged: [] };
      const merge = await this.merge(change);
      if (!merge.ok) return merge;
      const merged: string[] = [];
      for (const f of change.files) if (merge.files.get(f.path) !== f.proposedContent) merged.push(f.path);
      const order = Math.max(0, ...Object.values(this.state.tasks).map((t) => t.order)) + 1;
      const record: IntegratedTask = {
        taskId: change.taskId,
        status: status === 'rebased' ? 'rebased' : merged.length > 0 ? 'merged' : 'integrated',
        order, at: this.now().toISOString(), paths: [...merge.files.keys()],
        files: Object.fromEntries(merge.files), outcome,
      };
      const next: TreeState = {
        ...this.state, base: { ...this.base },
        files: { ...this.state.files, ...Object.fromEntries(merge.files) },
        tasks: { ...this.state.tasks, [change.taskId]: record },
      };
      await this.store.save(next);
      this.state = next;
      // Still inside the lock: the plan branch records tasks in integration order. Once it has,
      // the task's file copies are dropped (they only serve to repair the branch after a crash).
      if (await afterSave?.(record)) await this.dropCopies([change.taskId]);
      return { ok: true, record, merged };
    }));
  }

  /**
   * A rebase holds its files until it integrates: one rebase at a time per plan, and no other task
   * integrates into those files meanwhile — so the re-run's result merges cleanly instead of
   * overlapping yet another sibling. Returns the release (idempotent); always call it.
   */
  async reserve(taskId: string, paths: Iterable<string>): Promise<() => void> {
    const previous = this.reservations;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.reservations = previous.then(() => done);
    await previous;
    const mine = { taskId, paths: new Set(paths), done };
    this.reservation = mine;
    return () => {
      if (this.reservation === mine) this.reservation = undefined;
      release();
    };
  }

  /** Waits while another task's rebase holds one of the change's files. */
  private async waitForReservation(change: ProposedChange): Promise<void> {
    for (;;) {
      const held = this.reservation;
      if (!held || held.taskId === change.taskId || !change.files.some((f) => held.paths.has(f.path))) return;
      await held.done;
    }
  }

  /**
   * Takes tasks out of the tree (the user rejected one; the tasks built on it go with it). The tree
   * is rebuilt from its base by replaying every other integrated task's stored change, three-way,
   * in integration order — so nothing of the withdrawn tasks stays, whatever merged on top of them.
   * A kept task whose change no longer merges without them is withdrawn too, and named. Nothing is
   * written when a kept task's change cannot be loaded.
   */
  withdraw(taskIds: Iterable<string>, changeOf: (taskId: string) => Promise<ProposedChange | undefined>): Promise<WithdrawResult> {
    const asked = new Set(taskIds);
    return this.serially(async (): Promise<WithdrawResult> => {
      const records = this.records();
      if (!records.some((r) => asked.has(r.taskId))) return { withdrawn: [], overlapped: [], files: new Map() };
      const files: Record<string, string> = {};
      const tasks: Record<string, IntegratedTask> = {};
      const withdrawn: string[] = [];
      const overlapped: string[] = [];
      for (const record of records) {
        if (asked.has(record.taskId)) {
          withdrawn.push(record.taskId);
          continue;
        }
        const change = await changeOf(record.taskId);
        if (!change) {
          throw new HeliosError('state_corrupt', `${record.taskId}'s stored change is missing, so the plan's tree cannot be rebuilt without ${[...asked].join(', ')}`, { taskId: record.taskId });
        }
        const replay: Record<string, string> = {};
        let ok = true;
        for (const f of change.files) {
          const base = f.action === 'create' ? '' : (f.baseContent ?? '');
          const ours = files[f.path] ?? this.base[f.path] ?? '';
          const merged = mergeText(base, ours, f.proposedContent);
          if (!merged.ok) ok = false;
          else replay[f.path] = merged.text;
        }
        if (!ok) {
          withdrawn.push(record.taskId);
          overlapped.push(record.taskId);
          continue;
        }
        Object.assign(files, replay);
        tasks[record.taskId] = record;
      }
      // What each file the plan touched is now: its new content, or null = back to the plan's base.
      const changed = new Map<string, string | null>();
      for (const path of new Set([...Object.keys(this.state.files), ...Object.keys(files)])) {
        const now = files[path] !== undefined && files[path] !== (this.base[path] ?? undefined) ? files[path] : undefined;
        if (now === undefined) delete files[path];
        if ((now ?? null) !== (this.state.files[path] ?? null)) changed.set(path, now ?? null);
      }
      const next: TreeState = { ...this.state, base: { ...this.base }, files, tasks };
      await this.store.save(next);
      this.state = next;
      return { withdrawn, overlapped, files: changed };
    });
  }

  /** The plan branch recorded these tasks: their file copies are no longer needed for repair. */
  markRecorded(taskIds: readonly string[]): Promise<void> {
    return this.serially(() => this.dropCopies(taskIds));
  }

  private async dropCopies(taskIds: readonly string[]): Promise<void> {
    let tasks = this.state.tasks;
    for (const id of taskIds) {
      const t = tasks[id];
      if (t?.files) {
        const { files: _files, ...rest } = t;
        tasks = { ...tasks, [id]: rest };
      }
    }
    if (tasks === this.state.tasks) return;
    const next = { ...this.state, tasks };
    await this.store.save(next);
    this.state = next;
  }

  private async merge(change: ProposedChange): Promise<{ ok: true; files: Map<string, string> } | { ok: false; overlaps: IntegrationOverlap[] }> {
    const files = new Map<string, string>();
    const overlaps: IntegrationOverlap[] = [];
    for (const f of change.files) {
      // A create's base is the empty file: if a sibling created the same path meanwhile, both added text.
      const base = f.action === 'create' ? '' : (f.baseContent ?? '');
      const ours = (await this.read(f.path)) ?? '';
      const result = mergeText(base, ours, f.proposedContent);
      if (result.ok) files.set(f.path, result.text);
      else overlaps.push({ path: f.path, conflicts: result.conflicts });
    }
    return overlaps.length > 0 ? { ok: false, overlaps } : { ok: true, files };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
