import type { TaskGraph } from '../../shared/taskGraph';

/** One broken rule of a task graph, machine-readable so it can go back to the model verbatim. */
export type GraphIssue =
  | { readonly code: 'empty' }
  | { readonly code: 'duplicate_id'; readonly taskId: string }
  | { readonly code: 'unknown_dependency'; readonly taskId: string; readonly dependency: string }
  | { readonly code: 'self_dependency'; readonly taskId: string }
  | { readonly code: 'cycle'; readonly cycle: readonly string[] }
  | { readonly code: 'unsafe_path'; readonly taskId: string; readonly path: string };

/**
 * Checks the rules the JSON Schema cannot: ids unique, dependencies known, no cycles, file paths
 * inside the workspace. Returns every issue found (empty array = valid), so one repair round trip
 * can fix them all at once.
 */
export function validateTaskGraph(graph: TaskGraph): GraphIssue[] {
  const issues: GraphIssue[] = [];
  if (graph.tasks.length === 0) return [{ code: 'empty' }];

  const ids = new Set<string>();
  for (const task of graph.tasks) {
    if (ids.has(task.id)) issues.push({ code: 'duplicate_id', taskId: task.id });
    ids.add(task.id);
  }
  for (const task of graph.tasks) {
    for (const dep of task.dependsOn) {
      if (dep === task.id) issues.push({ code: 'self_dependency', taskId: task.id });
      else if (!ids.has(dep)) issues.push({ code: 'unknown_dependency', taskId: task.id, dependency: dep });
    }
    for (const file of task.files) {
      if (!isSafeRelativePath(file)) issues.push({ code: 'unsafe_path', taskId: task.id, path: file });
    }
  }
  const cycle = findCycle(graph);
  if (cycle) issues.push({ code: 'cycle', cycle });
  return issues;
}

/** A workspace-relative path that cannot escape the workspace folder. */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.includes('\0')) return false;
  if (p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z]:/.test(p)) return false;
  return !p.split(/[\\/]/).some((segment) => segment === '..');
}

/**
 * Finds one dependency cycle, returned as the ids along it with the first id repeated at the end
 * (T1 → T3 → T1), or undefined when the graph is acyclic. Iterative DFS: graphs of thousands of
 * tasks must not overflow the stack. Self-dependencies and unknown ids are reported elsewhere.
 */
export function findCycle(graph: TaskGraph): string[] | undefined {
  const deps = new Map<string, readonly string[]>();
  for (const t of graph.tasks) deps.set(t.id, t.dependsOn.filter((d) => d !== t.id));
  const state = new Map<string, 'visiting' | 'done'>();

  for (const root of deps.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [];
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    state.set(root, 'visiting');
    path.push(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const edges = deps.get(frame.id) ?? [];
      if (frame.next >= edges.length) {
        state.set(frame.id, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const dep = edges[frame.next++]!;
      if (!deps.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'visiting') {
        // The cycle is the path from `dep` to here; report it in dependency order.
        return [...path.slice(path.indexOf(dep)), dep];
      }
      if (s === undefined) {
        state.set(dep, 'visiting');
        path.push(dep);
        stack.push({ id: dep, next: 0 });
      }
    }
  }
  return undefined;
}

/** Ids in an order where every task comes after its dependencies (Kahn; stable by input order). */
export function topologicalOrder(graph: TaskGraph): string[] {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const t of graph.tasks) {
    indegree.set(t.id, t.dependsOn.length);
    for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  }
  const queue = graph.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return order;
}

/** A plain-English rendering of the issues, for the repair prompt and for logs. */
export function describeIssues(issues: readonly GraphIssue[]): string[] {
  return issues.map((i) => {
    switch (i.code) {
      case 'empty':
        return 'The plan has no tasks; produce at least one task.';
      case 'duplicate_id':
        return `Task id "${i.taskId}" is used more than once; ids must be unique.`;
      case 'unknown_dependency':
        return `Task "${i.taskId}" depends on "${i.dependency}", which is not a task in the plan.`;
      case 'self_dependency':
        return `Task "${i.taskId}" depends on itself.`;
      case 'cycle':
        return `Dependency cycle: ${i.cycle.join(' → ')}. The plan must be acyclic.`;
      case 'unsafe_path':
        return `Task "${i.taskId}" names the file "${i.path}", which is outside the workspace; use workspace-relative paths.`;
    }
  });
}
