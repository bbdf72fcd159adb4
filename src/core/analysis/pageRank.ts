/**
 * Personalized PageRank by power iteration over a directed graph given as adjacency lists. Rank
 * flows from importer to imported file (what many files use ranks high); the teleport vector is
 * the personalization (the task's files and identifiers), uniform when none is given. Dangling
 * nodes give their rank back through the teleport vector, so ranks always sum to 1.
 */
export interface PageRankOptions {
  readonly damping?: number;
  readonly iterations?: number;
  readonly tolerance?: number;
  /** Non-negative weights per node; normalized. */
  readonly personalization?: ReadonlyMap<string, number>;
}

export function pageRank(nodes: readonly string[], successors: (node: string) => readonly string[], options: PageRankOptions = {}): Map<string, number> {
  const n = nodes.length;
  const result = new Map<string, number>();
  if (n === 0) return result;
  const damping = options.damping ?? 0.85;
  const index = new Map(nodes.map((node, i) => [node, i]));
  const out: number[][] = nodes.map((node) => [...new Set(successors(node))].flatMap((s) => (index.has(s) ? [index.get(s)!] : [])));
  const teleport = new Float64Array(n);
  let weightSum = 0;
  for (const [node, w] of options.personalization ?? []) {
    const i = index.get(node);
    if (i !== undefined && w > 0) {
      teleport[i] = (teleport[i] ?? 0) + w;
      weightSum += w;
    }
  }
  if (weightSum === 0) teleport.fill(1 / n);
  else for (let i = 0; i < n; i++) teleport[i] = teleport[i]! / weightSum;
  let rank = Float64Array.from(teleport);
  for (let iter = 0; iter < (options.iterations ?? 50); iter++) {
    const next = new Float64Array(n);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const targets = out[i]!;
      if (targets.length === 0) dangling += rank[i]!;
      else for (const t of targets) next[t] = next[t]! + (damping * rank[i]!) / targets.length;
    }
    let delta = 0;
    for (let i = 0; i < n; i++) {
      next[i] = next[i]! + (1 - damping + damping * dangling) * teleport[i]!;
      delta += Math.abs(next[i]! - rank[i]!);
    }
    rank = next;
    if (delta < (options.tolerance ?? 1e-9)) break;
  }
  nodes.forEach((node, i) => result.set(node, rank[i]!));
  return result;
}
