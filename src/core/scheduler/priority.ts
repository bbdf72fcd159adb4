import type { TaskGraph } from '../../shared/taskGraph';

/**
 * The critical-path weight of each task: its own estimated tokens plus the heaviest chain of
 * dependants below it. Tasks on the longest remaining path go first, so the plan's makespan
 * approaches its lower bound.
 */
export function criticalPathWeights(graph: TaskGraph): Map<string, number> {
  const dependants = new Map<string, string[]>();
  for (const t of graph.tasks) for (const d of t.dependsOn) dependants.set(d, [...(dependants.get(d) ?? []), t.id]);
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const memo = new Map<string, number>();
  // Iterative post-order: plans of thousands of tasks must not overflow the stack.
  for (const root of graph.tasks) {
    const stack: Array<{ id: string; expanded: boolean }> = [{ id: root.id, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (memo.has(top.id)) continue;
      const below = dependants.get(top.id) ?? [];
      if (!top.expanded) {
        stack.push({ id: top.id, expanded: true });
        for (const d of below) if (!memo.has(d)) stack.push({ id: d, expanded: false });
        continue;
      }
      const own = Math.max(1, byId.get(top.id)?.estimatedTokens ?? 1);
      memo.set(top.id, own + Math.max(0, ...below.map((d) => memo.get(d) ?? 0)));
    }
  }
  return memo;
}

/** Transitive dependants of each task (its fan-out), for the router's complexity score. */
export function fanOut(graph: TaskGraph): Map<string, number> {
  const dependants = new Map<string, string[]>();
  for (const t of graph.tasks) for (const d of t.dependsOn) dependants.set(d, [...(dependants.get(d) ?? []), t.id]);
  const result = new Map<string, number>();
  for (const t of graph.tasks) {
    const seen = new Set<string>();
    const stack = [...(dependants.get(t.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(dependants.get(id) ?? []));
    }
    result.set(t.id, seen.size);
  }
  return result;
}

/** Critical path first, then the user's priority (1 = most important) as a multiplier. */
export function priorityScore(criticalPath: number, userPriority: number): number {
  return criticalPath * (1 + (5 - Math.min(5, Math.max(1, userPriority))) * 0.25);
}
