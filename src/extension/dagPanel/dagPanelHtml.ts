/** The DAG panel's page. Pure (no `vscode`), so the CSP can be tested with plain node. */
import { renderWebviewPage, webviewCsp } from '../webviewHost/webviewHtml';

export { createNonce } from '../webviewHost/webviewHtml';

export interface DagPanelHtmlParams {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of dist/webview/dag.js, as a string. */
  readonly scriptUri: string;
  /** `webview.asWebviewUri(...)` of media/dag.css, as a string. */
  readonly styleUri: string;
  readonly title: string;
  /** BCP 47 language of the UI (`vscode.env.language`). */
  readonly lang?: string;
}

/** The element the end-to-end tests wait on: `data-status` turns `ready` once a plan is drawn. */
export const DAG_PANEL_ROOT = { id: 'dag-root', data: { 'node-count': '0', status: 'empty' } } as const;

export const dagPanelCsp = webviewCsp;

export function renderDagPanelHtml(p: DagPanelHtmlParams): string {
  return renderWebviewPage({ ...p, root: DAG_PANEL_ROOT });
}
