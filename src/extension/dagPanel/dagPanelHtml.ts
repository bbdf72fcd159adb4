/** The DAG panel's page. Pure (no `vscode`), so the CSP can be tested with plain node. */
import { randomBytes } from 'node:crypto';

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

/** A fresh nonce per page load: 128 random bits, never Math.random(). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Every attribute below is double-quoted, so quotes other than `"` need no escaping. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function dagPanelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ').concat(';');
}

export function renderDagPanelHtml(p: DagPanelHtmlParams): string {
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(p.lang ?? '') ? (p.lang as string) : 'en';
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(dagPanelCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<div id="dag-root" data-node-count="0" data-status="empty"></div>
<script nonce="${escapeHtml(p.nonce)}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>
`;
}
