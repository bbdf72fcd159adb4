import * as vscode from 'vscode';
import { CHANGE_COMMANDS } from '../constants';
import { fileContext, groupChanges, taskContext, type ChangeEntry, type FileRow, type FileViewState, type PlanGroup, type TaskRow } from './agentDiffsModel';
import type { PlanFileRow, PlanResultRow } from './planResults';
import type { CodeRunningReason } from '../../core/security/codeRunningFiles';
import { localeUsd } from '../../shared/numberFormat';

export const AGENT_DIFFS_VIEW_ID = 'helios.agentDiffs';

export type AgentDiffsNode =
  | { readonly kind: 'plan'; readonly group: PlanGroup }
  | { readonly kind: 'task'; readonly row: TaskRow }
  | { readonly kind: 'file'; readonly row: FileRow }
  /** The whole plan's result: its integrated tree against your files. */
  | { readonly kind: 'planResult'; readonly row: PlanResultRow }
  | { readonly kind: 'planFile'; readonly row: PlanFileRow };

const t = vscode.l10n.t;

function stateLabel(state: FileViewState): string {
  switch (state) {
    case 'pending': return t('pending');
    case 'partial': return t('partly accepted');
    case 'accepted': return t('accepted');
    case 'rejected': return t('rejected');
    case 'conflict': return t('conflict: file changed since the task read it');
  }
}

function stateIcon(state: FileViewState): vscode.ThemeIcon {
  switch (state) {
    case 'pending': return new vscode.ThemeIcon('diff');
    case 'partial': return new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('charts.blue'));
    case 'accepted': return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'rejected': return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
    case 'conflict': return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  }
}

/** What a flagged file does on the user's machine, in a few words. */
export function codeRunningText(reason: CodeRunningReason): string {
  switch (reason) {
    case 'vscode_tasks': return t('VS Code tasks: can run commands, some when the folder opens');
    case 'vscode_settings': return t('editor settings: can name programs, shells and formatters VS Code runs');
    case 'vscode_launch': return t('debug configurations: run programs and pre-launch tasks');
    case 'ci_workflow': return t('CI workflow: runs on push, with the repository\'s secrets');
    case 'git_hook': return t('git hook or git config: runs on commit, checkout or push');
    case 'package_scripts': return t('package.json scripts: run on install, test and build');
    case 'package_manager': return t('package-manager config: can run code on install');
    case 'devcontainer': return t('dev container: runs commands when the container is created');
    case 'direnv': return t('.envrc: direnv runs it when you enter the folder');
    case 'agent_config': return t('agent config: hooks and MCP servers run commands');
  }
}

const codeRunningIcon = () => new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));

export function verdictText(row: TaskRow): string | undefined {
  if (row.verdict === 'approve') return t('✓ approved');
  if (row.verdict === 'request_changes') return t('✎ changes requested ({0} blockers)', row.blockers);
  return undefined;
}

export function verificationText(row: TaskRow): string | undefined {
  switch (row.verification) {
    case 'passed': return t('verified');
    case 'failed': return row.failedTests ? t('failed: {0} tests', row.failedTests) : t('verify failed');
    case 'unavailable': return t('not verified (no sandbox available)');
    default: return undefined;
  }
}

