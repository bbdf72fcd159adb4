import type { DependencyGraph } from '../../core/analysis/dependencyGraph';

/**
 * What the Dependency Graph view shows for one file, as plain data (no `vscode`), so it is tested
 * with node alone. Labels are keys the view localizes.
 */
export type GroupKey = 'dependencies' | 'dependants' | 'impact' | 'cycle';

export interface TreeFile {
  readonly file: string;
  readonly external: boolean;
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

export interface TreeGroup {
  readonly key: GroupKey;
  readonly files: readonly TreeFile[];
}

export function groupsFor(graph: DependencyGraph, file: string): TreeGroup[] {
  const byTarget = new Map<string, TreeFile>();
  for (const e of graph.dependencies(file)) {
    const prev = byTarget.get(e.to);
    byTarget.set(e.to, {
      file: e.to, external: e.external,
      typeOnly: (prev?.typeOnly ?? true) && e.typeOnly,
      dynamic: (prev?.dynamic ?? true) && (e.kind === 'dynamic'),
    });
  }
  const local = (f: string): TreeFile => ({ file: f, external: false, typeOnly: false, dynamic: false });
  const cycle = graph.cycles().find((c) => c.includes(file)) ?? [];
  const groups: TreeGroup[] = [
    { key: 'dependencies', files: [...byTarget.values()].sort((a, b) => Number(a.external) - Number(b.external) || a.file.localeCompare(b.file)) },
    { key: 'dependants', files: graph.dependants(file).map(local) },
    { key: 'impact', files: graph.impactSet([file]).map(local) },
  ];
  if (cycle.length > 0) groups.push({ key: 'cycle', files: cycle.filter((f) => f !== file).map(local) });
  return groups;
}
