import * as vscode from 'vscode';
import { planLanding, type Landing, type LandingWrite } from '../../core/integration/landPlan';
import { mergeText } from '../../core/integration/threeWayMerge';
import { PlanTree, type TreeStore } from '../../core/integration/planTree';
import { lineHunksOf } from '../../core/changes/lineHunks';
import { sha256Hex } from '../../core/changes/proposedChange';
import { HeliosError } from '../../core/errors/heliosError';
import { writeInOneEdit } from './workspaceWrites';
import type { ChangeService } from './changeService';
import { codeRunningReason, type CodeRunningReason } from '../../core/security/codeRunningFiles';

/** The whole plan's result in Agent Diffs: every file the plan changed, against your files. */
export interface PlanResultRow {
  readonly planId: string;
  readonly files: readonly PlanFileRow[];
  /** Tasks integrated into the plan's tree, in order. */
  readonly tasks: readonly string[];
  /** Whether every file already is on disk as the plan has it. */
  readonly landed: boolean;
}

export interface PlanFileRow {
  readonly planId: string;
  readonly path: string;
  readonly linesAdded: number;
  readonly linesRemoved: number;
  /** The file on disk already equals the plan's. */
  readonly landed: boolean;
  readonly isNew: boolean;
  /** Set when the file runs code on the user's machine (core/security/codeRunningFiles.ts). */
  readonly codeRunning?: CodeRunningReason;
}

/** `helios-plan:/src/a.ts?plan=…`: the file as the plan's integrated tree has it (read-only). */
export const PLAN_SCHEME = 'helios-plan';

