import * as vscode from 'vscode';
import type { PlanRun } from '../../core/scheduler/runState';
import { localeUsd } from '../../shared/numberFormat';
import type { TaskStatus } from '../../shared/taskGraph';
import { COMMANDS } from '../constants';
import { dagPanelStrings, dagRunText } from '../dagPanel/dagPanelStrings';
import type { HeliosContext } from '../heliosContext';
import { planRows, type PlanRow, type TaskRow } from './plansTreeModel';

export const PLANS_VIEW_ID = 'helios.plans';

/** Runs report every transition; the view redraws at most this often. */
const REFRESH_DELAY_MS = 200;

export type PlansNode = PlanRow | TaskRow;

function taskIcon(status: TaskStatus): vscode.ThemeIcon {
  switch (status) {
    case 'pending': return new vscode.ThemeIcon('circle-outline');
    case 'ready': return new vscode.ThemeIcon('circle-large-outline');
    case 'running': return new vscode.ThemeIcon('sync~spin');
    case 'done': return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'skipped': return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  }
}

/** Task costs are cents and fractions of them: four decimals, in the UI language. */
function formatUsd(usd: number): string {
  return localeUsd(usd, vscode.env.language, { fraction: 4 });
}

/**
 * The Plans view: every stored plan of the workspace, then its tasks with status, model and cost.
 * Re-reads the store and the runs when a run changes or a plan file is written (Decompose, another
 * window, `helios run`), so it always shows what is stored.
 */
export class PlansView implements vscode.TreeDataProvider<PlansNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PlansNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private rows: Promise<PlanRow[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly loaded = new vscode.EventEmitter<readonly PlanRow[]>();
  /** Fired with the rows each time they were read (the walkthrough's keys follow it). */
  readonly onDidLoad = this.loaded.event;

  constructor(private readonly ctx: HeliosContext, storage: vscode.Uri | undefined, planSaved?: vscode.Event<unknown>) {
    this.disposables.push(this.loaded);
    if (ctx.runner) this.disposables.push(ctx.runner.onDidChange(() => this.refreshSoon()));
    if (planSaved) this.disposables.push(planSaved(() => this.refreshSoon()));
    if (storage) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(storage, '{plans/**/*.json,runs/*.json}'));
      const soon = () => this.refreshSoon();
      this.disposables.push(watcher, watcher.onDidCreate(soon), watcher.onDidChange(soon), watcher.onDidDelete(soon));
    }
  }

  refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  /** Re-reads at once, visible or not: the walkthrough's keys follow the rows too. */
  refresh(): void {
    this.rows = undefined;
    void this.current();
    this.changed.fire(undefined);
  }

  /** The rows as stored now (read once per refresh). */
  current(): Promise<PlanRow[]> {
    this.rows ??= this.read().then((rows) => {
      this.loaded.fire(rows);
      return rows;
    }, (error: unknown) => {
      this.ctx.log.warn(`Plans view: could not read the stored plans: ${String(error)}`);
      return [];
    });
    return this.rows;
  }

  private async read(): Promise<PlanRow[]> {
    const plans = (await this.ctx.plans?.list()) ?? [];
    const latestId = (await this.ctx.plans?.latest())?.id;
    const runs = new Map<string, PlanRun | undefined>();
    for (const plan of plans) runs.set(plan.id, await this.ctx.runner?.runOf(plan.id));
    return planRows({
      plans,
      latestId,
      runs,
      isRunning: (id) => this.ctx.runner?.isRunning(id) ?? false,
      t: vscode.l10n.t,
      statusLabels: dagPanelStrings().statuses,
      money: formatUsd,
      runText: dagRunText(),
    });
  }

  getTreeItem(node: PlansNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.kind === 'plan' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = node.kind === 'plan' ? node.planId : `${node.planId}/${node.taskId}`;
    item.description = node.description;
    item.accessibilityInformation = { label: `${node.label}, ${node.description}` };
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    item.iconPath = node.kind === 'plan' ? new vscode.ThemeIcon('type-hierarchy') : taskIcon(node.status);
    // The DAG panel shows the current plan with every task's model, reason, tokens and checks.
    if (node.current) item.command = { command: COMMANDS.showPlan, title: vscode.l10n.t('Show Plan'), arguments: [node] };
    return item;
  }

  async getChildren(node?: PlansNode): Promise<PlansNode[]> {
    if (node?.kind === 'plan') return [...node.tasks];
    if (node) return [];
    return this.current();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
