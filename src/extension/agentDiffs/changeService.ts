import * as vscode from 'vscode';
import { captureBases, decide, fileHunks, knownBase, planApply, recordApply, rebaseFile, type ApplyPlan, type ChangeTarget } from '../../core/changes/decisions';
import { mapProposedLine, mapProposedRange, remainingProposal, type RemainingProposal } from '../../core/changes/lineHunks';
import { findingOf, setFindingStatus } from '../../core/changes/findings';
import { sha256Hex } from '../../core/changes/proposedChange';
import { HeliosError } from '../../core/errors/heliosError';
import { resolveInside } from '../../infra/changes/safeWorkspace';
import type { ProposedChange, ProposedFileChange } from '../../shared/proposedChange';
import type { ChangeEntry } from './agentDiffsModel';
import { proposedUri, type ChangeFileRef } from './changeUris';
import type { FindingPlacement } from './reviewComments';
import { writeInOneEdit } from './workspaceWrites';

/** Where changes are stored (workspace storage), as the service needs it. */
export interface ChangeRepository {
  list(): Promise<ProposedChange[]>;
  load(planId: string, taskId: string): Promise<ProposedChange | undefined>;
  /** Re-reads the latest stored change, applies `fn`, writes it back (safe against other windows). */
  update(planId: string, taskId: string, fn: (latest: ProposedChange) => ProposedChange): Promise<ProposedChange>;
}

export interface ChangeServiceDeps {
  readonly repository: ChangeRepository;
  readonly root: () => vscode.Uri | undefined;
  /** Plan labels, task titles and what each task cost. */
  readonly describe: (change: ProposedChange) => Promise<Omit<ChangeEntry, 'change'>>;
  readonly log: vscode.LogOutputChannel;
  /** Called after the user accepted a change: the cache may now trust its answer. */
  readonly onAccepted?: (change: ProposedChange) => void;
}

export type AcceptOutcome =
  | { readonly kind: 'applied'; readonly files: number }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'conflict'; readonly paths: readonly string[] }
  | { readonly kind: 'failed' };

/**
 * The Agent Diffs hub: stored changes, what the diff editor shows for them, and the user's
 * decisions. Accepting writes through one `WorkspaceEdit` per task (undoable, all files or none)
 * after checking each file against the hash the task read; nothing is ever written otherwise.
 */
