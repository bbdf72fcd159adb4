import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, renderDagPanelHtml } from '../../src/extension/dagPanel/dagPanelHtml';

const params = (nonce: string) => ({
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dag.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/dag.css',
  title: 'Helios Plan: <PRD> & "more"',
});

function csp(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  return m[1] as string;
}

describe('renderDagPanelHtml', () => {
  it('has a strict CSP: nothing by default, scripts only by nonce, no unsafe-inline', () => {
    const nonce = createNonce();
    const html = renderDagPanelHtml(params(nonce));
    const policy = csp(html);
    assert.ok(policy.includes("default-src 'none'"));
    assert.ok(policy.includes(`script-src 'nonce-${nonce}'`));
    assert.ok(policy.includes('style-src https://file+.vscode-resource.vscode-cdn.net;'));
    assert.ok(policy.includes('img-src https://file+.vscode-resource.vscode-cdn.net data:'));
    assert.ok(policy.includes('font-src https://file+.vscode-resource.vscode-cdn.net'));
    assert.ok(!html.includes('unsafe-inline'));
    assert.ok(!html.includes('unsafe-eval'));
  });

  it('loads the one script with the nonce and no inline script or style', () => {
    const nonce = createNonce();
    const html = renderDagPanelHtml(params(nonce));
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0]?.includes(`nonce="${nonce}"`));
    assert.ok(scripts[0]?.includes('src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dag.js"'));
    assert.ok(/<script[^>]*><\/script>/.test(html), 'the script tag has no inline body');
    assert.ok(!/\sstyle=/.test(html) && !html.includes('<style'));
    assert.ok(html.includes('<link rel="stylesheet" href="https://file+.vscode-resource.vscode-cdn.net/ext/media/dag.css">'));
  });

  it('has the root element the tests and the script rely on, and escapes the title', () => {
    const html = renderDagPanelHtml(params(createNonce()));
    assert.ok(html.includes('<div id="dag-root" data-node-count="0" data-status="empty"></div>'));
    assert.ok(html.includes('<title>Helios Plan: &#60;PRD&#62; &#38; &#34;more&#34;</title>'));
  });

  it('sets the page language, falling back to English for anything odd', () => {
    assert.ok(renderDagPanelHtml({ ...params('n'), lang: 'ko' }).includes('<html lang="ko">'));
    assert.ok(renderDagPanelHtml({ ...params('n'), lang: '"><x' }).includes('<html lang="en">'));
  });

  it('uses a fresh 128-bit nonce each time', () => {
    const a = createNonce();
    const b = createNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.notEqual(renderDagPanelHtml(params(a)), renderDagPanelHtml(params(b)));
  });
});
