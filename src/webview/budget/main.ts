/**
 * The budget panel. The host owns the data and re-sends a full snapshot on every change and
 * whenever the panel (re)connects; the page keeps only which sections are collapsed.
 */
import type { BudgetSnapshot } from '../../shared/budget';
import type { BudgetPanelCommand, BudgetPanelSection, BudgetPanelStrings } from '../../shared/protocol/budgetPanel';
import { BUDGET_PANEL_SECTIONS } from '../../shared/protocol/budgetPanel';
import { h } from '../common/dom';
import { pageLocale, setPageLocale } from '../common/pageLocale';
import type { ClockOptions } from './format';
import { renderGauge } from './gauge';
import { renderHistory } from './historyChart';
import { renderFamilies, renderProjects, renderSources, renderWindows } from './tables';
import { type BudgetView, buildBudgetView } from './viewModel';
import { type BudgetVsCodeApi, getVsCodeApi, isHostMessage, parseViewState } from './vscodeApi';

/** The countdown moves between snapshots; a minute's resolution needs no faster tick. */
const TICK_MS = 15_000;

const STATE_GLYPH = { ok: '✓', throttled: '◐', paused: '■' } as const;

function sectionTitle(strings: BudgetPanelStrings, section: BudgetPanelSection): string {
  switch (section) {
    case 'sources': return strings.sectionSources;
    case 'families': return strings.sectionFamilies;
    case 'history': return strings.sectionHistory;
    case 'projects': return strings.sectionProjects;
    case 'windows': return strings.sectionWindows;
  }
}

class BudgetApp {
  private readonly root: HTMLElement;
  private readonly collapsed: Set<BudgetPanelSection>;
  private readonly clock: ClockOptions;
  private snapshot: BudgetSnapshot | null = null;
  private strings: BudgetPanelStrings | undefined;
  private view: BudgetView | undefined;
  private receivedAt = 0;
  private historyHost: HTMLElement | undefined;
  private historyWidth = 0;
  private countdown: HTMLElement | undefined;
  private announcedState: BudgetView['state'] | undefined;
  /** Outside the root, so rebuilding the page does not recreate it. */
  private readonly live = h('div', 'budget-visually-hidden');

