/**
 * The page every Helios webview loads: one stylesheet, one nonce'd script, one root element, and
 * a CSP that allows nothing else. Pure (no `vscode`), so the policy is tested with plain node.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewPageParams {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of the bundled script, as a string. */
  readonly scriptUri: string;
  /** `webview.asWebviewUri(...)` of the stylesheet, as a string. */
  readonly styleUri: string;
  readonly title: string;
  /** BCP 47 language of the UI (`vscode.env.language`). */
  readonly lang?: string;
  /** The element the script renders into; `data` keys are written as given (`node-count` → `data-node-count`). */
  readonly root: { readonly id: string; readonly data: Readonly<Record<string, string>> };
}

/** A fresh nonce per page load: 128 random bits, never Math.random(). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Every attribute below is double-quoted, so quotes other than `"` need no escaping. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webviewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ').concat(';');
}

function pageLang(lang: string | undefined): string {
  return lang !== undefined && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? lang : 'en';
}

export function renderWebviewPage(p: WebviewPageParams): string {
  const data = Object.entries(p.root.data)
    .filter(([key]) => /^[a-z][a-z0-9-]*$/.test(key))
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="${pageLang(p.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(webviewCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<div id="${escapeHtml(p.root.id)}"${data}></div>
<script nonce="${escapeHtml(p.nonce)}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>
`;
}
