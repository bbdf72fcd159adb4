/**
 * Hosts the task-DAG webview: one panel at a time, re-created after a reload by the serializer.
 * The host is the source of truth: the page asks with `ready` and gets a full snapshot back.
 */
import * as vscode from 'vscode';
import type { DagPanelStrings, DagSnapshot, HostToDagPanel } from '../../shared/protocol/dagPanel';
import { createNonce, renderDagPanelHtml } from './dagPanelHtml';
import { parseDagPanelMessage, resolveInWorkspace } from './dagPanelMessages';

export const DAG_PANEL_VIEW_TYPE = 'helios.dagPanel';

export interface DagPanelDeps {
  readonly extensionUri: vscode.Uri;
  /** The plan to draw, read from the store on every (re)connect; may be async. */
  readonly getSnapshot: () => DagSnapshot | null | Promise<DagSnapshot | null>;
  readonly strings: () => DagPanelStrings;
  readonly log: vscode.LogOutputChannel;
  readonly workspaceFolder: () => vscode.Uri | undefined;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function panelTitle(snapshot: DagSnapshot | null): string {
  if (!snapshot) return vscode.l10n.t('Helios Plan');
  const prdName = snapshot.prdPath.split(/[\\/]/).pop() || snapshot.prdPath;
  return vscode.l10n.t('Helios Plan: {0}', prdName);
}

export class DagPanel {
  private static current: DagPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Orders concurrent updates: only the newest read is posted. */
  private updateSeq = 0;

  /** The open panel, if any: the composition root calls `update()` on it when the plan changes. */
  static get currentPanel(): DagPanel | undefined {
    return DagPanel.current;
  }

  /** Reveals the panel, creating it on first use. */
  static show(deps: DagPanelDeps, column?: vscode.ViewColumn): DagPanel {
    const existing = DagPanel.current;
    if (existing) {
      existing.panel.reveal(column);
      void existing.update();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      DAG_PANEL_VIEW_TYPE,
      panelTitle(null),
      column ?? vscode.ViewColumn.Active,
      // Not retained: a hidden panel costs nothing, and it rebuilds from the host's snapshot and
      // its own saved view state when shown again.
      { ...webviewOptions(deps.extensionUri), retainContextWhenHidden: false },
    );
    return DagPanel.adopt(panel, deps);
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, deps: DagPanelDeps): DagPanel {
    DagPanel.current?.dispose();
    return DagPanel.adopt(panel, deps);
  }

  private static adopt(panel: vscode.WebviewPanel, deps: DagPanelDeps): DagPanel {
    const p = new DagPanel(panel, deps);
    DagPanel.current = p;
    return p;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DagPanelDeps,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(deps.extensionUri);
    webview.html = renderDagPanelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview', 'dag.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, 'media', 'dag.css')).toString(),
      title: panelTitle(null),
      lang: vscode.env.language,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
    );
  }

  /**
   * Sends the current snapshot. A hidden page drops it and asks again (`ready`) when shown.
   * Resolves once the message is posted (or dropped because a newer update overtook it).
   */
  async update(): Promise<void> {
    if (this.disposed) return;
    const seq = ++this.updateSeq;
    let snapshot: DagSnapshot | null;
    try {
      snapshot = await this.deps.getSnapshot();
    } catch (err) {
      this.deps.log.error('DAG panel: reading the plan failed', err);
      snapshot = null;
    }
    if (this.disposed || seq !== this.updateSeq) return;
    this.panel.title = panelTitle(snapshot);
    const message: HostToDagPanel = { type: 'snapshot', snapshot, strings: this.deps.strings() };
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DagPanel.current === this) DagPanel.current = undefined;
    // Re-entrant when VS Code closed the panel (onDidDispose → here): the flag above stops the loop.
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private onMessage(raw: unknown): void {
    const parsed = parseDagPanelMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`DAG panel: ignored a malformed message from the webview (${parsed.reason})`);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'ready':
        void this.update();
        return;
      case 'openFile':
        void this.openFile(message.path);
        return;
    }
  }

  private async openFile(relative: string): Promise<void> {
    const folder = this.deps.workspaceFolder();
    if (!folder) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open the project folder to open files from the plan.'));
      return;
    }
    const resolved = resolveInWorkspace(folder.path, relative);
    if (!resolved) {
      this.deps.log.warn(`DAG panel: refused to open a path outside the workspace: ${JSON.stringify(relative)}`);
      return;
    }
    const uri = folder.with({ path: resolved });
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('{0} does not exist yet; a task in the plan is expected to create it.', relative),
      );
      return;
    }
    try {
      if (stat.type & vscode.FileType.Directory) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return;
      }
      // Open beside the panel rather than on top of it.
      const viewColumn = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
      await vscode.window.showTextDocument(uri, { preview: true, viewColumn });
    } catch (err) {
      this.deps.log.error(`DAG panel: could not open ${relative}`, err);
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0}. See the Helios log for details.', relative));
    }
  }
}

/**
 * Lets VS Code restore the panel after a reload; the page then asks for (and gets) a fresh
 * snapshot from `getSnapshot()`. The caller owns the returned registration: push it to
 * `context.subscriptions` once. The manifest needs the activation event
 * `onWebviewPanel:helios.dagPanel` for a restore to reach this code.
 */
export function registerDagPanelSerializer(
  _context: vscode.ExtensionContext,
  deps: DagPanelDeps,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DAG_PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: (panel: vscode.WebviewPanel): Promise<void> => {
      DagPanel.revive(panel, deps);
      return Promise.resolve();
    },
  });
}
