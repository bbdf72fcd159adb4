/**
 * Builds the SVG for a laid-out DAG. Only SVG presentation attributes and CSS classes are used
 * (no `style` attributes), so a CSP without 'unsafe-inline' styles does not block anything.
 * All task text goes in through textContent, never markup.
 */
import type { DagNodeView, DagPanelStrings, DagSnapshot } from '../../shared/protocol/dagPanel';
import type { DagLayout, LaidOutNode } from './layout';
import { edgePathData } from './layout';
import { checkLabels, ellipsize, STATUS_GLYPH, statusLabel, taskTypeLabel } from './format';
import { svgEl as el, svgText } from '../common/dom';

const ARROW = 'dag-arrow';
const ARROW_ACTIVE = 'dag-arrow-active';
const NODE_CLIP = 'dag-node-clip';
/** Columns of text that fit a node line at the CSS font sizes in media/dag.css. */
const TITLE_COLUMNS = 27;
const META_COLUMNS = 33;

export interface GraphView {
  readonly svg: SVGSVGElement;
  /** The group the pan / zoom transform applies to. */
  readonly viewport: SVGGElement;
  readonly nodeEls: ReadonlyMap<string, SVGGElement>;
  readonly edgeEls: readonly SVGPathElement[];
}

function text(parent: Element, cls: string, x: number, y: number, content: string): SVGTextElement {
  return svgText(parent, { class: cls, x, y }, content);
}

function defs(svg: SVGSVGElement, nodeWidth: number, nodeHeight: number): void {
  const d = el('defs', {}, svg);
  for (const id of [ARROW, ARROW_ACTIVE]) {
    const m = el(
      'marker',
      { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      d,
    );
    el('path', { class: id, d: 'M0,0 L10,5 L0,10 z' }, m);
  }
  // One clip rectangle serves every node: it is resolved in each node's own (translated) space.
  const clip = el('clipPath', { id: NODE_CLIP }, d);
  el('rect', { width: nodeWidth, height: nodeHeight, rx: 6, ry: 6 }, clip);
}

export function nodeLabel(node: DagNodeView, strings: DagPanelStrings): string {
  return [`${node.id} · ${node.title} · ${statusLabel(strings, node.status)}`, ...checkLabels(node, strings)].join(' · ');
}

function renderNode(
  parent: SVGGElement,
  node: DagNodeView,
  snapshot: DagSnapshot,
  strings: DagPanelStrings,
  box: LaidOutNode,
): SVGGElement {
  const g = el(
    'g',
    {
      class: 'dag-node',
      'data-task-id': node.id,
      'data-status': node.status,
      transform: `translate(${box.x} ${box.y})`,
      tabindex: 0,
      role: 'button',
      'aria-label': nodeLabel(node, strings),
    },
    parent,
  );
  el('title', {}, g).textContent = nodeLabel(node, strings);
  el('rect', { class: 'dag-node-box', width: box.width, height: box.height, rx: 6, ry: 6 }, g);
  const inner = el('g', { 'clip-path': `url(#${NODE_CLIP})` }, g);
  el('rect', { class: 'dag-node-bar', width: 5, height: box.height }, inner);
  text(inner, 'dag-node-glyph', 13, 22, STATUS_GLYPH[node.status] ?? '?');
  text(inner, 'dag-node-title', 29, 22, ellipsize(node.title, TITLE_COLUMNS));
  const checks = checkLabels(node, strings);
  // Once checks ran they matter more than the task type (which the details pane still shows).
  text(inner, 'dag-node-meta', 13, 40, ellipsize([node.id, ...(checks.length > 0 ? checks : [taskTypeLabel(strings, node.taskType)])].join(' · '), META_COLUMNS));
  if (node.run?.verification) g.setAttribute('data-verification', node.run.verification.status);
  if (node.run?.review) g.setAttribute('data-review', node.run.review.verdict);
  if (node.run?.integration) g.setAttribute('data-integration', node.run.integration.status);
  const model = node.run?.model ? `${node.run.model}${node.run.reason ? ` · ${node.run.reason}` : ''}` : snapshot.plannedBy;
  if (node.run?.model) g.setAttribute('data-model', node.run.model);
  text(inner, 'dag-node-model', 13, 56, ellipsize(model, META_COLUMNS));
  return g;
}

/** Builds a fresh SVG for the snapshot; the caller swaps it in and applies the view transform. */
export function renderGraph(snapshot: DagSnapshot, layout: DagLayout, strings: DagPanelStrings): GraphView {
  const svg = el('svg', { class: 'dag-svg', role: 'group', 'aria-label': snapshot.prdPath });
  const first = layout.nodes[0];
  defs(svg, first?.width ?? 0, first?.height ?? 0);
  const viewport = el('g', { class: 'dag-viewport' }, svg);

  const edgeLayer = el('g', { class: 'dag-edges' }, viewport);
  const edgeEls = layout.edges.map((e) =>
    el(
      'path',
      { class: 'dag-edge', 'data-from': e.from, 'data-to': e.to, d: edgePathData(e.points, layout.rankDir), 'marker-end': `url(#${ARROW})` },
      edgeLayer,
    ),
  );

  const nodeLayer = el('g', { class: 'dag-nodes' }, viewport);
  const boxes = new Map(layout.nodes.map((n) => [n.id, n]));
  const nodeEls = new Map<string, SVGGElement>();
  for (const node of snapshot.nodes) {
    const box = boxes.get(node.id);
    if (!box || nodeEls.has(node.id)) continue;
    nodeEls.set(node.id, renderNode(nodeLayer, node, snapshot, strings, box));
  }
  return { svg, viewport, nodeEls, edgeEls };
}

/** Marks the selected node and the edges into and out of it. */
export function markSelection(view: GraphView, selectedId: string | undefined): void {
  for (const [id, g] of view.nodeEls) {
    g.classList.toggle('is-selected', id === selectedId);
    g.setAttribute('aria-pressed', String(id === selectedId));
  }
  for (const path of view.edgeEls) {
    const related =
      selectedId !== undefined && (path.dataset['from'] === selectedId || path.dataset['to'] === selectedId);
    path.classList.toggle('is-related', related);
    path.setAttribute('marker-end', `url(#${related ? ARROW_ACTIVE : ARROW})`);
    // Drawn last so a highlighted edge is not hidden under the others.
    if (related) path.parentNode?.appendChild(path);
  }
}
