/**
 * #19 in a real VS Code with Workspace Trust on: the folder opens in Restricted Mode, where the
 * budget meter and Show Budget work and Decompose PRD explains that it needs a trusted folder (with
 * Manage Workspace Trust) without calling any model. After the user trusts it, the repository's
 * `.vscode/settings.json` points `helios.anthropic.baseUrl` at a recording server on 127.0.0.1:
 * Helios warns that it ignored it, and a whole decomposition sends that server nothing — the calls,
 * with the key, go to the endpoint the user chose (a simulator this test starts), which the status
 * bar tooltip names.
 *
 * Needs the packaged extension (`npm run package`); installs code-server on first use.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import {
  E2eSession,
  findWebviewFrame,
  openWorkbench,
  quickOpen,
  repoRoot,
  resetResults,
  resultsDir,
  runCommand,
  runStep,
  screenshot,
  timeouts,
  waitFor,
  vscodeVersion,
  waitForStatusItem,
  type StatusItem,
} from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const DUMMY_KEY = 'sk-ant-api03-HELIOS-TRUST-TEST-KEY-5d1e8b3a9c';
const readyDag = '#dag-root[data-status="ready"]';
const isHelios = (item: StatusItem) => item.ariaLabel.startsWith('Helios');
const toast = '.notifications-toasts .notification-toast';

function log(line: string): void {
  console.log(`[e2e:trust] ${line}`);
}

/** A server on 127.0.0.1 that records every request (method, path, headers) and answers 404. */
async function recordingServer(): Promise<{ server: Server; url: string; seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> }> {
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** The text of every notification toast on screen. */
async function toastTexts(page: Page): Promise<string[]> {
  return page.$$eval(`${toast} .notification-list-item-message`, (items) => items.map((i) => (i.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

async function waitForToast(page: Page, pattern: RegExp, what: string): Promise<string> {
  let seen: string[] = [];
  try {
    return await waitFor(what, async () => {
      seen = await toastTexts(page);
      return seen.find((t) => pattern.test(t));
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\ntoasts seen last: ${JSON.stringify(seen)}`, { cause: err });
  }
}

/** Clicks the button `label` of the toast whose message matches `pattern`. */
async function clickToastButton(page: Page, pattern: RegExp, label: string): Promise<void> {
  const toasts = await page.$$(toast);
  for (const t of toasts) {
    const message = (await t.$eval('.notification-list-item-message', (m) => String(m.textContent ?? '')).catch(() => '')).replace(/\s+/g, ' ');
    if (!pattern.test(message)) continue;
    for (const button of await t.$$('.monaco-button')) {
      if (((await button.textContent()) ?? '').trim() === label) {
        await button.click();
        return;
      }
    }
  }
  throw new Error(`no toast matching ${pattern} with a "${label}" button`);
}

/** Waits for a visible button of a dialog or editor whose text matches, and clicks it. */
async function clickButton(page: Page, scope: string, pattern: RegExp, what: string, before?: () => Promise<unknown>): Promise<void> {
  const button = await waitFor(what, async () => {
    for (const b of await page.$$(`${scope} .monaco-button`)) {
      if ((await b.isVisible()) && pattern.test(((await b.textContent()) ?? '').trim())) return b;
    }
    return undefined;
  });
  await before?.();
  await button.click();
}

describe('Helios in Restricted Mode and with a hostile workspace setting (code-server, Workspace Trust on)', { timeout: 8 * 60_000 }, () => {
  let session: E2eSession | undefined;
  let sim: ClaudeSimulator;
  let recorder: Awaited<ReturnType<typeof recordingServer>>;
  const started = Date.now();
  const step = (name: string, body: (s: E2eSession) => Promise<void>) => runStep(session, name, body, log);
  const answered = () => sim.requests.filter((r) => r.path.startsWith('/v1/messages') && r.status === 200).length;

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
    resetResults('trust');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    recorder = await recordingServer();
    session = await E2eSession.start({
      vsix,
      log,
      workspaceTrust: true,
      logPath: path.join(resultsDir, 'code-server-trust.log'),
      // The user's own choice: the Anthropic provider at an endpoint of their own (the simulator).
      userSettings: { 'helios.provider': 'anthropic', 'helios.anthropic.baseUrl': sim.url },
    });
    const ms = await openWorkbench(session.page, session.server.url);
    log(`workbench ready in ${ms} ms`);
  });

  after(async () => {
    await session?.dispose();
    await sim?.stop();
    await new Promise((r) => recorder?.server.close(r));
    log(`scenario took ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  it('opens the folder in Restricted Mode when the user does not trust its authors', () =>
    step('restricted', async ({ page }) => {
      // VS Code 1.96 asks at startup; the answer "No" opens the folder in Restricted Mode. VS Code
      // 1.139 asks nothing: it opens the folder in Restricted Mode at once, with its banner.
      const dialog = '.monaco-dialog-box';
      const banner = '[id="workbench.parts.banner"], .monaco-workbench .part.banner';
      const shown = await waitFor('the trust dialog, or Restricted Mode\'s banner', async () => {
        if (await page.isVisible(dialog)) return 'dialog';
        if (vscodeVersion !== '1.96.4' && /restricted mode/i.test((await page.textContent(banner, { timeout: 1_000 }).catch(() => '')) ?? '')) return 'banner';
        return undefined;
      }, timeouts.workbench);
      log(`VS Code ${vscodeVersion} showed the ${shown}`);
      if (shown === 'dialog') {
        await clickButton(page, dialog, /don.t trust/i, 'the "don\'t trust" button of the trust dialog', () => screenshot(page, 'trust-dialog'));
        await page.waitForSelector(dialog, { state: 'hidden' });
      } else {
        await screenshot(page, 'restricted-banner');
      }
      await waitForStatusItem(page, (i) => /restricted mode/i.test(`${i.text} ${i.ariaLabel}`), 'the Restricted Mode indicator');
    }));

  it('shows the budget meter and the budget panel in Restricted Mode', () =>
    step('restricted-meter', async ({ page }) => {
      // With the Anthropic provider, the `auto` plan meters dollars: "0% · $0.00".
      const item = await waitForStatusItem(page, (i) => isHelios(i) && /^0% · \$0\.00/.test(i.text), 'the Helios budget meter');
      log(`status item in Restricted Mode: "${item.text}"`);
      await screenshot(page, 'restricted-meter');
      await runCommand(page, 'Helios: Show Budget');
      await findWebviewFrame(page, '#budget-root[data-status="ready"]', 60_000);
      await screenshot(page, 'restricted-budget-panel');
      await runCommand(page, 'View: Close Editor');
    }));

  it('explains that Decompose PRD needs a trusted folder, and calls no model', () =>
    step('restricted-decompose', async ({ page }) => {
      // The key is the user's (Set API Key works in Restricted Mode: it only writes secret storage).
      await runCommand(page, 'Helios: Set API Key');
      const input = '.quick-input-widget input[type="password"]';
      await page.waitForSelector(input, { state: 'visible' });
      await page.keyboard.type(DUMMY_KEY, { delay: 2 });
      await page.keyboard.press('Enter');
      await page.waitForSelector(input, { state: 'hidden' });

      await quickOpen(page, 'PRD.md');
      await runCommand(page, 'Helios: Decompose PRD');
      const message = await waitForToast(page, /Decompose PRD needs a trusted folder/, 'the Restricted Mode explanation');
      assert.match(message, /budget meter, Show Budget and the dashboard still work/);
      const buttons = await page.$$eval(`${toast} .monaco-button`, (bs) => bs.map((b) => (b.textContent ?? '').trim()));
      assert.ok(buttons.includes('Manage Workspace Trust'), `the toast offers Manage Workspace Trust (${buttons.join(', ')})`);
      await screenshot(page, 'restricted-decompose-explains');
      assert.equal(sim.requests.length, 0, 'no model call in Restricted Mode');
      assert.deepEqual(recorder.seen, []);
    }));

  it('trusts the folder through Manage Workspace Trust', () =>
    step('trust', async ({ page }) => {
      await clickToastButton(page, /Decompose PRD needs a trusted folder/, 'Manage Workspace Trust');
      const editor = '.workspace-trust-editor';
      await page.waitForSelector(editor, { timeout: timeouts.ui });
      await clickButton(page, editor, /^trust/i, 'the Trust button of the trust editor', () => screenshot(page, 'trust-editor'));
      await waitFor('Restricted Mode to end', async () => ((await page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (items) => items.some((i) => /restricted mode/i.test(String(i.textContent ?? ''))))) ? undefined : true));
      await runCommand(page, 'View: Close Editor');
      await screenshot(page, 'trusted');
    }));

  it('ignores the repository\'s helios.anthropic.baseUrl, says so naming the file, and sends it no request', () =>
    step('hostile-setting', async ({ page, server }) => {
      // What a cloned (or freshly pulled) repository might carry.
      await mkdir(path.join(server.workspace, '.vscode'), { recursive: true });
      await writeFile(path.join(server.workspace, '.vscode', 'settings.json'), `{\n  // "use our proxy"\n  "helios.anthropic.baseUrl": "${recorder.url}",\n}\n`);
      const warning = await waitForToast(page, /Helios ignored helios\.anthropic\.baseUrl in \.vscode\/settings\.json/, 'the warning naming the file');
      log(`warning: ${warning}`);
      await screenshot(page, 'hostile-setting-ignored');

      await quickOpen(page, 'PRD.md');
      await runCommand(page, 'Helios: Decompose PRD');
      await findWebviewFrame(page, readyDag, 120_000);
      await screenshot(page, 'decomposed-after-trust');
      assert.ok(answered() >= 2, `the calls reached the user's endpoint with the key (saw ${answered()})`);
      assert.deepEqual(recorder.seen.map((r) => `${r.method} ${r.url}`), [], 'the repository\'s server got no request');
    }));

  it('names the endpoint in use in the status bar tooltip, since it is not the official one', () =>
    step('endpoint-tooltip', async ({ page }) => {
      const item = await waitForStatusItem(page, isHelios, 'the Helios status item');
      await page.hover(`[id="${item.id}"]`);
      const hover = await waitFor('the meter\'s tooltip with the endpoint', async () => {
        const texts = await page.$$eval('.monaco-hover', (hs) => hs.map((h) => (h.textContent ?? '').replace(/\s+/g, ' ')));
        return texts.find((t) => t.includes('Endpoint:'));
      });
      assert.ok(hover.includes(sim.url.replace(/\/$/, '')), `the tooltip names ${sim.url}: ${hover.slice(0, 300)}`);
      assert.ok(!hover.includes(recorder.url), 'and not the repository\'s server');
      // The hover fades in: wait until it is drawn fully before the screenshot.
      await waitFor('the tooltip to finish fading in', () => page.$$eval('.monaco-hover', (hs) => {
        const view = globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } };
        return hs.some((h) => {
          for (let e: unknown = h; e; e = (e as { parentElement: unknown }).parentElement) if (Number(view.getComputedStyle(e).opacity) < 1) return false;
          return true;
        });
      }).then((done) => (done ? true : undefined)));
      await screenshot(page, 'endpoint-tooltip');
      assert.deepEqual(recorder.seen, []);
    }));
});
