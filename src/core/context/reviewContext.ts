import type { WorkspaceGraph } from '../analysis/workspaceGraph';
import { renderSignature } from '../analysis/repoMap';
import type { ProposedChange } from '../../shared/proposedChange';
import { estimateTokens } from './tokenEstimate';

/** What the Reviewer gets beyond the diff, at most: signatures and the impact set are hints, not the review's subject. */
export const REVIEW_CONTEXT_TOKENS = 1_200;
const MAX_IMPACT_FILES = 25;

/**
 * The Reviewer's minimal context for a change: the exported signatures of the files it edits as
 * they are in the workspace now (what callers rely on), and the impact set — the files that import
 * them, directly or not — from the dependency graph. New files have neither. Bounded by tokens.
 */
export async function buildReviewContext(workspace: WorkspaceGraph, change: ProposedChange, budgetTokens = REVIEW_CONTEXT_TOKENS): Promise<string | undefined> {
  const edited = change.files.filter((f) => f.action !== 'create' && workspace.graph.has(f.path)).map((f) => f.path);
  if (edited.length === 0) return undefined;
  const parts: string[] = [];
  let used = 0;
  const add = (text: string): boolean => {
    const cost = estimateTokens(text);
    if (used + cost > budgetTokens) return false;
    parts.push(text);
    used += cost;
    return true;
  };
  add('Signatures of the edited files before the change (callers rely on these):');
  for (const file of edited) {
    const exported = (await workspace.exportsOf(file)).filter((s) => s.kind !== 'reexport');
    if (exported.length === 0) continue;
    if (!add(`${file}:\n${exported.map((s) => `  ${renderSignature(s.signature)}`).join('\n')}`)) break;
  }
  const impact = workspace.graph.impactSet(edited).filter((f) => !edited.includes(f));
  if (impact.length > 0) {
    const shown = impact.slice(0, MAX_IMPACT_FILES);
    const more = impact.length > shown.length ? ` (and ${impact.length - shown.length} more)` : '';
    add(`Files that import the edited files, directly or indirectly (impact set, ${impact.length}): ${shown.join(', ')}${more}`);
  }
  return parts.length > 1 ? parts.join('\n\n') : undefined;
}

/**
 * The executor's `reviewContext` hook over the same graph the Coder's context uses (`open` should
 * be shared and memoized). The edited files are re-read first; any failure means no context.
 */
export function createReviewContextHook(
  open: () => Promise<{ readonly workspace: WorkspaceGraph }>,
): (plan: unknown, task: unknown, change: ProposedChange) => Promise<string | undefined> {
  return async (_plan, _task, change) => {
    try {
      const { workspace } = await open();
      for (const f of change.files) if (f.action !== 'create') await workspace.update(f.path);
      return await buildReviewContext(workspace, change);
    } catch {
      return undefined;
    }
  };
}

/** One promise for the first call's result, so the Coder's and the Reviewer's hooks open one graph. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}
