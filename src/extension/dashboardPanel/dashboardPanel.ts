/**
 * Hosts the KPI dashboard: one panel at a time, re-created after a reload by the serializer. The
 * host is the source of truth: the page asks with `ready` and gets a full snapshot back, and the
 * composition root calls `update()` (or wires `MetricsHost.onDidChange`) when the metrics move.
 */
import * as vscode from 'vscode';
import type { DashboardPanelStrings, DashboardPanelToHost, DashboardSnapshot, HostToDashboardPanel } from '../../shared/protocol/dashboardPanel';
import { SingletonPanel } from '../webviewHost/singletonPanel';
import { WebviewPanelHost } from '../webviewHost/webviewPanelHost';
import { DASHBOARD_PANEL_ROOT } from './dashboardPanelHtml';
import { parseDashboardPanelMessage } from './dashboardPanelMessages';

export const DASHBOARD_PANEL_VIEW_TYPE = 'helios.dashboardPanel';

/** Live updates arrive per call and per task; the page is redrawn at most this often. */
const UPDATE_COALESCE_MS = 250;

export interface DashboardPanelDeps {
  readonly extensionUri: vscode.Uri;
  /** The metrics as they are now, read on every (re)connect and update. */
  readonly getSnapshot: () => DashboardSnapshot | Promise<DashboardSnapshot>;
  readonly strings: () => DashboardPanelStrings;
  readonly log: vscode.LogOutputChannel;
}

function panelTitle(): string {
  return vscode.l10n.t('Helios Dashboard');
}

export class DashboardPanel {
  private static readonly slot = new SingletonPanel<DashboardPanel, DashboardPanelDeps>(DASHBOARD_PANEL_VIEW_TYPE, () => panelTitle(), (panel, deps) => new DashboardPanel(panel, deps));

  private readonly host: WebviewPanelHost<DashboardPanelToHost, HostToDashboardPanel>;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The open panel, if any. */
  static get currentPanel(): DashboardPanel | undefined {
    return DashboardPanel.slot.value;
  }

  /** Reveals the panel, creating it on first use. */
  static show(deps: DashboardPanelDeps, column?: vscode.ViewColumn): DashboardPanel {
    return DashboardPanel.slot.show(deps, column);
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, deps: DashboardPanelDeps): DashboardPanel {
    return DashboardPanel.slot.revive(panel, deps);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.host.panel.reveal(column);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: DashboardPanelDeps,
  ) {
    this.host = new WebviewPanelHost(panel, {
      extensionUri: deps.extensionUri,
      page: { script: 'dashboard.js', style: 'dashboard.css', root: DASHBOARD_PANEL_ROOT },
      title: panelTitle(),
      log: deps.log,
      name: 'Dashboard panel',
      parse: parseDashboardPanelMessage,
      onMessage: (message) => this.onMessage(message),
      onDispose: () => {
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        DashboardPanel.slot.release(this);
      },
    });
  }

  /**
   * Sends the current snapshot (null when it could not be read, so the page says so). Resolves
   * once posted, or dropped because a newer update overtook it or the page is hidden.
   */
  async update(): Promise<void> {
    const read = await this.host.latest<DashboardSnapshot | null>(() => this.deps.getSnapshot(), null, 'reading the metrics');
    if (!read) return;
    await this.host.post({ type: 'snapshot', snapshot: read.value, strings: this.deps.strings() });
  }

  /** For live updates: many changes in quick succession become one `update()`. */
  scheduleUpdate(): void {
    if (this.timer !== undefined || this.host.isDisposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, UPDATE_COALESCE_MS);
  }

  dispose(): void {
    this.host.dispose();
  }

  private onMessage(message: DashboardPanelToHost): void {
    switch (message.type) {
      case 'ready':
        void this.update();
        return;
    }
  }
}

/**
 * Lets VS Code restore the panel after a reload. The caller owns the returned registration. The
 * manifest needs the activation event `onWebviewPanel:helios.dashboardPanel`.
 */
export function registerDashboardPanelSerializer(deps: DashboardPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(DASHBOARD_PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: (panel: vscode.WebviewPanel): Promise<void> => {
      DashboardPanel.revive(panel, deps);
      return Promise.resolve();
    },
  });
}