function taskItem(row: TaskRow): vscode.TreeItem {
  const item = new vscode.TreeItem(`${row.taskId} · ${row.title}`, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `task:${row.planId}/${row.taskId}`;
  const cost = row.costUsd !== undefined ? localeUsd(row.costUsd, vscode.env.language, { fraction: 4 }) : undefined;
  item.description = [`+${row.linesAdded} −${row.linesRemoved}`, row.model, cost, verdictText(row), verificationText(row),
    row.stale ? t('stale: based on a rejected change') : row.state === 'applied' ? t('applied') : row.state === 'rejected' ? t('rejected') : undefined]
    .filter(Boolean).join(' · ');
  if (row.codeRunningFiles > 0) item.description = `${String(item.description)} · ${t('⚠ {0} files run code', row.codeRunningFiles)}`;
  item.contextValue = taskContext(row);
  item.accessibilityInformation = { label: `${row.taskId} · ${row.title}, ${String(item.description)}` };
  item.iconPath = row.conflict || row.stale ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : row.state === 'applied' ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'))
      : row.state === 'rejected' ? new vscode.ThemeIcon('circle-slash')
        : row.verdict === 'request_changes' ? new vscode.ThemeIcon('comment-unresolved')
          : new vscode.ThemeIcon('git-pull-request');
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${row.taskId}** · ${row.title}\n\n`);
  tip.appendText(t('{0} files · +{1} −{2} · {3}', row.files.length, row.linesAdded, row.linesRemoved, row.model));
  if (cost) tip.appendText(` · ${cost}`);
  const verdict = verdictText(row);
  if (verdict) tip.appendMarkdown(`\n\n${t('Reviewer')}: `).appendText(`${verdict} · ${t('{0} open findings', row.findings)}`);
  const verification = verificationText(row);
  if (verification) tip.appendMarkdown(`\n\n${t('Verification')}: `).appendText(verification);
  if (row.codeRunningFiles > 0) tip.appendMarkdown('\n\n').appendText('⚠ ' + t('{0} of its files run code on your machine (tasks, settings, CI, hooks or scripts). Helios never accepts this change for you.', row.codeRunningFiles));
  if (row.stale) tip.appendMarkdown('\n\n').appendText(t('Built on a change you rejected, so it was taken off the plan. Re-run it on the plan as it is now, or reject it.'));
  item.tooltip = tip;
  return item;
}

function fileItem(row: FileRow, root: vscode.Uri | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(row.path.split('/').pop() ?? row.path, vscode.TreeItemCollapsibleState.None);
  item.id = `file:${row.planId}/${row.taskId}/${row.path}`;
  if (root) item.resourceUri = vscode.Uri.joinPath(root, ...row.path.split('/'));
  item.description = [row.path.includes('/') ? row.path.slice(0, row.path.lastIndexOf('/')) : undefined,
    `+${row.linesAdded} −${row.linesRemoved}`, row.action === 'create' ? t('new file') : undefined,
    row.findings > 0 ? t('{0} findings', row.findings) : undefined, row.state !== 'pending' ? stateLabel(row.state) : undefined,
    row.codeRunning ? t('⚠ runs code on your machine') : undefined]
    .filter(Boolean).join(' · ');
  // A file that runs code (tasks, settings, CI, hooks, scripts) keeps its warning until decided.
  item.iconPath = row.codeRunning && (row.state === 'pending' || row.state === 'partial') ? codeRunningIcon() : stateIcon(row.state);
  item.contextValue = fileContext(row);
  item.accessibilityInformation = { label: `${row.path} (${row.taskId}), ${String(item.description)}` };
  item.tooltip = row.codeRunning
    ? `${row.path} — ${stateLabel(row.state)}\n\n⚠ ${t('This file runs code on your machine ({0}). Read the diff before you accept it; Helios never accepts it for you.', codeRunningText(row.codeRunning))}`
    : `${row.path} — ${stateLabel(row.state)}`;
  item.command = { command: CHANGE_COMMANDS.openDiff, title: t('Open Proposed Change'), arguments: [{ kind: 'file', row } satisfies AgentDiffsNode] };
  return item;
}

function planResultItem(row: PlanResultRow): vscode.TreeItem {
  const item = new vscode.TreeItem(t('Whole plan'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `planResult:${row.planId}`;
  const added = row.files.reduce((n, f) => n + f.linesAdded, 0);
  const removed = row.files.reduce((n, f) => n + f.linesRemoved, 0);
  item.description = row.landed
    ? t('{0} files · accepted', row.files.length)
    : t('{0} files · +{1} −{2} · {3} tasks integrated', row.files.length, added, removed, row.tasks.length);
  item.iconPath = row.landed ? new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('git-merge');
  item.contextValue = row.landed ? 'helios.planResult landed' : 'helios.planResult pending';
  item.tooltip = t('Every file the plan changed, with all its tasks integrated, against your files. Accept Plan writes all of it in one undoable edit.');
  item.accessibilityInformation = { label: `${t('Whole plan')}, ${String(item.description)}` };
  return item;
}

function planFileItem(row: PlanFileRow, root: vscode.Uri | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(row.path.split('/').pop() ?? row.path, vscode.TreeItemCollapsibleState.None);
  item.id = `planFile:${row.planId}/${row.path}`;
  if (root) item.resourceUri = vscode.Uri.joinPath(root, ...row.path.split('/'));
  item.description = [row.path.includes('/') ? row.path.slice(0, row.path.lastIndexOf('/')) : undefined,
    `+${row.linesAdded} −${row.linesRemoved}`, row.isNew ? t('new file') : undefined, row.landed ? t('accepted') : undefined,
    row.codeRunning ? t('⚠ runs code on your machine') : undefined]
    .filter(Boolean).join(' · ');
  item.iconPath = row.landed ? stateIcon('accepted') : row.codeRunning ? codeRunningIcon() : stateIcon('pending');
  if (row.codeRunning) item.tooltip = `${row.path}\n\n⚠ ${t('This file runs code on your machine ({0}). Read the diff before you accept it; Helios never accepts it for you.', codeRunningText(row.codeRunning))}`;
  item.contextValue = 'helios.planFile';
  item.command = { command: CHANGE_COMMANDS.openPlanDiff, title: t('Open Plan Diff'), arguments: [{ kind: 'planFile', row } satisfies AgentDiffsNode] };
  return item;
}

/**
 * The Agent Diffs view: plans → tasks with their proposed change (lines, model, cost, the
 * Reviewer's verdict, verification) → files. Clicking a file opens the diff editor; inline
 * actions accept or reject a task or a file. The tree is rebuilt from storage on every change.
 */
export class AgentDiffsView implements vscode.TreeDataProvider<AgentDiffsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AgentDiffsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groups: PlanGroup[] = [];

  private results = new Map<string, PlanResultRow>();

  constructor(
    private readonly load: () => Promise<readonly ChangeEntry[]>,
    private readonly root: () => vscode.Uri | undefined,
    private readonly planResult: (planId: string) => Promise<PlanResultRow | undefined> = () => Promise.resolve(undefined),
  ) {}

  async refresh(): Promise<void> {
    const groups = groupChanges(await this.load());
    const results = new Map<string, PlanResultRow>();
    for (const g of groups) {
      const row = await this.planResult(g.planId);
      if (row && row.files.length > 0) results.set(g.planId, row);
    }
    this.groups = groups;
    this.results = results;
    this.changed.fire(undefined);
  }

  /** The plans' results as last loaded. */
  planResults(): readonly PlanResultRow[] {
    return [...this.results.values()];
  }

  /** The rows as last loaded, for commands that get no tree node (palette, editor title). */
  rows(): readonly TaskRow[] {
    return this.groups.flatMap((g) => g.tasks);
  }

  getTreeItem(node: AgentDiffsNode): vscode.TreeItem {
    if (node.kind === 'plan') {
      const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `plan:${node.group.planId}`;
      item.iconPath = new vscode.ThemeIcon('type-hierarchy');
      const open = node.group.tasks.filter((r) => r.pending).length;
      item.description = t('{0} tasks · {1} to decide', node.group.tasks.length, open);
      item.contextValue = 'helios.plan';
      return item;
    }
    if (node.kind === 'planResult') return planResultItem(node.row);
    if (node.kind === 'planFile') return planFileItem(node.row, this.root());
    return node.kind === 'task' ? taskItem(node.row) : fileItem(node.row, this.root());
  }

  private planChildren(group: PlanGroup): AgentDiffsNode[] {
    const result = this.results.get(group.planId);
    return [...(result ? [{ kind: 'planResult', row: result } as const] : []), ...group.tasks.map((row) => ({ kind: 'task', row }) as const)];
  }

  getChildren(node?: AgentDiffsNode): AgentDiffsNode[] {
    if (!node) {
      // One plan: its tasks at the top level, no extra nesting.
      if (this.groups.length === 1) return this.planChildren(this.groups[0]!);
      return this.groups.map((group) => ({ kind: 'plan', group }));
    }
    if (node.kind === 'plan') return this.planChildren(node.group);
    if (node.kind === 'planResult') return node.row.files.map((row) => ({ kind: 'planFile', row }));
    if (node.kind === 'task') return node.row.files.map((row) => ({ kind: 'file', row }));
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
