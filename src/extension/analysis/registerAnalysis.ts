import * as vscode from 'vscode';
import { isHeliosError } from '../../core/errors/heliosError';
import type { OpenGraph } from '../../infra/analysis/workspaceAnalysis';
import { loadAnalysis } from './loadAnalysis';
import { ANALYSIS_COMMANDS, JS_WORKSPACE_KEY } from '../constants';
import { groupsFor, type GroupKey, type TreeFile, type TreeGroup } from './graphTreeModel';

export const DEPENDENCY_VIEW_ID = 'helios.dependencyGraph';

export interface AnalysisDeps {
  /** Workspace storage: the graph cache lives in `<storageUri>/analysis`. */
  readonly storageUri: vscode.Uri | undefined;
  readonly log: vscode.LogOutputChannel;
}

const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
const SAVE_DELAY_MS = 2_000;

type Node = { kind: 'group'; group: TreeGroup } | { kind: 'file'; item: TreeFile };

function groupLabel(key: GroupKey, count: number): string {
  switch (key) {
    case 'dependencies': return vscode.l10n.t('Dependencies ({0})', count);
    case 'dependants': return vscode.l10n.t('Dependants ({0})', count);
    case 'impact': return vscode.l10n.t('Impact set ({0})', count);
    case 'cycle': return vscode.l10n.t('Import cycle ({0})', count);
  }
}

/**
 * The Dependency Graph view and its commands. Nothing is parsed until the command first runs:
 * then the ts-morph side is imported, the graph built under a cancellable progress notification,
 * and a file watcher keeps it current (one file re-parsed per change, cache saved shortly after).
 */
class DependencyGraphView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private opened: Promise<OpenGraph | undefined> | undefined;
  private target: string | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AnalysisDeps, private readonly root: vscode.Uri) {}

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(groupLabel(node.group.key, node.group.files.length), node.group.key === 'dependencies' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.contextValue = `helios.graphGroup.${node.group.key}`;
      return item;
    }
    const { item: f } = node;
    if (f.external) {
      const item = new vscode.TreeItem(f.file, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = vscode.l10n.t('package');
      return item;
    }
    const uri = vscode.Uri.joinPath(this.root, ...f.file.split('/'));
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    item.description = [f.file, f.typeOnly ? vscode.l10n.t('type only') : '', f.dynamic ? vscode.l10n.t('dynamic') : ''].filter(Boolean).join(' · ');
    item.command = { command: 'vscode.open', title: vscode.l10n.t('Open File'), arguments: [uri] };
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'group') return node.group.files.map((item) => ({ kind: 'file', item }));
    if (node) return [];
    const opened = this.opened ? await this.opened : undefined;
    if (!opened || !this.target || !opened.workspace.graph.has(this.target)) return [];
    return groupsFor(opened.workspace.graph, this.target).map((group) => ({ kind: 'group', group }));
  }

  /** Shows the graph for the active file, building it first if needed. */
  async show(): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const opened = await this.ensureGraph();
    if (!opened) return;
    const rel = active ? opened.source.relative(active.fsPath) : undefined;
    if (!rel || !opened.workspace.graph.has(rel)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a TypeScript or JavaScript file of this workspace to see its dependencies.'));
    } else {
      this.target = rel;
    }
    this.changed.fire(undefined);
    await vscode.commands.executeCommand(`${DEPENDENCY_VIEW_ID}.focus`);
  }

  async refresh(): Promise<void> {
    this.opened = undefined;
    await this.show();
  }

  private ensureGraph(): Promise<OpenGraph | undefined> {
    this.opened ??= this.build();
    return this.opened;
  }

  private async build(): Promise<OpenGraph | undefined> {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Helios: building the dependency graph'), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          const { openWorkspaceGraph } = await loadAnalysis();
          let last = 0;
          return await openWorkspaceGraph({
            root: this.root.fsPath,
            signal: controller.signal,
            ...(this.deps.storageUri ? { cacheDir: vscode.Uri.joinPath(this.deps.storageUri, 'analysis').fsPath } : {}),
            onCorruptCache: (e) => this.deps.log.warn(`Dependency-graph cache unreadable, rebuilding: ${e}`),
            onProgress: (p) => {
              if (p.phase !== 'scan' || p.total === 0) return;
              const pct = (100 * p.done) / p.total;
              progress.report({ increment: pct - last, message: vscode.l10n.t('{0} of {1} files', p.done, p.total) });
              last = pct;
            },
          });
        } catch (error) {
          if (isHeliosError(error, 'cancelled')) return undefined;
          throw error;
        } finally {
          sub.dispose();
        }
      },
    );
    if (!result) {
      this.opened = undefined;
      return undefined;
    }
    const s = result.stats;
    this.deps.log.info(`Dependency graph: ${s.files} files (${s.parsed} parsed, ${s.reused} cached) in ${s.totalMs.toFixed(0)} ms`);
    this.scheduleSave(result);
    this.watch(result);
    return result;
  }

  private watch(opened: OpenGraph): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.root, SOURCE_GLOB));
    const onChange = (uri: vscode.Uri) => {
      const rel = opened.source.relative(uri.fsPath);
      if (!rel) return;
      void opened.workspace.update(rel).then((outcome) => {
        if (outcome === 'unchanged') return;
        this.changed.fire(undefined);
        this.scheduleSave(opened);
      }, (error: unknown) => this.deps.log.warn(`Dependency graph: could not update ${rel}: ${String(error)}`));
    };
    this.disposables.push(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
  }

  private scheduleSave(opened: OpenGraph): void {
    if (!this.deps.storageUri) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      opened.workspace.save().catch((error: unknown) => this.deps.log.warn(`Dependency graph: could not save the cache: ${String(error)}`));
    }, SAVE_DELAY_MS);
  }

  dispose(): void {
    clearTimeout(this.saveTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** A JS/TS project announces itself at a folder's root; nothing deeper is searched. */
const PROJECT_FILES = ['package.json', 'tsconfig.json', 'jsconfig.json'] as const;

async function isJsFolder(folder: vscode.Uri): Promise<boolean> {
  const found = await Promise.all(PROJECT_FILES.map((name) => vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name)).then(() => true, () => false)));
  return found.includes(true);
}