export class ChangeService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: ChangeServiceDeps) {}

  /** Something stored changed (a run saved a change, another window decided): views re-read. */
  notify(): void {
    this.changed.fire();
  }

  async entries(): Promise<ChangeEntry[]> {
    const changes = await Promise.all((await this.deps.repository.list()).map((c) => this.withBases(c)));
    return Promise.all(changes.map(async (change) => ({ change, ...(await this.deps.describe(change)) })));
  }

  /**
   * Stores the base text of files still exactly as the task read them, the first time a change is
   * shown: hunk indices then stay stable across reloads and partial applies.
   */
  private async withBases(change: ProposedChange): Promise<ProposedChange> {
    if (change.state !== 'proposed' || change.files.every((f) => knownBase(f).known)) return change;
    const captured = await captureBases(change, (p) => this.readCurrent(p)).catch(() => change);
    if (captured === change) return change;
    return this.deps.repository.update(change.planId, change.taskId, (latest) => ({ ...latest, files: latest.files.map((f) => captured.files.find((c) => c.path === f.path && !knownBase(f).known) ?? f) }));
  }

  async load(planId: string, taskId: string): Promise<ProposedChange> {
    const change = await this.deps.repository.load(planId, taskId);
    if (!change) throw new HeliosError('change_target_invalid', `No stored change for ${planId}/${taskId}`, { planId, taskId });
    return change;
  }

  /** The workspace file's text as the user has it (an open editor's unsaved text included); undefined when missing. */
  async readCurrent(path: string): Promise<string | undefined> {
    const root = this.deps.root();
    if (!root) throw new HeliosError('no_workspace', 'No folder is open');
    const uri = vscode.Uri.file(await resolveInside(root.fsPath, path));
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
      throw error;
    }
  }

  /** What the diff editor's right side shows: the current file plus the still-pending hunks. */
  async remaining(ref: ChangeFileRef): Promise<{ change: ProposedChange; file: ProposedFileChange; view: RemainingProposal | undefined }> {
    const change = await this.load(ref.planId, ref.taskId);
    const file = change.files.find((f) => f.path === ref.path);
    if (!file) throw new HeliosError('change_target_invalid', `${ref.path} is not part of ${ref.planId}/${ref.taskId}`, { path: ref.path });
    const base = await this.baseOf(change, file);
    if (!base.known) return { change, file, view: undefined };
    const hunks = fileHunks({ ...file, ...(base.base !== undefined ? { baseContent: base.base } : {}) }) ?? [];
    return { change, file, view: remainingProposal(base.base, file.proposedContent, hunks, change.decisions?.[file.path]?.hunks) };
  }

  /** The stored base, or the file on disk while it is still exactly what the task read. */
  private async baseOf(change: ProposedChange, file: ProposedFileChange): Promise<{ known: true; base: string | undefined } | { known: false }> {
    const stored = knownBase(file);
    if (stored.known || change.decisions?.[file.path]?.appliedSha256) return stored;
    const current = await this.readCurrent(file.path);
    return current !== undefined && sha256Hex(current) === file.baseSha256 ? { known: true, base: current } : { known: false };
  }

  async updateChange(planId: string, taskId: string, fn: (latest: ProposedChange) => ProposedChange): Promise<ProposedChange> {
    const stored = await this.deps.repository.update(planId, taskId, fn);
    this.changed.fire();
    return stored;
  }

  /**
   * A finding's suggested fix on lines that are already in the workspace file: one undoable edit
   * on the real file at the mapped lines; the finding is then marked applied.
   */
  async applySuggestionToFile(change: ProposedChange, findingId: string): Promise<void> {
    const finding = findingOf(change, findingId);
    const file = change.files.find((f) => f.path === finding.path);
    const hunks = file ? fileHunks(file) : undefined;
    const decisions = change.decisions?.[finding.path]?.hunks;
    const start = hunks ? mapProposedLine(hunks, decisions, finding.startLine) : undefined;
    const end = hunks ? mapProposedLine(hunks, decisions, finding.endLine) : undefined;
    if (finding.replacement === undefined || start === undefined || end === undefined) {
      throw new HeliosError('finding_not_applicable', `Finding ${findingId} is not on lines of the workspace file`, { id: findingId });
    }
    const uri = vscode.Uri.file(await resolveInside(this.deps.root()!.fsPath, finding.path));
    const doc = await vscode.workspace.openTextDocument(uri);
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const edit = new vscode.WorkspaceEdit();
    const text = finding.replacement.replace(/\r?\n$/, '').replace(/\r?\n/g, eol) + eol;
    edit.replace(uri, new vscode.Range(start - 1, 0, end, 0), text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new HeliosError('finding_not_applicable', 'The workspace refused the edit', { id: findingId });
    await doc.save();
    await this.updateChange(change.planId, change.taskId, (latest) => setFindingStatus(latest, findingId, 'applied'));
  }

  async reject(ref: { planId: string; taskId: string }, target: ChangeTarget): Promise<void> {
    await this.deps.repository.update(ref.planId, ref.taskId, (latest) => decide(latest, target, 'rejected'));
    this.changed.fire();
  }

  /** Accepts a task, a file or a hunk: conflicts are flagged and nothing of the task is written. */
  async accept(ref: { planId: string; taskId: string }, target: ChangeTarget): Promise<AcceptOutcome> {
    const change = await this.load(ref.planId, ref.taskId);
    const plan = await planApply(change, target, (p) => this.readCurrent(p));
    if (!plan.ok) {
      await this.deps.repository.update(ref.planId, ref.taskId, (latest) => recordApply(latest, plan));
      this.changed.fire();
      return { kind: 'conflict', paths: plan.files.filter((f) => f.conflict).map((f) => f.path) };
    }
    if (plan.files.length === 0) {
      await this.deps.repository.update(ref.planId, ref.taskId, (latest) => decide(latest, target, 'accepted'));
      this.changed.fire();
      return { kind: 'nothing' };
    }
    if (!(await this.write(plan))) return { kind: 'failed' };
    const stored = await this.deps.repository.update(ref.planId, ref.taskId, (latest) => recordApply(latest, plan));
    this.changed.fire();
    if (stored.state === 'applied') this.deps.onAccepted?.(stored);
    return { kind: 'applied', files: plan.files.length };
  }

  /** "Take the proposal over my version": the file as it is now becomes the base, then it is accepted. */
  async overwrite(ref: ChangeFileRef): Promise<AcceptOutcome> {
    const current = await this.readCurrent(ref.path);
    await this.deps.repository.update(ref.planId, ref.taskId, (latest) => current === undefined
      ? decide(latest, { kind: 'file', path: ref.path }, 'rejected')
      : rebaseFile(latest, ref.path, current));
    if (current === undefined) {
      this.changed.fire();
      return { kind: 'nothing' };
    }
    return this.accept(ref, { kind: 'file', path: ref.path });
  }

  /** One WorkspaceEdit for the task's files (undoable as one step), then every touched file saved. */
  private async write(plan: ApplyPlan): Promise<boolean> {
    const written = await writeInOneEdit(this.deps.root()!, plan.files.map((f) => ({ path: f.path, expectedSha256: f.expectedSha256, content: f.content! })));
    if (!written) {
      this.deps.log.warn(`The workspace refused the edit for ${plan.next.planId}/${plan.next.taskId}; nothing was written`);
      return false;
    }
    this.deps.log.info(`Applied ${plan.files.length} file(s) of ${plan.next.planId}/${plan.next.taskId}`);
    return true;
  }

  /**
   * Where each finding is shown: on the proposed document while its lines are still pending, and
   * on the real file once they were applied.
   */
  placements(change: ProposedChange): FindingPlacement[] {
    const review = change.review;
    const root = this.deps.root();
    if (!review || !root || change.state === 'rejected') return [];
    const out: FindingPlacement[] = [];
    for (const finding of review.findings) {
      const file = change.files.find((f) => f.path === finding.path);
      if (!file) continue;
      const ref = { planId: change.planId, taskId: change.taskId, path: file.path };
      const base = knownBase(file);
      const hunks = base.known ? fileHunks(file) : undefined;
      const decisions = change.decisions?.[file.path]?.hunks;
      const place = (uri: vscode.Uri, onto: 'current' | 'remaining') => {
        const range = hunks ? mapProposedRange(hunks, decisions, finding.startLine, finding.endLine, onto) : finding;
        if (range) out.push({ planId: change.planId, taskId: change.taskId, finding, reviewer: review.model, uri, startLine: range.startLine, endLine: range.endLine });
      };
      if (!decisions || decisions.some((d) => d === 'pending')) place(proposedUri(ref), 'remaining');
      if (decisions?.some((d) => d === 'accepted')) place(vscode.Uri.joinPath(root, ...file.path.split('/')), 'current');
    }
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
