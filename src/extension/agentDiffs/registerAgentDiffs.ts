import * as vscode from 'vscode';
import { applySuggestionToProposal, findingOf, replyToFinding, setFindingStatus } from '../../core/changes/findings';
import type { ChangeTarget } from '../../core/changes/decisions';
import { CHANGE_COMMANDS, COMMANDS } from '../constants';
import { offer } from '../commands/nextStep';
import { showError } from '../errorMessages';
import type { TaskRow } from './agentDiffsModel';
import { AGENT_DIFFS_VIEW_ID, AgentDiffsView, type AgentDiffsNode } from './agentDiffsView';
import type { AcceptOutcome, ChangeService } from './changeService';
import { parseProposedUri, proposedUri, PROPOSED_SCHEME, type ChangeFileRef } from './changeUris';
import { HunkLenses } from './hunkLenses';
import { planUri, type AcceptPlanOutcome, type PlanResults } from './planResults';
import { ProposedDocuments } from './proposedDocuments';
import { ReviewComments } from './reviewComments';
import { undoShortcut } from '../shortcuts';

const t = vscode.l10n.t;

/**
 * The Agent Diffs surface: the tree view, the diff editor's documents and hunk lenses, the review
 * comments and every accept / reject / finding command. Each part re-reads the stored changes when
 * the service says something changed, so what is shown is always what is stored.
 */
/** What Agent Diffs needs of the plans: their integrated results and their task graphs. */
export interface PlanAccess {
  readonly results: PlanResults;
  /** The task's dependencies, transitively, in no particular order. */
  ancestors(planId: string, taskId: string): Promise<readonly string[]>;
  /** The tasks that depend on this one, transitively. */
  dependants(planId: string, taskId: string): Promise<readonly string[]>;
  /**
   * Takes a rejected task, and the given dependants built on it, off the plan's tree and branch;
   * resolves with every task taken off besides the rejected one (a task that merged on the
   * rejected one's lines goes too).
   */
  withdraw?(planId: string, rejected: string, dependants: readonly string[]): Promise<readonly string[]>;
  /** Re-runs stale tasks on the plan as it is now (with progress, like Run Plan). */
  rerun?(planId: string, taskIds: readonly string[]): Promise<void>;
  cleanUpBranches?(): Promise<void>;
}

