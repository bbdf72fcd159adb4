/**
 * The task-DAG panel. The host owns the data and re-sends a full snapshot whenever the panel
 * (re)connects; the page keeps only view state (zoom, pan, selection) in `vscode.setState`.
 */
import type { DagPanelStrings, DagPanelViewState, DagSnapshot } from '../../shared/protocol/dagPanel';
import type { DagLayout } from './layout';
import { layoutDag, structureKey } from './layout';
import type { GraphView } from './render';
import { markSelection, renderGraph } from './render';
import { renderDetails, renderHeader, renderLegend } from './details';
import { PanZoom } from './panZoom';
import { pageLocale, setPageLocale } from '../common/pageLocale';
import { localePercent } from '../../shared/numberFormat';
import type { ViewTransform } from './viewTransform';
import { isBoxVisible, parseViewState } from './viewTransform';
import type { DagVsCodeApi } from './vscodeApi';
import { getVsCodeApi, isHostMessage } from './vscodeApi';

const ZOOM_STEP = 1.25;
const PAN_STEP_PX = 60;
/** Below this zoom the secondary node lines are unreadable; hiding them keeps big graphs calm. */
const FAR_ZOOM = 0.45;
const SAVE_DELAY_MS = 150;

function div(cls: string, id?: string): HTMLDivElement {
  const d = document.createElement('div');
  d.className = cls;
  if (id) d.id = id;
  return d;
}

class DagApp {
  private readonly root: HTMLElement;
  private readonly header = document.createElement('header');
  private readonly headerText = div('dag-header-text');
  private readonly fitButton = document.createElement('button');
  private readonly zoomLabel = document.createElement('span');
  private readonly toolbar = div('dag-toolbar');
  private readonly legend = div('dag-legend', 'dag-legend');
  private readonly body = div('dag-body');
  private readonly canvas = div('dag-canvas', 'dag-canvas');
  private readonly details = document.createElement('aside');
  private readonly empty = document.createElement('p');
  private readonly panZoom: PanZoom;

