import type { WorkspaceGraph } from '../analysis/workspaceGraph';
import { buildContext, fullFileContextTokens } from './contextBuilder';
import { estimateTokens, type TokenEstimator } from './tokenEstimate';

export interface BenchTask {
  readonly id: string;
  readonly text: string;
  readonly files: readonly string[];
}

export interface TaskMeasurement {
  readonly id: string;
  readonly fullTokens: number;
  readonly builtTokens: number;
  readonly reduction: number;
  /** Every symbol the task's files import from local files has its declaration in the context. */
  readonly allSymbolsPresent: boolean;
  readonly missingSymbols: readonly string[];
}

export interface ContextMeasurement {
  readonly tasks: readonly TaskMeasurement[];
  readonly fullTokens: number;
  readonly builtTokens: number;
  /** 1 − built / full over all tasks. */
  readonly reduction: number;
  readonly allSymbolsPresent: boolean;
}

/**
 * The workflow benchmark's context measurement: Coder input tokens with the context builder
 * against full-file context, and whether every imported symbol survived. Without a repo map
 * (`mapTokens` 0) the comparison is like for like: same files, only their form differs.
 */
export async function measureContextReduction(workspace: WorkspaceGraph, tasks: readonly BenchTask[], options: { mapTokens?: number; estimate?: TokenEstimator } = {}): Promise<ContextMeasurement> {
  const estimate = options.estimate ?? estimateTokens;
  const results: TaskMeasurement[] = [];
  for (const task of tasks) {
    const fullTokens = await fullFileContextTokens(workspace, task.files, estimate);
    const taskTokens = (await Promise.all(task.files.map(async (f) => estimate((await workspace.text(f)) ?? '')))).reduce((a, b) => a + b, 0);
    const built = await buildContext(workspace, { task: task.text, files: task.files, budgetTokens: taskTokens * 2 + (options.mapTokens ?? 0), estimate });
    const withMap = options.mapTokens ? built.tokens : built.sections.filter((s) => s.kind !== 'repo-map').reduce((a, s) => a + s.tokens, 0);
    const missing: string[] = [];
    for (const s of built.symbols) {
      const found = s.declaredIn !== undefined && (task.files.includes(s.declaredIn) || built.text.includes(s.name));
      if (!found) missing.push(`${s.importer}: ${s.name} from ${s.specifier}`);
    }
    results.push({ id: task.id, fullTokens, builtTokens: withMap, reduction: fullTokens === 0 ? 0 : 1 - withMap / fullTokens, allSymbolsPresent: missing.length === 0, missingSymbols: missing });
  }
  const fullTokens = results.reduce((a, r) => a + r.fullTokens, 0);
  const builtTokens = results.reduce((a, r) => a + r.builtTokens, 0);
  return { tasks: results, fullTokens, builtTokens, reduction: fullTokens === 0 ? 0 : 1 - builtTokens / fullTokens, allSymbolsPresent: results.every((r) => r.allSymbolsPresent) };
}
