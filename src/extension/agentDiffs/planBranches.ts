import * as vscode from 'vscode';

const t = vscode.l10n.t;

/** Where plans' branches live for this window: the folder, Helios's storage, and VS Code's git. */
export interface PlanBranchPlace {
  readonly workspaceRoot: string;
  readonly storageDir: string;
  readonly gitPath?: string;
}

/** The git that VS Code's Git extension uses (`git.path`: a path or a list of candidates). */
export function vscodeGitPath(): string | undefined {
  const configured = vscode.workspace.getConfiguration('git').get<string | string[]>('path');
  if (typeof configured === 'string' && configured.length > 0) return configured;
  if (Array.isArray(configured) && typeof configured[0] === 'string' && configured[0].length > 0) return configured[0];
  return undefined;
}

/**
 * "Helios: Clean Up Plan Branches": merged and empty plan branches are offered (and picked) for
 * deletion with their worktrees; a branch with commits you have not accepted is listed unpicked
 * and deleted only after a second, explicit confirmation.
 */
export async function cleanUpPlanBranches(place: PlanBranchPlace, log: vscode.LogOutputChannel): Promise<void> {
  const { deletePlanBranch, planBranchCleanup } = await import('../../infra/git/planBranchCleanup');
  const branches = await planBranchCleanup(place);
  if (branches.length === 0) return void vscode.window.showInformationMessage(t('There are no Helios plan branches in this repository.'));
  const items = branches.map((b) => ({
    label: b.branch,
    description: b.empty ? t('empty') : b.unmerged === 0 ? t('merged') : t('{0} commits you have not accepted', b.unmerged),
    picked: b.empty || b.unmerged === 0,
    branch: b,
  }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: t('Plan branches to delete (with their worktrees)') });
  if (!picked || picked.length === 0) return;
  const unmerged = picked.filter((p) => !p.branch.empty && p.branch.unmerged > 0);
  let force = false;
  if (unmerged.length > 0) {
    const remove = t('Delete Them Too');
    const answer = await vscode.window.showWarningMessage(
      t('{0} hold work you have not accepted. Deleting them loses it.', unmerged.map((u) => u.label).join(', ')), { modal: true }, remove,
    );
    force = answer === remove;
  }
  let deleted = 0;
  for (const p of picked) {
    if (!force && unmerged.includes(p)) continue;
    await deletePlanBranch({ ...place, planId: p.branch.planId, force: unmerged.includes(p) });
    deleted++;
  }
  log.info(`Deleted ${deleted} plan branch(es)`);
  vscode.window.setStatusBarMessage(t('$(check) Helios deleted {0} plan branch(es)', deleted), 5_000);
}
