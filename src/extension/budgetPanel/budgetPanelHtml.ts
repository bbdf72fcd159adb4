/** The budget panel's page. Pure (no `vscode`), so the CSP can be tested with plain node. */
import { renderWebviewPage } from '../webviewHost/webviewHtml';

export interface BudgetPanelHtmlParams {
  readonly cspSource: string;
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of dist/webview/budget.js, as a string. */
  readonly scriptUri: string;
  /** `webview.asWebviewUri(...)` of media/budget.css, as a string. */
  readonly styleUri: string;
  readonly title: string;
  readonly lang?: string;
}

/**
 * The element the end-to-end tests wait on. `data-status` turns `ready` (or `unavailable`) with
 * the first snapshot; `data-state`, `data-plan`, `data-used` and `data-cap` appear only then, so a
 * test waiting for `[data-state]` never sees a placeholder.
 */
export const BUDGET_PANEL_ROOT = { id: 'budget-root', data: { status: 'loading' } } as const;

export function renderBudgetPanelHtml(p: BudgetPanelHtmlParams): string {
  return renderWebviewPage({ ...p, root: BUDGET_PANEL_ROOT });
}
