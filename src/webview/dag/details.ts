/** The details pane for the selected task, and the header and legend above the graph. */
import type { DagNodeView, DagPanelStrings, DagSnapshot } from '../../shared/protocol/dagPanel';
import type { TaskStatus } from '../../shared/taskGraph';
import { budgetNotice, checkLabels, formatInteger, headerParts, runFacts, STATUS_GLYPH, statusLabel, taskTypeLabel } from './format';
import { fill } from '../budget/format';
import { h } from '../common/dom';

export interface DetailsHandlers {
  readonly openFile: (path: string) => void;
  readonly select: (id: string) => void;
}

function linkList(items: readonly string[], cls: string, onClick: (item: string) => void): HTMLElement {
  if (items.length === 0) return h('p', 'dag-details-none', '—');
  const ul = h('ul', 'dag-details-list');
  for (const item of items) {
    const li = h('li', '');
    const b = h('button', `dag-link ${cls}`, item);
    b.type = 'button';
    b.title = item;
    b.addEventListener('click', () => onClick(item));
    li.appendChild(b);
    ul.appendChild(li);
  }
  return ul;
}

export function renderDetails(
  pane: HTMLElement,
  node: DagNodeView | undefined,
  strings: DagPanelStrings,
  handlers: DetailsHandlers,
): void {
  pane.replaceChildren();
  pane.hidden = node === undefined;
  if (!node) return;
  pane.dataset['taskId'] = node.id;

  const title = h('h2', 'dag-details-title', node.title);
  const status = h('p', 'dag-details-status');
  status.dataset['status'] = node.status;
  status.textContent = `${STATUS_GLYPH[node.status] ?? ''} ${statusLabel(strings, node.status)}`;
  const meta = h(
    'p',
    'dag-details-meta',
    `${node.id} · ${taskTypeLabel(strings, node.taskType)} · ${fill(strings.priority, formatInteger(node.priority))} · ~${formatInteger(node.estimatedTokens)} ${strings.tokens}`,
  );
  const description = h('p', 'dag-details-description', node.description);
  if (node.run) {
    const run = node.run;
    const facts = [...runFacts(run, strings), ...checkLabels(node, strings), run.error].filter((x): x is string => Boolean(x));
    description.append(h('span', 'dag-details-run', ` — ${facts.join(' · ')}`));
  }

  pane.append(
    title,
    status,
    meta,
    description,
    h('h3', 'dag-details-heading', strings.dependsOn),
    linkList(node.dependsOn, 'dag-dep-link', handlers.select),
    h('h3', 'dag-details-heading', strings.files),
    linkList(node.files, 'dag-file-link', handlers.openFile),
  );
}

export function renderHeader(header: HTMLElement, snapshot: DagSnapshot | null, strings: DagPanelStrings): void {
  const line = header.querySelector('.dag-header-text');
  if (!line) return;
  line.replaceChildren();
  if (!snapshot) return;
  headerParts(snapshot, strings).forEach((part, i) => {
    if (i > 0) line.appendChild(h('span', 'dag-header-sep', '·'));
    line.appendChild(h('span', i === 0 ? 'dag-header-prd' : 'dag-header-part', part));
  });
  const prd = line.querySelector('.dag-header-prd');
  if (prd instanceof HTMLElement) prd.title = snapshot.prdPath;
  const notice = budgetNotice(snapshot, strings);
  if (notice) line.appendChild(h('span', `dag-header-budget is-${snapshot.budget!.state}`, notice));
}


const STATUS_ORDER: readonly TaskStatus[] = ['pending', 'ready', 'running', 'done', 'failed', 'skipped'];

/** One entry per status present in the plan, with its count, so the colours explain themselves. */
export function renderLegend(legend: HTMLElement, snapshot: DagSnapshot | null, strings: DagPanelStrings): void {
  legend.replaceChildren();
  if (!snapshot) return;
  const counts = new Map<TaskStatus, number>();
  for (const n of snapshot.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  for (const status of STATUS_ORDER) {
    const count = counts.get(status);
    if (!count) continue;
    const item = h('span', 'dag-legend-item');
    item.dataset['status'] = status;
    item.append(
      h('span', 'dag-legend-swatch', STATUS_GLYPH[status]),
      h('span', 'dag-legend-label', `${statusLabel(strings, status)} ${formatInteger(count)}`),
    );
    legend.appendChild(item);
  }
}
