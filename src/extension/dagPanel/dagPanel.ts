/**
 * Hosts the task-DAG webview: one panel at a time, re-created after a reload by the serializer.
 * The host is the source of truth: the page asks with `ready` and gets a full snapshot back.
 */
import * as vscode from 'vscode';
import type { DagPanelStrings, DagPanelToHost, DagSnapshot, HostToDagPanel } from '../../shared/protocol/dagPanel';
import { SingletonPanel } from '../webviewHost/singletonPanel';
import { WebviewPanelHost } from '../webviewHost/webviewPanelHost';
import { DAG_PANEL_ROOT } from './dagPanelHtml';
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

function panelTitle(snapshot: DagSnapshot | null): string {
  if (!snapshot) return vscode.l10n.t('Helios Plan');
  const prdName = snapshot.prdPath.split(/[\\/]/).pop() || snapshot.prdPath;
  return vscode.l10n.t('Helios Plan: {0}', prdName);
}

export class DagPanel {
  private static readonly slot = new SingletonPanel<DagPanel, DagPanelDeps>(DAG_PANEL_VIEW_TYPE, () => panelTitle(null), (panel, deps) => new DagPanel(panel, deps));

  private readonly host: WebviewPanelHost<DagPanelToHost, HostToDagPanel>;

  /** The open panel, if any. */
  static get currentPanel(): DagPanel | undefined {
    return DagPanel.slot.value;
  }

  /** Reveals the panel, creating it on first use. */
  static show(deps: DagPanelDeps, column?: vscode.ViewColumn): DagPanel {
    return DagPanel.slot.show(deps, column);
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, deps: DagPanelDeps): DagPanel {
    return DagPanel.slot.revive(panel, deps);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DagPanelDeps,
  ) {
    this.host = new WebviewPanelHost(panel, {
      extensionUri: deps.extensionUri,
      page: { script: 'dag.js', style: 'dag.css', root: DAG_PANEL_ROOT },
      title: panelTitle(null),
      log: deps.log,
      name: 'DAG panel',
      parse: parseDagPanelMessage,
      onMessage: (message) => this.onMessage(message),
      onDispose: () => {
        DagPanel.slot.release(this);
      },
    });
  }

  /**
   * Sends the current snapshot. A hidden page drops it and asks again (`ready`) when shown.
   * Resolves once the message is posted (or dropped because a newer update overtook it).
   */
  async update(): Promise<void> {
    const read = await this.host.latest<DagSnapshot | null>(() => this.deps.getSnapshot(), null, 'reading the plan');
    if (!read) return;
    this.panel.title = panelTitle(read.value);
    await this.host.post({ type: 'snapshot', snapshot: read.value, strings: this.deps.strings() });
  }

  dispose(): void {
    this.host.dispose();
  }

  private onMessage(message: DagPanelToHost): void {
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
