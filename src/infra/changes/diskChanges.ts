import { promises as fs } from 'node:fs';
import { planApply, recordApply, type ApplyPlan, type ChangeTarget } from '../../core/changes/decisions';
import { HeliosError } from '../../core/errors/heliosError';
import type { FileChangeStore } from '../storage/fileChangeStore';
import { applyToDisk, resolveInside } from './safeWorkspace';

/**
 * The CLI's accept (`helios run --apply`): the same planning as the extension, written straight
 * to disk instead of through a WorkspaceEdit, and recorded in the change store.
 */

/** A workspace file as text, undefined when it does not exist; `path_outside_workspace` when it is not inside. */
export async function readWorkspaceFile(root: string, relative: string): Promise<string | undefined> {
  const file = await resolveInside(root, relative);
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Accepts `target` of a stored change on disk, all files or none. A conflict is recorded (state
 * `conflicted`, nothing written) and returned as a plan with `ok: false`; an escaping path throws
 * `path_outside_workspace` before anything is written or recorded.
 */
export async function acceptOnDisk(
  root: string,
  store: FileChangeStore,
  planId: string,
  taskId: string,
  target: ChangeTarget = { kind: 'task' },
): Promise<ApplyPlan> {
  const change = await store.load(planId, taskId);
  if (!change) throw new HeliosError('change_target_invalid', `no change ${planId}/${taskId}`, { planId, taskId });
  const plan = await planApply(change, target, (p) => readWorkspaceFile(root, p));
  if (plan.ok) {
    await applyToDisk(
      root,
      plan.files.map((f) => ({ path: f.path, expectedSha256: f.expectedSha256, content: f.content! })),
    );
  }
  await store.update(planId, taskId, (latest) => recordApply(latest, plan));
  return plan;
}
