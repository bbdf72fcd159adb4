import * as vscode from 'vscode';

/** The proposed side of a diff: the workspace file with the still-pending hunks of the task applied. */
export const PROPOSED_SCHEME = 'helios-proposed';

export interface ChangeFileRef {
  readonly planId: string;
  readonly taskId: string;
  /** Workspace-relative, forward slashes. */
  readonly path: string;
}

/**
 * `proposed`: what accepting would write. `current`: the file on disk now (empty when it does not
 * exist), read-only. `base`: the file as the task read it from the plan's tree — against the
 * proposal, the task's own diff, whatever the other tasks of the plan did.
 */
export type DiffSide = 'proposed' | 'current' | 'base';

/**
 * `helios-proposed:/src/a.ts?plan=…&task=…`: the path keeps the file name, so the editor picks the
 * language (and the diff editor's title reads like the file).
 */
export function proposedUri(ref: ChangeFileRef, side: DiffSide = 'proposed'): vscode.Uri {
  const query = new URLSearchParams({ plan: ref.planId, task: ref.taskId });
  if (side !== 'proposed') query.set('side', side);
  return vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${ref.path}`, query: query.toString() });
}

export function parseProposedUri(uri: vscode.Uri): (ChangeFileRef & { readonly side: DiffSide }) | undefined {
  if (uri.scheme !== PROPOSED_SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const planId = q.get('plan');
  const taskId = q.get('task');
  const path = uri.path.replace(/^\/+/, '');
  const raw = q.get('side');
  const side: DiffSide = raw === 'current' || raw === 'base' ? raw : 'proposed';
  return planId && taskId && path ? { planId, taskId, path, side } : undefined;
}

export function sameRef(a: ChangeFileRef, b: ChangeFileRef): boolean {
  return a.planId === b.planId && a.taskId === b.taskId && a.path === b.path;
}