export function planUri(planId: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${path}`, query: new URLSearchParams({ plan: planId }).toString() });
}

export type AcceptPlanOutcome =
  | { readonly kind: 'applied'; readonly files: number; readonly merged: number }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'conflict'; readonly landing: Landing }
  | { readonly kind: 'failed' };

/**
 * Plans' integrated trees as Agent Diffs shows them: the plan diff (your file ↔ the plan's) and
 * Accept Plan, which writes all of the plan in one undoable WorkspaceEdit, three-way merged with
 * whatever you changed since the plan read each file; a same-line edit of yours is a conflict and
 * nothing is written.
 */
export class PlanResults implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly trees: TreeStore, private readonly service: ChangeService, private readonly log: vscode.LogOutputChannel) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this);
  }

  /** A plan's tree as stored now (read-only here: runs write it). */
  private async tree(planId: string): Promise<PlanTree | undefined> {
    if ((await this.trees.load(planId)) === undefined) return undefined;
    return PlanTree.open({ planId, store: this.trees, workspace: { read: (p) => this.service.readCurrent(p).catch(() => undefined) } });
  }

  async row(planId: string): Promise<PlanResultRow | undefined> {
    const tree = await this.tree(planId).catch(() => undefined);
    if (!tree) return undefined;
    const files: PlanFileRow[] = [];
    for (const [path, text] of tree.changedFiles()) {
      const current = await this.service.readCurrent(path).catch(() => undefined);
      const hunks = lineHunksOf(current, text);
      const codeRunning = codeRunningReason(path, current, text);
      files.push({
        planId, path, landed: current === text, isNew: current === undefined, ...(codeRunning ? { codeRunning } : {}),
        linesAdded: hunks.reduce((n, h) => n + h.proposedLines, 0), linesRemoved: hunks.reduce((n, h) => n + h.baseLines, 0),
      });
    }
    return { planId, files, tasks: tree.records().map((r) => r.taskId), landed: files.every((f) => f.landed) };
  }

  refreshOpen(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === PLAN_SCHEME) this.changed.fire(doc.uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const planId = new URLSearchParams(uri.query).get('plan');
    const tree = planId ? await this.tree(planId) : undefined;
    return (await tree?.read(uri.path.replace(/^\/+/, ''))) ?? '';
  }

  /** Accept Plan: every file of the plan in one undoable edit, or nothing when a file conflicts. */
  async accept(planId: string): Promise<AcceptPlanOutcome> {
    const tree = await this.tree(planId);
    if (!tree) throw new HeliosError('change_target_invalid', `Plan ${planId} has no integrated result`, { planId });
    const integrated = tree.records().map((r) => r.taskId);
    const decided = new Set<string>();
    for (const id of integrated) {
      const state = (await this.service.load(planId, id).catch(() => undefined))?.state;
      if (state === 'rejected' || state === 'applied') decided.add(id);
    }
    // Some tasks were decided one by one: the rest are replayed on your files, each with its own
    // edits only — a rejected task stays out, an accepted one is not applied twice.
    if (decided.size > 0) return this.acceptTasks(planId, integrated.filter((id) => !decided.has(id)));
    const landing = await planLanding(tree.changedFiles(), (p) => tree.baseOf(p), (p) => this.service.readCurrent(p));
    return this.land(planId, landing, integrated);
  }

  /**
   * Accepts some integrated tasks of a plan (a task with its not-yet-accepted ancestors): their
   * changes are replayed on your files in integration order, each three-way merged (base = what the
   * task read), and written in one undoable edit — or nothing, when one overlaps your edits.
   */
  async acceptTasks(planId: string, taskIds: readonly string[]): Promise<AcceptPlanOutcome> {
    const tree = await this.tree(planId);
    if (!tree) throw new HeliosError('change_target_invalid', `Plan ${planId} has no integrated result`, { planId });
    const wanted = new Set(taskIds);
    const contents = new Map<string, string | undefined>();
    const current = async (p: string) => {
      if (!contents.has(p)) contents.set(p, await this.service.readCurrent(p));
      return contents.get(p);
    };
    const originals = new Map<string, string | undefined>();
    const conflicts: { path: string; regions: number }[] = [];
    for (const record of tree.records()) {
      if (!wanted.has(record.taskId)) continue;
      const change = await this.service.load(planId, record.taskId);
      for (const f of change.files) {
        const ours = await current(f.path);
        if (!originals.has(f.path)) originals.set(f.path, ours);
        const merged = mergeText(f.action === 'create' ? '' : (f.baseContent ?? ''), ours ?? '', f.proposedContent);
        if (merged.ok) contents.set(f.path, merged.text);
        else conflicts.push({ path: f.path, regions: merged.conflicts });
      }
    }
    const writes: LandingWrite[] = [];
    const unchanged: string[] = [];
    for (const [path, text] of contents) {
      const before = originals.get(path);
      if (text === undefined || text === before) unchanged.push(path);
      else writes.push({ path, content: text, expectedSha256: before === undefined ? null : sha256Hex(before), kind: before === undefined ? 'new' : 'merged' });
    }
    return this.land(planId, { writes, conflicts, unchanged }, [...wanted]);
  }

  private async land(planId: string, landing: Landing, taskIds: readonly string[]): Promise<AcceptPlanOutcome> {
    if (landing.conflicts.length > 0) return { kind: 'conflict', landing };
    if (landing.writes.length > 0) {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!root) throw new HeliosError('no_workspace', 'No folder is open');
      if (!(await writeInOneEdit(root, landing.writes))) return { kind: 'failed' };
    }
    // Those tasks' changes are now in the user's files.
    for (const taskId of taskIds) {
      await this.service.updateChange(planId, taskId, (c) => (c.state === 'rejected' ? c : { ...c, state: 'applied' })).catch(() => undefined);
    }
    this.log.info(`Accepted plan ${planId}: ${landing.writes.length} file(s) written (${landing.writes.filter((w) => w.kind === 'merged').length} merged with your edits)`);
    this.refreshOpen();
    return landing.writes.length === 0 ? { kind: 'nothing' } : { kind: 'applied', files: landing.writes.length, merged: landing.writes.filter((w) => w.kind === 'merged').length };
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
