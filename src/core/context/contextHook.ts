import type { WorkspaceGraph } from '../analysis/workspaceGraph';
import type { Plan, Task } from '../../shared/taskGraph';
import { buildContext } from './contextBuilder';
import { estimateTokens } from './tokenEstimate';

/** A plan's integrated tree as the context builder reads it. */
export interface TreeView {
  read(path: string): Promise<string | undefined>;
  /** Every file the plan changed, with its content in the tree. */
  changed(): ReadonlyMap<string, string>;
}

/** Repo-map budget per task, on top of the task's own files (which are always sent whole). */
export const CODER_REPO_MAP_TOKENS = 1_500;

export type ContextHookEvent =
  | { readonly kind: 'opened'; readonly files: number; readonly ms: number }
  | { readonly kind: 'unavailable'; readonly error: string }
  | { readonly kind: 'task-failed'; readonly taskId: string; readonly error: string };

/**
 * The Coder executor's `context` hook over a workspace graph: the task's files, the declarations
 * they import, a ranked repo map. The graph is opened on the first task (the caller's `open` may
 * load the parser then), and the task's files are re-read before each task. Any failure means no
 * context: the Coder then selects the task's files itself.
 */
export function createContextHook(
  open: () => Promise<{ workspace: WorkspaceGraph; files: number; ms: number }>,
  options: { readonly onEvent?: (event: ContextHookEvent) => void; readonly repoMapTokens?: number } = {},
): (plan: Plan, task: Task, tree?: TreeView) => Promise<string | undefined> {
  let graph: Promise<WorkspaceGraph | undefined> | undefined;
  const opened = () => (graph ??= open().then(
    ({ workspace, files, ms }) => {
      options.onEvent?.({ kind: 'opened', files, ms });
      return workspace;
    },
    (error: unknown) => {
      options.onEvent?.({ kind: 'unavailable', error: error instanceof Error ? error.message : String(error) });
      return undefined;
    },
  ));
  /** The plan-tree text last given to the graph, per file. */
  const applied = new Map<string, string>();
  return async (_plan, task, tree) => {
    const workspace = await opened();
    if (!workspace) return undefined;
    try {
      const files = task.files.filter((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'));
      if (tree) {
        // The plan's tree, not the disk: what the task's dependencies wrote is what it builds on.
        // Only what changed since the last task: re-hashing every file of a large plan per task is quadratic.
        for (const [f, text] of tree.changed()) {
          if (applied.get(f) === text) continue;
          workspace.updateText(f, text);
          applied.set(f, text);
        }
        for (const f of files) {
          // A file that resolves outside the workspace is not read: it stays out of the context too.
          const text = await tree.read(f).catch(() => undefined);
          if (text === undefined) workspace.remove(f);
          else workspace.updateText(f, text);
        }
      } else for (const f of files) await workspace.update(f);
      const texts = await Promise.all(files.map((f) => workspace.text(f)));
      const taskTokens = texts.reduce((n, t) => n + (t === undefined ? 0 : estimateTokens(t)), 0);
      const built = await buildContext(workspace, {
        task: `${task.title}\n${task.description}`, files, budgetTokens: taskTokens + (options.repoMapTokens ?? CODER_REPO_MAP_TOKENS),
      });
      return built.text.length > 0 ? built.text : undefined;
    } catch (error) {
      options.onEvent?.({ kind: 'task-failed', taskId: task.id, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
}