  private snapshot: DagSnapshot | null = null;
  private strings: DagPanelStrings | undefined;
  private layout: DagLayout | undefined;
  private layoutKey: string | undefined;
  private view: GraphView | undefined;
  private selectedId: string | undefined;
  /** View state from before a reload, applied to the first snapshot only. */
  private restored: DagPanelViewState | undefined;
  private pendingFit = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly vscode: DagVsCodeApi) {
    this.root = document.getElementById('dag-root') ?? document.body.appendChild(div('', 'dag-root'));
    setPageLocale(document.documentElement.lang);
    this.restored = parseViewState(vscode.getState());
    this.buildSkeleton();
    this.panZoom = new PanZoom(this.canvas, {
      onChange: (t) => this.onTransform(t),
      onTap: (target) => this.onTap(target),
    });
    this.fitButton.addEventListener('click', () => this.fit());
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focusin', (e) => this.revealFocused(e.target));
    new ResizeObserver(() => {
      if (this.pendingFit) this.fit();
    }).observe(this.canvas);
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (isHostMessage(e.data)) this.onSnapshot(e.data.snapshot, e.data.strings);
    });
  }

  private buildSkeleton(): void {
    this.header.id = 'dag-header';
    this.header.className = 'dag-header';
    this.fitButton.type = 'button';
    this.fitButton.className = 'dag-button';
    this.fitButton.disabled = true;
    this.zoomLabel.className = 'dag-zoom';
    this.toolbar.append(this.zoomLabel, this.fitButton);
    this.toolbar.hidden = true;
    this.header.append(this.headerText, this.toolbar);
    this.details.id = 'dag-details';
    this.details.className = 'dag-details';
    this.details.hidden = true;
    this.details.setAttribute('aria-live', 'polite');
    this.empty.className = 'dag-empty';
    this.empty.hidden = true;
    this.body.append(this.canvas, this.details);
    this.root.replaceChildren(this.header, this.legend, this.body, this.empty);
    this.root.dataset['status'] = 'empty';
    this.root.dataset['nodeCount'] = '0';
  }

  private onSnapshot(snapshot: DagSnapshot | null, strings: DagPanelStrings): void {
    this.strings = strings;
    this.fitButton.textContent = strings.fitToView;
    renderHeader(this.header, snapshot, strings);
    renderLegend(this.legend, snapshot, strings);
    if (!snapshot) {
      this.showEmpty(strings);
      return;
    }
    const planChanged = this.snapshot?.planId !== snapshot.planId;
    this.snapshot = snapshot;
    const key = structureKey(snapshot.planId, snapshot.nodes);
    if (key !== this.layoutKey || !this.layout) {
      const { width, height } = this.panZoom.size();
      // Keep the direction while the same plan grows, so the picture does not flip under the user.
      const rankDir = planChanged ? undefined : this.layout?.rankDir;
      this.layout = layoutDag(snapshot.nodes, {
        ...(rankDir ? { rankDir } : {}),
        ...(width > 0 && height > 0 ? { targetAspect: width / height } : {}),
      });
      this.layoutKey = key;
    }
    const focusedId = this.focusedNodeId();
    this.view = renderGraph(snapshot, this.layout, strings);
    this.canvas.replaceChildren(this.view.svg);
    this.panZoom.attach(this.view.viewport);

    this.empty.hidden = true;
    this.body.hidden = false;
    this.legend.hidden = false;
    this.toolbar.hidden = false;
    this.fitButton.disabled = snapshot.nodes.length === 0;
    this.root.dataset['status'] = 'ready';
    this.root.dataset['nodeCount'] = String(this.view.nodeEls.size);

    const known = (id: string | undefined): string | undefined =>
      id !== undefined && this.view?.nodeEls.has(id) ? id : undefined;
    if (this.restored) {
      const { selectedId, ...transform } = this.restored;
      this.restored = undefined;
      this.selectedId = known(selectedId);
      this.panZoom.set(transform);
    } else if (planChanged) {
      this.selectedId = undefined;
      this.fit();
    } else {
      this.selectedId = known(this.selectedId);
    }
    this.showSelection();
    if (focusedId) this.view.nodeEls.get(focusedId)?.focus({ preventScroll: true });
  }

  private showEmpty(strings: DagPanelStrings): void {
    this.snapshot = null;
    this.view = undefined;
    this.layout = undefined;
    this.layoutKey = undefined;
    this.selectedId = undefined;
    this.canvas.replaceChildren();
    this.details.hidden = true;
    this.body.hidden = true;
    this.legend.hidden = true;
    this.toolbar.hidden = true;
    this.fitButton.disabled = true;
    this.empty.textContent = strings.empty;
    this.empty.hidden = false;
    this.root.dataset['status'] = 'empty';
    this.root.dataset['nodeCount'] = '0';
  }

  private fit(): void {
    if (!this.layout) return;
    const { width, height } = this.panZoom.size();
    this.pendingFit = width === 0 || height === 0;
    if (!this.pendingFit) this.panZoom.fit(this.layout);
  }

  private select(id: string | undefined, reveal = false): void {
    this.selectedId = id;
    this.showSelection();
    if (reveal && id) {
      const box = this.layout?.nodes.find((n) => n.id === id);
      if (box && !isBoxVisible(this.panZoom.transform, box, this.panZoom.size())) {
        this.panZoom.centerOn({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
      }
      this.view?.nodeEls.get(id)?.focus({ preventScroll: true });
    }
    this.scheduleSave();
  }

  private showSelection(): void {
    if (!this.view || !this.strings) return;
    markSelection(this.view, this.selectedId);
    const node = this.snapshot?.nodes.find((n) => n.id === this.selectedId);
    renderDetails(this.details, node, this.strings, {
      openFile: (path) => this.vscode.postMessage({ type: 'openFile', path }),
      select: (id) => this.select(id, true),
    });
  }

  private onTap(target: EventTarget | null): void {
    const node = target instanceof Element ? target.closest<SVGGElement>('.dag-node') : null;
    this.select(node?.dataset['taskId']);
  }

  private onTransform(t: ViewTransform): void {
    this.zoomLabel.textContent = localePercent(t.zoom, pageLocale());
    this.root.classList.toggle('is-far', t.zoom < FAR_ZOOM);
    this.scheduleSave();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || !this.view) return;
    const inDetails = e.target instanceof Node && this.details.contains(e.target);
    const nodeId = this.focusedNodeId();
    const handled = ((): boolean => {
      switch (e.key) {
        case '+':
        case '=':
          this.panZoom.zoomBy(ZOOM_STEP);
          return true;
        case '-':
        case '_':
          this.panZoom.zoomBy(1 / ZOOM_STEP);
          return true;
        case '0':
          this.fit();
          return true;
        case 'Escape':
          this.select(undefined);
          return true;
        case 'Enter':
        case ' ':
          if (!nodeId) return false;
          this.select(nodeId);
          return true;
        case 'ArrowLeft':
        case 'ArrowRight':
        case 'ArrowUp':
        case 'ArrowDown': {
          if (inDetails) return false;
          const dx = e.key === 'ArrowLeft' ? PAN_STEP_PX : e.key === 'ArrowRight' ? -PAN_STEP_PX : 0;
          const dy = e.key === 'ArrowUp' ? PAN_STEP_PX : e.key === 'ArrowDown' ? -PAN_STEP_PX : 0;
          this.panZoom.panBy(dx, dy);
          return true;
        }
        default:
          return false;
      }
    })();
    if (handled) e.preventDefault();
  }

  private focusedNodeId(): string | undefined {
    const active = document.activeElement;
    return active instanceof SVGGElement && active.classList.contains('dag-node') ? active.dataset['taskId'] : undefined;
  }

  /** Tabbing to a node that is off screen brings it into view. */
  private revealFocused(target: EventTarget | null): void {
    if (!(target instanceof SVGGElement) || !target.classList.contains('dag-node')) return;
    // A click focuses the node too; only keyboard focus should move the view.
    if (!target.matches(':focus-visible')) return;
    const box = this.layout?.nodes.find((n) => n.id === target.dataset['taskId']);
    if (box && !isBoxVisible(this.panZoom.transform, box, this.panZoom.size())) {
      this.panZoom.centerOn({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      const { zoom, panX, panY } = this.panZoom.transform;
      const state: DagPanelViewState =
        this.selectedId !== undefined ? { zoom, panX, panY, selectedId: this.selectedId } : { zoom, panX, panY };
      this.vscode.setState(state);
    }, SAVE_DELAY_MS);
  }
}

const vscode = getVsCodeApi();
new DagApp(vscode);
vscode.postMessage({ type: 'ready' });
