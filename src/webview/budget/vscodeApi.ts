import type { BudgetPanelToHost, BudgetPanelViewState, HostToBudgetPanel } from '../../shared/protocol/budgetPanel';
import { BUDGET_PANEL_SECTIONS, type BudgetPanelSection } from '../../shared/protocol/budgetPanel';
import { acquireWebviewApi, isSnapshotEnvelope, type WebviewApi } from '../common/vscodeApi';

export type BudgetVsCodeApi = WebviewApi<BudgetPanelToHost, BudgetPanelViewState>;

/** May be called once per page load (VS Code throws on a second call). */
export function getVsCodeApi(): BudgetVsCodeApi {
  return acquireWebviewApi<BudgetPanelToHost, BudgetPanelViewState>();
}

/** The envelope, and the parts of the snapshot the renderer iterates over. */
export function isHostMessage(data: unknown): data is HostToBudgetPanel {
  if (!isSnapshotEnvelope(data)) return false;
  const s = data.snapshot;
  if (s === null) return true;
  if (typeof s !== 'object' || s === undefined) return false;
  const snap = s as Record<string, unknown>;
  return (
    typeof snap['used'] === 'number' &&
    typeof snap['cap'] === 'number' &&
    typeof snap['period'] === 'object' && snap['period'] !== null &&
    typeof snap['byFamily'] === 'object' && snap['byFamily'] !== null &&
    Array.isArray(snap['history']) &&
    Array.isArray(snap['perProject']) &&
    Array.isArray(snap['sources']) &&
    Array.isArray(snap['recentWindows'])
  );
}

/** Saved view state from before a reload; anything unrecognised is dropped. */
export function parseViewState(raw: unknown): BudgetPanelViewState {
  const collapsed = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['collapsed'] : undefined;
  if (!Array.isArray(collapsed)) return { collapsed: [] };
  const known = new Set<string>(BUDGET_PANEL_SECTIONS);
  return { collapsed: collapsed.filter((c): c is BudgetPanelSection => typeof c === 'string' && known.has(c)) };
}
