/**
 * DOM-free layout of the task DAG (dagre). Kept free of the DOM so node can test it: the panel
 * must stay readable at 100+ nodes, and that is a property of this module, not of the renderer.
 */
import { Graph, layout as dagreLayout } from '@dagrejs/dagre';
import type { DagNodeView } from '../../shared/protocol/dagPanel';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;
const NODE_SEP = 20;
const RANK_SEP = 60;
const MARGIN = 16;

export type RankDir = 'TB' | 'LR';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A node box in layout coordinates; `x`, `y` are the top-left corner. */
export interface LaidOutNode {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge from a dependency to its dependent. */
export interface LaidOutEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly Point[];
}

export interface DagLayout {
  readonly rankDir: RankDir;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LaidOutNode[];
  readonly edges: readonly LaidOutEdge[];
}

export interface DependencyEdge {
  readonly from: string;
  readonly to: string;
}

/**
 * Edges dependency → dependent. A dependency on an unknown id or on the task itself is dropped
 * (the plan validator rejects those; the panel must still draw whatever it is given), and
 * duplicates collapse into one edge.
 */
export function dependencyEdges(nodes: readonly DagNodeView[]): DependencyEdge[] {
  const ids = new Set(nodes.map((n) => n.id));
  const seen = new Set<string>();
  const edges: DependencyEdge[] = [];
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      const key = `${dep}\u0000${node.id}`;
      if (dep === node.id || !ids.has(dep) || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: dep, to: node.id });
    }
  }
  return edges;
}

/**
 * Longest-path level of every node (roots are 0). Nodes caught in a cycle, which a validated
 * plan never has, go one level below everything else so the estimate stays finite.
 */
function levels(nodes: readonly DagNodeView[], edges: readonly DependencyEdge[]): Map<string, number> {
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    const list = out.get(e.from) ?? [];
    list.push(e.to);
    out.set(e.from, list);
  }
  const level = new Map<string, number>();
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) level.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    const next = (level.get(id) ?? 0) + 1;
    for (const to of out.get(id) ?? []) {
      level.set(to, Math.max(level.get(to) ?? 0, next));
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  const ordered = new Set(queue);
  const deepest = Math.max(0, ...level.values());
  for (const n of nodes) if (!ordered.has(n.id)) level.set(n.id, deepest + 1);
  return level;
}

/**
 * Picks the direction whose estimated drawing is closest in shape to the viewport. Task DAGs are
 * usually shallow and wide (many independent tasks per level); boxes are much wider than tall,
 * so stacking a wide level vertically (LR) usually fits a landscape panel far better than TB.
 */
export function chooseRankDir(nodes: readonly DagNodeView[], targetAspect = 1.6): RankDir {
  if (nodes.length === 0) return 'LR';
  const perLevel = new Map<number, number>();
  for (const l of levels(nodes, dependencyEdges(nodes)).values()) perLevel.set(l, (perLevel.get(l) ?? 0) + 1);
  const depth = perLevel.size;
  const breadth = Math.max(...perLevel.values());
  const tbAspect = (breadth * (NODE_WIDTH + NODE_SEP)) / (depth * (NODE_HEIGHT + RANK_SEP));
  const lrAspect = (depth * (NODE_WIDTH + RANK_SEP)) / (breadth * (NODE_HEIGHT + NODE_SEP));
  const target = Number.isFinite(targetAspect) && targetAspect > 0 ? targetAspect : 1.6;
  const misfit = (aspect: number): number => Math.abs(Math.log(aspect / target));
  return misfit(tbAspect) < misfit(lrAspect) ? 'TB' : 'LR';
}

export interface LayoutOptions {
  readonly rankDir?: RankDir;
  /** Width / height of the viewport, used to choose the direction when `rankDir` is not given. */
  readonly targetAspect?: number;
}

export function layoutDag(nodes: readonly DagNodeView[], options: LayoutOptions = {}): DagLayout {
  const rankDir = options.rankDir ?? chooseRankDir(nodes, options.targetAspect);
  if (nodes.length === 0) return { rankDir, width: 0, height: 0, nodes: [], edges: [] };

  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: rankDir, nodesep: NODE_SEP, ranksep: RANK_SEP, edgesep: 10, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  const seenIds = new Set<string>();
  for (const n of nodes) {
    // A duplicated id would make two tasks share one box; draw the first, as the plan validator would.
    if (seenIds.has(n.id)) continue;
    seenIds.add(n.id);
    g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  const deps = dependencyEdges(nodes);
  for (const e of deps) g.setEdge(e.from, e.to);
  dagreLayout(g);

  const laidOut: LaidOutNode[] = [...seenIds].map((id) => {
    const label = g.node(id) as { x?: number; y?: number };
    return {
      id,
      x: (label.x ?? 0) - NODE_WIDTH / 2,
      y: (label.y ?? 0) - NODE_HEIGHT / 2,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    };
  });
  const boxes = new Map(laidOut.map((b) => [b.id, b]));
  const edges: LaidOutEdge[] = deps.map((e) => {
    const edge = g.edge(e.from, e.to) as { points?: Point[] };
    const raw = (edge.points ?? []).map((p) => ({ x: p.x, y: p.y }));
    const from = boxes.get(e.from);
    const to = boxes.get(e.to);
    if (!from || !to || raw.length < 2) return { from: e.from, to: e.to, points: raw };
    // dagre clips edges wherever the line from the centre leaves the box, often a corner; leaving
    // from the downstream side and arriving on the upstream side reads much more cleanly. Between
    // adjacent ranks dagre's single bend point only adds a kink, so it is dropped; longer edges
    // keep their bends, which route them around the boxes in between.
    const interior = raw.slice(1, -1);
    const points = [outPort(from, rankDir), ...(interior.length > 1 ? interior : []), inPort(to, rankDir)];
    return { from: e.from, to: e.to, points };
  });
  const graphLabel = g.graph() as { width?: number; height?: number };
  return { rankDir, width: graphLabel.width ?? 0, height: graphLabel.height ?? 0, nodes: laidOut, edges };
}

function outPort(b: LaidOutNode, rankDir: RankDir): Point {
  return rankDir === 'LR' ? { x: b.x + b.width, y: b.y + b.height / 2 } : { x: b.x + b.width / 2, y: b.y + b.height };
}

function inPort(b: LaidOutNode, rankDir: RankDir): Point {
  return rankDir === 'LR' ? { x: b.x, y: b.y + b.height / 2 } : { x: b.x + b.width / 2, y: b.y };
}

/**
 * SVG path data through the points: one cubic per segment, leaving and entering every point along
 * the rank direction, so edges flow from rank to rank without kinks.
 */
export function edgePathData(points: readonly Point[], rankDir: RankDir = 'LR'): string {
  const first = points[0];
  if (!first) return '';
  const r = (v: number): string => String(Math.round(v * 10) / 10);
  let d = `M${r(first.x)},${r(first.y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as Point;
    const b = points[i] as Point;
    if (rankDir === 'LR') {
      const mx = (a.x + b.x) / 2;
      d += ` C${r(mx)},${r(a.y)} ${r(mx)},${r(b.y)} ${r(b.x)},${r(b.y)}`;
    } else {
      const my = (a.y + b.y) / 2;
      d += ` C${r(a.x)},${r(my)} ${r(b.x)},${r(my)} ${r(b.x)},${r(b.y)}`;
    }
  }
  return d;
}

/** A key that changes only when the drawing would: same key, same layout. */
export function structureKey(planId: string, nodes: readonly DagNodeView[]): string {
  return JSON.stringify([planId, nodes.map((n) => [n.id, n.dependsOn])]);
}