  constructor(private readonly vscode: BudgetVsCodeApi) {
    this.root = document.getElementById('budget-root') ?? document.body.appendChild(h('div', ''));
    this.root.id = 'budget-root';
    this.root.setAttribute('aria-busy', 'true');
    this.live.setAttribute('role', 'status');
    this.root.after(this.live);
    this.collapsed = new Set(parseViewState(vscode.getState()).collapsed);
    setPageLocale(document.documentElement.lang);
    this.clock = { locale: pageLocale() };
    window.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (isHostMessage(e.data)) this.onSnapshot(e.data.snapshot, e.data.strings);
    });
    setInterval(() => this.tick(), TICK_MS);
  }

  private onSnapshot(snapshot: BudgetSnapshot | null, strings: BudgetPanelStrings): void {
    this.strings = strings;
    this.snapshot = snapshot;
    this.receivedAt = Date.now();
    this.root.removeAttribute('aria-busy');
    if (!snapshot) {
      this.view = undefined;
      this.root.replaceChildren(h('p', 'budget-message', strings.unavailable));
      this.root.dataset['status'] = 'unavailable';
      // No numbers are shown, so none are claimed: tests and tools read these attributes.
      for (const key of ['state', 'plan', 'used', 'cap']) delete this.root.dataset[key];
      this.countdown = undefined;
      this.historyHost = undefined;
      return;
    }
    const view = buildBudgetView(snapshot, strings, this.clock);
    this.view = view;
    this.root.dataset['status'] = 'ready';
    this.root.dataset['state'] = snapshot.state;
    this.root.dataset['plan'] = snapshot.plan;
    this.root.dataset['used'] = String(snapshot.used);
    this.root.dataset['cap'] = String(snapshot.cap);
    // The page is rebuilt on every snapshot; keep keyboard focus on the same control.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset['focusKey'] : undefined;
    this.root.replaceChildren(this.header(view, strings), this.overview(view, strings), ...this.sections(view, strings));
    this.drawHistory();
    if (focused) {
      const key = focused === 'pause' || focused === 'resume' ? view.toggleCommand : focused;
      this.root.querySelector<HTMLElement>(`[data-focus-key="${key}"]`)?.focus();
    }
    this.announce(view);
  }

  /** Says a state change once; the badge itself is rebuilt with the page, so it cannot be live. */
  private announce(view: BudgetView): void {
    if (view.state === this.announcedState) return;
    const first = this.announcedState === undefined;
    this.announcedState = view.state;
    if (!first) this.live.textContent = `${view.stateLabel}. ${view.stateDetail}`;
  }

  private header(view: BudgetView, strings: BudgetPanelStrings): HTMLElement {
    const header = h('header', 'budget-header');
    const badge = h('span', 'budget-badge');
    badge.dataset['state'] = view.state;
    badge.append(h('span', 'budget-badge-glyph', STATE_GLYPH[view.state]), h('span', 'budget-badge-label', view.stateLabel));
    const title = h('div', 'budget-heading');
    title.append(h('h1', 'budget-title', strings.title), badge);
    const meta = h('p', 'budget-meta', view.headerParts.join(' · '));
    const detail = h('p', 'budget-state-detail', view.stateDetail);
    const actions = h('div', 'budget-actions');
    actions.setAttribute('role', 'toolbar');
    actions.append(
      this.button(view.toggleCommand, strings.commands[view.toggleCommand], true),
      this.button('openSettings', strings.commands.openSettings, false),
      this.button('showLog', strings.commands.showLog, false),
    );
    const top = h('div', 'budget-header-top');
    top.append(title, actions);
    header.append(top, meta, detail);
    return header;
  }

  private button(command: BudgetPanelCommand, label: string, primary: boolean): HTMLButtonElement {
    const b = h('button', primary ? 'budget-button' : 'budget-button is-secondary', label);
    b.type = 'button';
    b.dataset['command'] = command;
    b.dataset['focusKey'] = command;
    b.addEventListener('click', () => this.vscode.postMessage({ type: 'command', command }));
    return b;
  }

  private overview(view: BudgetView, strings: BudgetPanelStrings): HTMLElement {
    const section = h('section', 'budget-overview');
    section.setAttribute('aria-label', strings.sectionTotals);
    const legend = h('dl', 'budget-gauge-legend');
    const entry = (cls: string, term: string, value: string): void => {
      const dt = h('dt', cls);
      dt.append(h('span', 'budget-key', ''), term);
      legend.append(dt, h('dd', '', value));
    };
    entry('is-used', strings.used, view.gauge.usedText);
    entry('is-reserved', strings.reserved, view.gauge.reservedText);
    entry('is-cap', strings.cap, `${view.gauge.capText} (${view.gauge.capSourceText})`);
    entry('is-threshold', strings.threshold, view.gauge.thresholdValueText);

    const facts = h('div', 'budget-facts');
    facts.append(h('p', 'budget-period', view.periodText));
    if (view.resetsInText) {
      this.countdown = h('p', 'budget-countdown', view.resetsInText);
      facts.append(this.countdown);
    } else {
      this.countdown = undefined;
    }
    if (view.resetsAtText) facts.append(h('p', 'budget-reset', view.resetsAtText));
    facts.append(h('p', 'budget-queue', view.queueText), h('p', 'budget-weekly', view.weeklyText));
    if (view.month) {
      const month = h('div', 'budget-month');
      const meter = h('meter', 'budget-month-meter');
      meter.min = 0;
      meter.max = 1;
      meter.low = 0.8;
      meter.high = 0.999;
      meter.optimum = 0;
      meter.value = Math.min(1, Math.max(0, view.month.fraction));
      meter.setAttribute('aria-label', view.month.text);
      month.append(h('p', '', view.month.text), meter);
      facts.append(month);
    }
    section.append(renderGauge(view), legend, facts);
    return section;
  }

  private sections(view: BudgetView, strings: BudgetPanelStrings): HTMLElement[] {
    return BUDGET_PANEL_SECTIONS.map((key) => {
      const details = h('details', 'budget-section');
      details.dataset['section'] = key;
      details.open = !this.collapsed.has(key);
      const summary = h('summary', 'budget-section-summary');
      summary.dataset['focusKey'] = `section-${key}`;
      summary.appendChild(h('h2', 'budget-section-title', sectionTitle(strings, key)));
      details.appendChild(summary);
      details.append(...this.sectionBody(key, view, strings));
      details.addEventListener('toggle', () => this.onToggle(key, details.open));
      return details;
    });
  }

  private sectionBody(key: BudgetPanelSection, view: BudgetView, strings: BudgetPanelStrings): Node[] {
    switch (key) {
      case 'families':
        return renderFamilies(view, strings);
      case 'history': {
        const host = h('div', 'budget-history-host');
        this.historyHost = host;
        this.historyWidth = 0;
        const outlook = h('p', view.history.capWillBeReached ? 'budget-outlook is-warning' : 'budget-outlook', view.history.outlookText);
        const rate = h('p', 'budget-rate', `${view.history.burnRateText} · ${view.history.projectedText}`);
        const legend = h('p', 'budget-history-legend');
        legend.append(
          this.legendItem('is-used', strings.used),
          this.legendItem('is-projection', strings.projectedLegend),
          this.legendItem('is-cap', strings.cap),
          this.legendItem('is-threshold', view.gauge.throttleText),
        );
        if (view.history.points.length === 0 && !view.history.active) {
          return [h('p', 'budget-empty-note', strings.noHistory), outlook];
        }
        // Drawn by drawHistory() once the host is in the page and has a width, and on every resize.
        return [outlook, rate, host, legend];
      }
      case 'sources':
        return [renderSources(view, strings)];
      case 'projects':
        return [renderProjects(view, strings)];
      case 'windows':
        return [renderWindows(view, strings)];
    }
  }

  private legendItem(cls: string, label: string): HTMLElement {
    const item = h('span', `budget-legend-item ${cls}`);
    const key = h('span', 'budget-key', '');
    key.setAttribute('aria-hidden', 'true');
    item.append(key, label);
    return item;
  }

  /** Redraws the burn chart when its width changed; called on snapshots and resizes. */
  drawHistory(): void {
    const host = this.historyHost;
    if (!host || !this.view || !this.strings || !host.isConnected) return;
    const width = host.clientWidth;
    if (width === 0 || width === this.historyWidth) return;
    this.historyWidth = width;
    host.replaceChildren(renderHistory(this.view, width, { cap: this.strings.cap, now: this.strings.now }, this.clock));
  }

  private onToggle(key: BudgetPanelSection, open: boolean): void {
    if (open) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.vscode.setState({ collapsed: BUDGET_PANEL_SECTIONS.filter((s) => this.collapsed.has(s)) });
    if (open && key === 'history') this.drawHistory();
  }

  /** Moves the countdown on between snapshots, from the snapshot's clock plus the time since. */
  private tick(): void {
    if (!this.snapshot || !this.strings || !this.countdown) return;
    const snapshotNow = Date.parse(this.snapshot.now);
    const now = (Number.isNaN(snapshotNow) ? this.receivedAt : snapshotNow) + (Date.now() - this.receivedAt);
    const view = buildBudgetView(this.snapshot, this.strings, { ...this.clock, now });
    if (view.resetsInText && this.countdown.textContent !== view.resetsInText) this.countdown.textContent = view.resetsInText;
  }
}

const vscode = getVsCodeApi();
const app = new BudgetApp(vscode);
new ResizeObserver(() => app.drawHistory()).observe(document.body);
vscode.postMessage({ type: 'ready' });
