/**
 * Hosts the budget webview: one panel at a time, re-created after a reload by the serializer.
 * The host is the source of truth: the page asks with `ready` and gets a full snapshot back, and
 * the composition root calls `update()` whenever the governor's numbers change.
 */
import * as vscode from 'vscode';
import type { BudgetSnapshot } from '../../shared/budget';
import type {
  BudgetPanelCommand,
  BudgetPanelStrings,
  BudgetPanelToHost,
  HostToBudgetPanel,
} from '../../shared/protocol/budgetPanel';
import { SingletonPanel } from '../webviewHost/singletonPanel';
import { WebviewPanelHost } from '../webviewHost/webviewPanelHost';
import { BUDGET_PANEL_ROOT } from './budgetPanelHtml';
import { parseBudgetPanelMessage } from './budgetPanelMessages';

export const BUDGET_PANEL_VIEW_TYPE = 'helios.budgetPanel';

export interface BudgetPanelDeps {
  readonly extensionUri: vscode.Uri;
  /** The governor's current view, read on every (re)connect and update. */
  readonly getSnapshot: () => Promise<BudgetSnapshot>;
  readonly strings: () => BudgetPanelStrings;
  readonly log: vscode.LogOutputChannel;
  /** The command id each button runs. */
  readonly commands: Readonly<Record<BudgetPanelCommand, string>>;
}

function panelTitle(): string {
  return vscode.l10n.t('Helios Budget');
}

export class BudgetPanel {
  private static readonly slot = new SingletonPanel<BudgetPanel, BudgetPanelDeps>(BUDGET_PANEL_VIEW_TYPE, () => panelTitle(), (panel, deps) => new BudgetPanel(panel, deps));

  private readonly host: WebviewPanelHost<BudgetPanelToHost, HostToBudgetPanel>;

  /** The open panel, if any. */
  static get currentPanel(): BudgetPanel | undefined {
    return BudgetPanel.slot.value;
  }

  /** Reveals the panel, creating it on first use. */
  static show(deps: BudgetPanelDeps, column?: vscode.ViewColumn): BudgetPanel {
    return BudgetPanel.slot.show(deps, column);
  }

  /** Takes over a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, deps: BudgetPanelDeps): BudgetPanel {
    return BudgetPanel.slot.revive(panel, deps);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.host.panel.reveal(column);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: BudgetPanelDeps,
  ) {
    this.host = new WebviewPanelHost(panel, {
      extensionUri: deps.extensionUri,
      page: { script: 'budget.js', style: 'budget.css', root: BUDGET_PANEL_ROOT },
      title: panelTitle(),
      log: deps.log,
      name: 'Budget panel',
      parse: parseBudgetPanelMessage,
      onMessage: (message) => this.onMessage(message),
      onDispose: () => {
        BudgetPanel.slot.release(this);
      },
    });
  }

  /**
   * Sends the current snapshot (null when it could not be read, so the page says so). A hidden
   * page drops it and asks again when shown. Resolves once posted, or dropped because a newer
   * update overtook it.
   */
  async update(): Promise<void> {
    const read = await this.host.latest<BudgetSnapshot | null>(() => this.deps.getSnapshot(), null, 'reading the budget');
    if (!read) return;
    await this.host.post({ type: 'snapshot', snapshot: read.value, strings: this.deps.strings() });
  }

  dispose(): void {
    this.host.dispose();
  }

  private onMessage(message: BudgetPanelToHost): void {
    switch (message.type) {
      case 'ready':
        void this.update();
        return;
      case 'command':
        void this.run(message.command);
        return;
    }
  }

  private async run(command: BudgetPanelCommand): Promise<void> {
    const id = this.deps.commands[command];
    try {
      await vscode.commands.executeCommand(id);
    } catch (err) {
      this.deps.log.error(`Budget panel: ${id} failed`, err);
      void vscode.window.showErrorMessage(
        vscode.l10n.t('{0} failed. The Helios log has the details.', this.deps.strings().commands[command]),
      );
      return;
    }
    // Pause and resume change the state the page shows; do not wait for the next refresh.
    if (command === 'pause' || command === 'resume') await this.update();
  }
}

/**
 * Lets VS Code restore the panel after a reload; the page then asks for (and gets) a fresh
 * snapshot. The caller owns the returned registration: push it to `context.subscriptions` once.
 * The manifest needs the activation event `onWebviewPanel:helios.budgetPanel` for a restore to
 * reach this code.
 */
export function registerBudgetPanelSerializer(deps: BudgetPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(BUDGET_PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: (panel: vscode.WebviewPanel): Promise<void> => {
      BudgetPanel.revive(panel, deps);
      return Promise.resolve();
    },
  });
}
