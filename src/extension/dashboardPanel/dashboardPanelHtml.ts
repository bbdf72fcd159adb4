/** The dashboard panel's page. Pure (no `vscode`), so the CSP can be tested with plain node. */
import { renderWebviewPage, type WebviewPageParams } from '../webviewHost/webviewHtml';

/**
 * The element the end-to-end tests wait on. `data-status` turns `ready` (or `unavailable`) with
 * the first snapshot; the `section.kpi` panels appear only then, never as placeholders.
 */
export const DASHBOARD_PANEL_ROOT = { id: 'dashboard-root', data: { status: 'loading' } } as const;

export function renderDashboardPanelHtml(p: Omit<WebviewPageParams, 'root'>): string {
  return renderWebviewPage({ ...p, root: DASHBOARD_PANEL_ROOT });
}