/**
 * Sets `helios.jsWorkspace` (the dependency graph's view shows only then): a few stats at the
 * folders' roots, off the activation path, and again when such a file appears.
 */
function trackJsWorkspace(): vscode.Disposable {
  const check = () => void Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => isJsFolder(f.uri)))
    .then((found) => vscode.commands.executeCommand('setContext', JS_WORKSPACE_KEY, found.includes(true)));
  check();
  const watchers = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(f, `{${PROJECT_FILES.join(',')}}`), false, true, false));
  return vscode.Disposable.from(...watchers, ...watchers.flatMap((w) => [w.onDidCreate(check), w.onDidDelete(check)]), vscode.workspace.onDidChangeWorkspaceFolders(check));
}

/** Registers the view and commands; the caller owns the returned Disposable. Cheap: nothing is loaded or parsed here. */
export function registerAnalysis(deps: AnalysisDeps): vscode.Disposable {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const noFolder = () => void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder to see its dependency graph.'));
  const view = folder ? new DependencyGraphView(deps, folder.uri) : undefined;
  const run = (action: (v: DependencyGraphView) => Promise<void>) => async () => {
    if (!view) return noFolder();
    try {
      await action(view);
    } catch (error) {
      deps.log.error(`Dependency graph failed: ${String(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Helios could not build the dependency graph. See the Helios log for details.'));
    }
  };
  const disposables: vscode.Disposable[] = [
    trackJsWorkspace(),
    vscode.commands.registerCommand(ANALYSIS_COMMANDS.showDependencyGraph, run((v) => v.show())),
    vscode.commands.registerCommand(ANALYSIS_COMMANDS.refreshDependencyGraph, run((v) => v.refresh())),
  ];
  if (view) disposables.push(view, vscode.window.createTreeView(DEPENDENCY_VIEW_ID, { treeDataProvider: view, showCollapseAll: true }));
  return vscode.Disposable.from(...disposables);
}
