import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import type { DagSnapshot } from '../../shared/protocol/dagPanel';
import { DagPanel, type DagPanelDeps } from '../dagPanel/dagPanel';
import { buildDagSnapshot } from '../dagPanel/dagSnapshot';
import { dagPanelStrings, dagRunText } from '../dagPanel/dagPanelStrings';
import type { HeliosContext } from '../heliosContext';

/** What the DAG panel needs; the snapshot always comes from the stored plan (the host is the truth). */
export function dagPanelDeps(ctx: HeliosContext): DagPanelDeps {
  return {
    extensionUri: ctx.extension.extensionUri,
    log: ctx.log,
    strings: dagPanelStrings,
    workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri,
    getSnapshot: async (): Promise<DagSnapshot | null> => {
      const plan = await ctx.plans?.latest();
      if (!plan) return null;
      const budget = ctx.budgetSnapshot();
      return buildDagSnapshot(plan, await ctx.runner?.runOf(plan.id), { state: budget.state, resetsAt: budget.period.end }, dagRunText());
    },
  };
}

/** Helios: Show Plan — reopens the last stored plan, also after a reload. */
export async function runShowPlan(ctx: HeliosContext): Promise<void> {
  if (!ctx.plans) throw new HeliosError('no_workspace', 'No folder is open');
  const plan = await ctx.plans.latest();
  if (!plan) throw new HeliosError('no_plan', 'No stored plan');
  DagPanel.show(dagPanelDeps(ctx));
}
