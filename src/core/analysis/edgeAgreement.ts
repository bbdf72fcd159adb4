/**
 * Agreement between two dependency graphs over local edges (`{ file: [files] }`, same path
 * convention), for checking Helios against madge or dependency-cruiser.
 */
export interface EdgeAgreement {
  readonly common: number;
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
  /** Share of B's edges that A also has. */
  readonly recall: number;
  /** Share of A's edges that B also has. */
  readonly precision: number;
  /** |A ∩ B| / |A ∪ B|. */
  readonly jaccard: number;
}

function edgeSet(graph: Readonly<Record<string, readonly string[]>>, keep: (to: string) => boolean): Set<string> {
  const set = new Set<string>();
  for (const [from, tos] of Object.entries(graph)) for (const to of tos) if (keep(to)) set.add(`${from} → ${to}`);
  return set;
}

export function compareEdges(a: Readonly<Record<string, readonly string[]>>, b: Readonly<Record<string, readonly string[]>>, keep: (to: string) => boolean = () => true): EdgeAgreement {
  const ea = edgeSet(a, keep);
  const eb = edgeSet(b, keep);
  const onlyA = [...ea].filter((e) => !eb.has(e)).sort();
  const onlyB = [...eb].filter((e) => !ea.has(e)).sort();
  const common = ea.size - onlyA.length;
  const union = ea.size + onlyB.length;
  return { common, onlyA, onlyB, recall: eb.size ? common / eb.size : 1, precision: ea.size ? common / ea.size : 1, jaccard: union ? common / union : 1 };
}
