import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DASHBOARD_PANEL_ROOT, renderDashboardPanelHtml } from '../../src/extension/dashboardPanel/dashboardPanelHtml';
import { createNonce } from '../../src/extension/webviewHost/webviewHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const params = (nonce: string) => ({
  cspSource: CSP_SOURCE,
  nonce,
  scriptUri: `${CSP_SOURCE}/ext/dist/webview/dashboard.js`,
  styleUri: `${CSP_SOURCE}/ext/media/dashboard.css`,
  title: 'Helios Dashboard <&>',
});

function csp(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return m[1] as string;
}

describe('renderDashboardPanelHtml', () => {
  it('has a strict CSP: nothing by default, the one script by nonce, no network', () => {
    const nonce = createNonce();
    const html = renderDashboardPanelHtml(params(nonce));
    const policy = csp(html);
    assert.ok(policy.startsWith("default-src 'none';"));
    assert.ok(policy.includes(`script-src 'nonce-${nonce}';`));
    assert.ok(policy.includes(`style-src ${CSP_SOURCE};`));
    assert.ok(!/unsafe-(inline|eval)/.test(html));
    assert.ok(!/connect-src|frame-src|https?:\/\/(?!file\+\.vscode-resource)/.test(policy), 'no network origins');
  });

  it('loads exactly dashboard.js with the nonce and dashboard.css, nothing inline', () => {
    const nonce = createNonce();
    const html = renderDashboardPanelHtml(params(nonce));
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${CSP_SOURCE}/ext/dist/webview/dashboard.js">`]);
    assert.ok(/<script[^>]*><\/script>/.test(html));
    assert.ok(!/\sstyle=/.test(html) && !html.includes('<style'));
    assert.ok(html.includes(`<link rel="stylesheet" href="${CSP_SOURCE}/ext/media/dashboard.css">`));
  });

  it('starts with the loading root the page and the end-to-end tests rely on, and no KPI placeholders', () => {
    const html = renderDashboardPanelHtml({ ...params(createNonce()), lang: 'ko' });
    assert.ok(html.includes('<div id="dashboard-root" data-status="loading"></div>'));
    assert.equal(DASHBOARD_PANEL_ROOT.id, 'dashboard-root');
    assert.ok(!html.includes('data-kpi'));
    assert.ok(html.includes('<html lang="ko">'));
    assert.ok(html.includes('<title>Helios Dashboard &#60;&#38;&#62;</title>'));
  });
});
