import { createHash } from 'node:crypto';
import type { ProposedChange, ProposedFileChange } from '../../shared/proposedChange';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface ChangeMeta {
  readonly planId: string;
  readonly taskId: string;
  readonly model: string;
  readonly summary: string;
  readonly createdAt: string;
}

/** A validated set of file changes becomes the task's proposed change (state `proposed`). */
export function makeProposedChange(meta: ChangeMeta, files: readonly ProposedFileChange[]): ProposedChange {
  return {
    version: 1,
    planId: meta.planId,
    taskId: meta.taskId,
    state: 'proposed',
    createdAt: meta.createdAt,
    model: meta.model,
    summary: meta.summary,
    files: [...files].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** Whether a workspace file still has the content the change was computed from. */
export function isBaseCurrent(file: ProposedFileChange, current: string | undefined): boolean {
  if (file.baseSha256 === null) return current === undefined;
  return current !== undefined && sha256Hex(current) === file.baseSha256;
}