export function registerAgentDiffs(service: ChangeService, root: () => vscode.Uri | undefined, log: vscode.LogOutputChannel, plans?: PlanAccess): vscode.Disposable {
  const view = new AgentDiffsView(() => service.entries(), root, (planId) => plans?.results.row(planId) ?? Promise.resolve(undefined));
  const tree = vscode.window.createTreeView(AGENT_DIFFS_VIEW_ID, { treeDataProvider: view, showCollapseAll: true });
  const documents = new ProposedDocuments(service);
  const comments = new ReviewComments();
  const lenses = new HunkLenses(service);

  const refresh = async () => {
    await view.refresh();
    documents.refreshOpen();
    plans?.results.refreshOpen();
    lenses.refresh();
    const entries = await service.entries();
    comments.sync(entries.flatMap((e) => service.placements(e.change)));
    const open = view.rows().filter((r) => r.pending).length;
    tree.badge = open > 0 ? { value: open, tooltip: t('{0} proposed changes to review', open) } : undefined;
  };
  const safeRefresh = () => void refresh().catch((e: unknown) => log.warn(`Agent Diffs refresh failed: ${String(e)}`));

  const run = (body: (...args: unknown[]) => Promise<void>) => async (...args: unknown[]) => {
    try {
      await body(...args);
    } catch (error) {
      await showError(error, log);
    }
  };

  const taskOf = async (arg: unknown): Promise<TaskRow | undefined> => {
    const node = arg as AgentDiffsNode | undefined;
    if (node?.kind === 'task') return node.row;
    const pending = view.rows().filter((r) => r.pending);
    if (pending.length === 0) {
      void vscode.window.showInformationMessage(t('No proposed change is waiting for a decision.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      pending.map((row) => ({ label: row.taskId, description: `${row.title} · +${row.linesAdded} −${row.linesRemoved} · ${row.model}`, row })),
      { placeHolder: t('Which task\'s change?') },
    );
    return picked?.row;
  };

  /** A file from a tree node, a diff editor (its URI) or the active editor. */
  const fileOf = (arg: unknown): ChangeFileRef | undefined => {
    const node = arg as AgentDiffsNode | undefined;
    if (node?.kind === 'file') return node.row;
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    return uri ? parseProposedUri(uri) : undefined;
  };

  const report = async (outcome: AcceptOutcome, what: string, ref: { planId: string; taskId: string }) => {
    if (outcome.kind === 'applied') vscode.window.setStatusBarMessage(t('$(check) Helios applied {0} file(s) of {1}', outcome.files, what), 5_000);
    if (outcome.kind === 'failed') void vscode.window.showErrorMessage(t('VS Code did not apply the edit for {0}; nothing was written.', what));
    if (outcome.kind === 'conflict') {
      const resolve = t('Resolve…');
      const picked = await vscode.window.showWarningMessage(
        t('{0} changed since the task read it, so nothing of {1} was written. Choose how to resolve it.', outcome.paths.join(', '), what),
        resolve,
      );
      if (picked === resolve) await resolveConflict({ ...ref, path: outcome.paths[0]! });
    }
  };

  const decideTask = (accept: boolean) => run(async (arg) => {
    const row = await taskOf(arg);
    if (!row) return;
    const change = await service.load(row.planId, row.taskId);
    if (change.integration?.status === 'stale' && change.state === 'proposed') {
      if (accept) await offerRerun(row);
      else await service.reject(row, { kind: 'task' });
      return;
    }
    if (plans && change.integration && change.integration.status !== 'conflicted') {
      if (accept) await acceptIntegrated(plans, row);
      else await rejectIntegrated(plans, row);
      return;
    }
    const target: ChangeTarget = { kind: 'task' };
    if (accept) await report(await service.accept(row, target), row.taskId, row);
    else await service.reject(row, target);
  });

  /**
   * An integrated task was coded on its dependencies' work: accepting it alone would leave your
   * files with code that calls what is not there. Its not-yet-accepted ancestors come along, after asking.
   */
  async function acceptIntegrated(access: PlanAccess, row: TaskRow): Promise<void> {
    const ancestors = await access.ancestors(row.planId, row.taskId);
    const open: string[] = [];
    for (const id of ancestors) {
      const c = await service.load(row.planId, id).catch(() => undefined);
      if (c && c.state !== 'applied' && c.state !== 'rejected') open.push(id);
    }
    let ids = [row.taskId];
    if (open.length > 0) {
      const withThem = t('Accept {0} Tasks', open.length + 1);
      const picked = await vscode.window.showWarningMessage(
        t('{0} builds on {1}, not accepted yet. Accept them together?', row.taskId, open.sort().join(', ')),
        { modal: true, detail: t('They are applied in the order the plan integrated them, merged with your edits, in one undoable edit.') }, withThem,
      );
      if (picked !== withThem) return;
      ids = [...open, row.taskId];
    }
    reportPlan(await access.results.acceptTasks(row.planId, ids), ids.join(', '));
  }

  /**
   * Rejecting an integrated task takes it off the plan's tree and branch, with the undecided tasks
   * built on it: those are marked stale (based on a rejected change), to be re-run or rejected.
   */
  async function rejectIntegrated(access: PlanAccess, row: TaskRow): Promise<void> {
    const open: string[] = [];
    for (const id of await access.dependants(row.planId, row.taskId)) {
      const c = await service.load(row.planId, id).catch(() => undefined);
      if (c?.integration && c.state !== 'applied' && c.state !== 'rejected') open.push(id);
    }
    // Taken off first: a plan running here refuses, and then nothing was decided.
    const taken = await access.withdraw?.(row.planId, row.taskId, open) ?? open;
    await service.reject(row, { kind: 'task' });
    const stale: string[] = [];
    for (const id of taken) {
      const updated = await service.updateChange(row.planId, id, (c) => (c.state === 'applied' || c.state === 'rejected' || !c.integration
        ? c : { ...c, integration: { ...c.integration, status: 'stale' } })).catch(() => undefined);
      if (updated?.integration?.status === 'stale') stale.push(id);
    }
    if (stale.length === 0) return;
    const rerun = t('Re-run Them');
    const picked = await vscode.window.showInformationMessage(
      t('{0} built on {1}, which you rejected: taken off the plan and marked stale. Re-run them on the plan as it is now?', stale.sort().join(', '), row.taskId),
      ...(access.rerun ? [rerun] : []),
    );
    if (picked === rerun) await access.rerun?.(row.planId, stale);
  }

  /** A stale task cannot be accepted (it would bring the rejected lines back): offer a re-run. */
  async function offerRerun(row: TaskRow): Promise<void> {
    const rerun = t('Re-run {0}', row.taskId);
    const picked = await vscode.window.showWarningMessage(
      t('{0} was built on a change you rejected, so accepting it would bring that change back.', row.taskId),
      { modal: true, detail: t('Re-run it on the plan as it is now, or reject it.') }, ...(plans?.rerun ? [rerun] : []),
    );
    if (picked === rerun) await plans?.rerun?.(row.planId, [row.taskId]);
  }

  /** A stale task from a tree node, or picked among the stale ones. */
  const staleOf = async (arg: unknown): Promise<TaskRow | undefined> => {
    const node = arg as AgentDiffsNode | undefined;
    if (node?.kind === 'task') return node.row;
    const stale = view.rows().filter((r) => r.stale);
    if (stale.length === 0) return void vscode.window.showInformationMessage(t('No task is stale: nothing was built on a change you rejected.'));
    if (stale.length === 1) return stale[0];
    return (await vscode.window.showQuickPick(stale.map((row) => ({ label: row.taskId, description: row.title, row })), { placeHolder: t('Which stale task?') }))?.row;
  };

  const reportPlan = (outcome: AcceptPlanOutcome, what: string): void => {
    if (outcome.kind === 'applied') vscode.window.setStatusBarMessage(t('$(check) Helios applied {0} file(s) of {1}', outcome.files, what), 5_000);
    if (outcome.kind === 'nothing') vscode.window.setStatusBarMessage(t('$(check) {0} is already in your files', what), 5_000);
    if (outcome.kind === 'failed') void vscode.window.showErrorMessage(t('VS Code did not apply the edit for {0}; nothing was written.', what));
    if (outcome.kind === 'conflict') {
      const paths = outcome.landing.conflicts.map((c) => c.path);
      void vscode.window.showWarningMessage(t('You changed {0} on the same lines as the plan, so nothing of {1} was written. Open the plan diff to compare.', paths.join(', '), what));
    }
  };

  const planIdOf = async (arg: unknown): Promise<string | undefined> => {
    const node = arg as AgentDiffsNode | undefined;
    if (node?.kind === 'planResult') return node.row.planId;
    if (node?.kind === 'plan') return node.group.planId;
    const results = view.planResults().filter((r) => !r.landed);
    if (results.length <= 1) return results[0]?.planId;
    const picked = await vscode.window.showQuickPick(results.map((r) => ({ label: r.planId, description: t('{0} files', r.files.length), id: r.planId })), { placeHolder: t('Which plan?') });
    return picked?.id;
  };

  const decideFile = (accept: boolean) => run(async (arg) => {
    const ref = fileOf(arg);
    if (!ref) return void offer(vscode.window.showInformationMessage, t('Open a proposed change first (Helios: Agent Diffs).'), [{ title: t('Review Changes'), command: COMMANDS.showAgentDiffs }]);
    const target: ChangeTarget = { kind: 'file', path: ref.path };
    if (accept) await report(await service.accept(ref, target), ref.path, ref);
    else await service.reject(ref, target);
  });

  const decideHunk = (accept: boolean) => run(async (uriArg, indexArg) => {
    const editor = vscode.window.activeTextEditor;
    const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
    const ref = uri ? parseProposedUri(uri) : undefined;
    if (!ref || ref.side !== 'proposed') return void vscode.window.showInformationMessage(t('Put the cursor in a proposed change (the right side of a Helios diff).'));
    const { view: remaining } = await service.remaining(ref);
    const line = (editor?.selection.active.line ?? 0) + 1;
    const hunk = typeof indexArg === 'number'
      ? remaining?.hunks.find((h) => h.index === indexArg)
      : remaining?.hunks.find((h) => line >= h.proposedStart && line < h.proposedStart + Math.max(1, h.proposedLines));
    if (!hunk) return void vscode.window.showInformationMessage(t('There is no undecided change at line {0}.', line));
    const target: ChangeTarget = { kind: 'hunk', path: ref.path, index: hunk.index };
    if (accept) await report(await service.accept(ref, target), `${ref.path}:${hunk.proposedStart}`, ref);
    else await service.reject(ref, target);
  });

  /** A task's file from a quick pick, when the command came from the palette. */
  const pickTaskFile = async (): Promise<ChangeFileRef | undefined> => {
    const items = view.rows().flatMap((row) => row.files.map((f) => ({ label: `${row.taskId} ${f.path}`, description: `${row.title} · +${f.linesAdded} −${f.linesRemoved}`, ref: f })));
    if (items.length === 0) return void vscode.window.showInformationMessage(t('No proposed change is waiting for a decision.'));
    return (await vscode.window.showQuickPick(items, { placeHolder: t('Which task\'s file?') }))?.ref;
  };

  const openDiff = run(async (arg) => {
    // From the palette (no argument): pick a file; from the tree or an editor title: that file.
    const ref = arg === undefined ? await pickTaskFile() : fileOf(arg);
    if (!ref) return;
    const change = await service.load(ref.planId, ref.taskId).catch(() => undefined);
    if (change?.integration && change.state !== 'applied') {
      // The task's own diff: against the file as the task read it from the plan's tree.
      await vscode.commands.executeCommand('vscode.diff', proposedUri(ref, 'base'), proposedUri(ref),
        t('{0} ({1}: as the task read it ↔ as it left it)', ref.path.split('/').pop() ?? ref.path, ref.taskId), { preview: true });
      return;
    }
    await vscode.commands.executeCommand('vscode.diff', proposedUri(ref, 'current'), proposedUri(ref),
      t('{0} ({1}: current ↔ proposed)', ref.path.split('/').pop() ?? ref.path, ref.taskId), { preview: true });
  });

  /** The three-way choice for a file that changed since the task read it. Never overwrites silently. */
  async function resolveConflict(ref: ChangeFileRef): Promise<void> {
    const keep = { label: t('$(circle-slash) Keep my version'), detail: t('Reject the proposal for this file; your file stays as it is.'), id: 'keep' as const };
    const take = { label: t('$(arrow-right) Take the proposal'), detail: t('Replace your current version of the file with the proposal (undo with {0}).', undoShortcut()), id: 'take' as const };
    const compare = { label: t('$(diff) Compare first'), detail: t('Open your current file beside the proposal, then decide.'), id: 'compare' as const };
    const picked = await vscode.window.showQuickPick([keep, take, compare], { placeHolder: t('{0} changed since {1} read it', ref.path, ref.taskId) });
    if (picked?.id === 'keep') await service.reject(ref, { kind: 'file', path: ref.path });
    if (picked?.id === 'take') await report(await service.overwrite(ref), ref.path, ref);
    if (picked?.id === 'compare') await openDiff({ kind: 'file', row: ref });
  }

  const onFinding = (body: (ref: { planId: string; taskId: string; findingId: string }, text?: string) => Promise<void>) => run(async (arg) => {
    const reply = arg as vscode.CommentReply | vscode.CommentThread | undefined;
    const thread = reply && 'thread' in reply ? reply.thread : (reply);
    const ref = thread ? comments.refOf(thread) : undefined;
    if (!ref) return;
    await body(ref, reply && 'text' in reply ? reply.text : undefined);
    service.notify();
  });
  const updateFinding = (ref: { planId: string; taskId: string }, fn: Parameters<ChangeService['updateChange']>[2]) => service.updateChange(ref.planId, ref.taskId, fn);

  const disposables: vscode.Disposable[] = [
    view, tree, documents, comments, lenses, ...(plans ? [plans.results] : []),
    vscode.languages.registerCodeLensProvider({ scheme: PROPOSED_SCHEME }, lenses),
    service.onDidChange(safeRefresh),
    vscode.workspace.onDidSaveTextDocument((d) => { if (d.uri.scheme === 'file') documents.refreshOpen(); }),
    vscode.commands.registerCommand(CHANGE_COMMANDS.refresh, run(refresh)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.openDiff, openDiff),
    vscode.commands.registerCommand(CHANGE_COMMANDS.acceptTask, decideTask(true)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.rejectTask, decideTask(false)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.acceptFile, decideFile(true)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.rejectFile, decideFile(false)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.acceptPlan, run(async (arg) => {
      const planId = await planIdOf(arg);
      if (!plans || !planId) return void vscode.window.showInformationMessage(t('No plan result is waiting to be accepted.'));
      reportPlan(await plans.results.accept(planId), planId);
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.rerunStaleTask, run(async (arg) => {
      const row = await staleOf(arg);
      if (!row) return;
      if (!plans?.rerun) return void vscode.window.showInformationMessage(t('Open the folder the plan belongs to, then re-run {0}.', row.taskId));
      await plans.rerun(row.planId, [row.taskId]);
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.cleanUpPlanBranches, run(async () => {
      if (!plans?.cleanUpBranches) return void vscode.window.showInformationMessage(t('Plan branches need a folder in a git repository.'));
      await plans.cleanUpBranches();
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.openPlanDiff, run(async (arg) => {
      const node = arg as AgentDiffsNode | undefined;
      let row = node?.kind === 'planFile' ? node.row : undefined;
      if (!row) {
        const items = view.planResults().flatMap((r) => r.files.map((f) => ({ label: f.path, description: `${r.planId} · +${f.linesAdded} −${f.linesRemoved}`, row: f })));
        if (items.length === 0) return void vscode.window.showInformationMessage(t('No plan result is waiting to be accepted.'));
        row = (await vscode.window.showQuickPick(items, { placeHolder: t('Which file of the plan?') }))?.row;
      }
      if (!row || !root()) return;
      const { planId, path } = row;
      await vscode.commands.executeCommand('vscode.diff', proposedUri({ planId, taskId: 'plan', path }, 'current'), planUri(planId, path),
        t('{0} (your file ↔ plan {1})', path.split('/').pop() ?? path, planId), { preview: true });
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.acceptHunk, decideHunk(true)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.rejectHunk, decideHunk(false)),
    vscode.commands.registerCommand(CHANGE_COMMANDS.resolveConflict, run(async (arg) => {
      const ref = fileOf(arg);
      const row = (arg as AgentDiffsNode | undefined)?.kind === 'task' ? (arg as { row: TaskRow }).row : undefined;
      const path = ref?.path ?? row?.files.find((f) => f.state === 'conflict')?.path;
      if (path) await resolveConflict({ planId: ref?.planId ?? row!.planId, taskId: ref?.taskId ?? row!.taskId, path });
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.findingReply, onFinding(async (ref, text) => {
      await updateFinding(ref, (c) => replyToFinding(c, ref.findingId, text ?? '', new Date().toISOString()));
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.findingResolve, onFinding(async (ref) => {
      await updateFinding(ref, (c) => setFindingStatus(c, ref.findingId, 'resolved'));
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.findingReopen, onFinding(async (ref) => {
      await updateFinding(ref, (c) => setFindingStatus(c, ref.findingId, 'open'));
    })),
    vscode.commands.registerCommand(CHANGE_COMMANDS.findingApply, onFinding(async (ref) => {
      const change = await service.load(ref.planId, ref.taskId);
      const finding = findingOf(change, ref.findingId);
      const decided = change.decisions?.[finding.path]?.hunks.some((d) => d !== 'pending');
      if (!decided) await updateFinding(ref, (c) => applySuggestionToProposal(c, ref.findingId));
      else await service.applySuggestionToFile(change, ref.findingId);
    })),
  ];
  safeRefresh();
  return vscode.Disposable.from(...disposables);
}
