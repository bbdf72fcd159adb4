import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUDGET_PANEL_ROOT, renderBudgetPanelHtml } from '../../src/extension/budgetPanel/budgetPanelHtml';
import { createNonce, renderWebviewPage } from '../../src/extension/webviewHost/webviewHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const params = (nonce: string) => ({
  cspSource: CSP_SOURCE,
  nonce,
  scriptUri: `${CSP_SOURCE}/ext/dist/webview/budget.js`,
  styleUri: `${CSP_SOURCE}/ext/media/budget.css`,
  title: 'Helios Budget <&>',
});

function csp(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return m[1] as string;
}

describe('renderBudgetPanelHtml', () => {
  it('has a strict CSP: nothing by default, the one script by nonce, styles only from the extension', () => {
    const nonce = createNonce();
    const html = renderBudgetPanelHtml(params(nonce));
    const policy = csp(html);
    assert.ok(policy.startsWith("default-src 'none';"));
    assert.ok(policy.includes(`script-src 'nonce-${nonce}';`));
    assert.ok(policy.includes(`style-src ${CSP_SOURCE};`));
    assert.ok(!/unsafe-(inline|eval)/.test(html));
    assert.ok(!/connect-src|frame-src|https?:\/\/(?!file\+\.vscode-resource)/.test(policy), 'no network origins');
  });

  it('loads exactly budget.js with the nonce and budget.css, with no inline script or style', () => {
    const nonce = createNonce();
    const html = renderBudgetPanelHtml(params(nonce));
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${CSP_SOURCE}/ext/dist/webview/budget.js">`]);
    assert.ok(/<script[^>]*><\/script>/.test(html), 'the script tag has no inline body');
    assert.ok(!/\sstyle=/.test(html) && !html.includes('<style'));
    assert.ok(html.includes(`<link rel="stylesheet" href="${CSP_SOURCE}/ext/media/budget.css">`));
  });

  it('has the root the page and the end-to-end tests rely on, with no governor state before data', () => {
    const html = renderBudgetPanelHtml(params(createNonce()));
    assert.ok(html.includes('<div id="budget-root" data-status="loading"></div>'));
    assert.equal(BUDGET_PANEL_ROOT.id, 'budget-root');
    assert.ok(!html.includes('data-state='));
    assert.ok(html.includes('<title>Helios Budget &#60;&#38;&#62;</title>'));
  });

  it('sets the page language, falling back to English for anything odd', () => {
    assert.ok(renderBudgetPanelHtml({ ...params('n'), lang: 'ko' }).includes('<html lang="ko">'));
    assert.ok(renderBudgetPanelHtml({ ...params('n'), lang: 'zh-Hant-TW' }).includes('<html lang="zh-Hant-TW">'));
    assert.ok(renderBudgetPanelHtml({ ...params('n'), lang: 'en" onload="x' }).includes('<html lang="en">'));
  });
});

describe('renderWebviewPage', () => {
  it('escapes root data and drops data keys that are not plain attribute names', () => {
    const html = renderWebviewPage({
      ...params('n'),
      root: { id: 'r', data: { ok: '"><script>', 'bad key': 'x', 'on"x': 'y' } },
    });
    assert.ok(html.includes('<div id="r" data-ok="&#34;&#62;&#60;script&#62;"></div>'));
  });
});
