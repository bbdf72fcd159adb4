/**
 * One account, two windows: two workbench pages on two folders in one code-server are two
 * extension hosts (two processes) metering one account directory (HELIOS_ACCOUNT_DIR). Window A
 * decomposes a two-section PRD and runs the plan through the embedded simulator; window B, open on
 * another folder the whole time and spending nothing, shows A's usage in its meter, in the meter's
 * tooltip ("Other windows: …") and in the budget panel's "Who is spending" row for A's window.
 *
 * Needs the packaged extension (`npm run package` writes helios-0.1.0.vsix; HELIOS_VSIX overrides
 * the path) and installs code-server on first use (scripts/setupCodeServer.mjs).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import {
  addFolder,
  E2eSession,
  findWebviewFrame,
  openWorkbench,
  quickOpen,
  repoRoot,
  resetResults,
  runCommand,
  runStep,
  screenshot,
  waitFor,
  waitForStatusItem,
  type StatusItem,
} from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'twoWindows');
const EXPECTED_TASKS = 2; // one per "##" section of test/fixtures/twoWindows/shop-api/PRD.md
const A_LABEL = 'VS Code: shop-api';
const B_LABEL = 'VS Code: docs-site';
const readyDag = '#dag-root[data-status="ready"]';
const readyBudget = '#budget-root[data-status="ready"]';
const isHelios = (item: StatusItem) => item.ariaLabel.startsWith('Helios');
/** Window B's meter re-reads the shared ledger every 30 s while it is idle; give it two rounds. */
const LEDGER_REFRESH_WAIT = 75_000;

function log(line: string): void {
  console.log(`[e2e] ${line}`);
}

interface SourceRowAttrs {
  readonly kind: string;
  readonly label: string;
  readonly units: number;
  readonly inFlight: number;
  readonly text: string;
}

async function sourceRows(frame: Frame): Promise<SourceRowAttrs[]> {
  return frame.$$eval('#budget-sources tbody tr', (rows) => rows.map((r) => ({
    kind: r.getAttribute('data-kind') ?? '',
    label: r.getAttribute('data-label') ?? '',
    units: Number(r.getAttribute('data-units')),
    inFlight: Number(r.getAttribute('data-in-flight')),
    text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
  })));
}

/** The text of the hover shown for the status item, once it has faded in fully. */
async function meterTooltip(page: Page, item: StatusItem, needle: RegExp): Promise<string> {
  await page.hover(`[id="${item.id}"]`);
  const text = await waitFor(`the meter's tooltip to say ${String(needle)}`, async () => {
    const texts: string[] = await page.$$eval('.monaco-hover', (hs) => hs.map((h) => String(h.textContent ?? '').replace(/\s+/g, ' ')));
    return texts.find((t) => needle.test(t));
  });
  await waitFor('the tooltip to finish fading in', () => page.$$eval('.monaco-hover', (hs) => {
    const view = globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } };
    return hs.some((h) => {
      for (let e: unknown = h; e; e = (e as { parentElement: unknown }).parentElement) if (Number(view.getComputedStyle(e).opacity) < 1) return false;
      return true;
    });
  }).then((done) => (done ? true : undefined)));
  return text;
}

describe('two windows on one account directory (code-server)', { timeout: 5 * 60_000 }, () => {
  let session: E2eSession | undefined;
  let pageB: Page | undefined;
  const started = Date.now();

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (npm test does it before test:e2e)`);
    resetResults('twoWindows');
    session = await E2eSession.start({
      vsix, log, git: true, fixture: path.join(fixtures, 'shop-api'), folderName: 'shop-api',
      // The test is about the meter, not about verification (decompose.test.ts covers that).
      userSettings: { 'helios.verify.command': 'none' },
    });
    const second = addFolder(session.server, 'docs-site', path.join(fixtures, 'docs-site'));
    log(`window A: ${session.server.url}\nwindow B: ${second.url}\naccount directory: ${session.server.accountDir}`);
    log(`window A ready in ${await openWorkbench(session.page, session.server.url)} ms`);
    pageB = await session.openPage();
    log(`window B ready in ${await openWorkbench(pageB, second.url)} ms`);
  });

  after(async () => {
    if (!session) return;
    const memory = session.memoryMiB();
    log(`memory at the end: code-server ${memory.codeServer} MiB, chromium ${memory.browser} MiB`);
    await session.dispose();
    log(`scenario took ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  /** A step on one window; a failure leaves a screenshot of both. */
  const step = (name: string, body: (a: Page, b: Page, s: E2eSession) => Promise<void>) =>
    runStep(session, name, async (s) => {
      if (!pageB) throw new Error('window B did not open');
      const b = pageB;
      try {
        await body(s.page, b, s);
      } catch (err) {
        await screenshot(b, `FAILED-${name}-window-b`).catch(() => undefined);
        throw err;
      }
    }, log);

  it('opens both windows, each with its own meter at 0 %', () =>
    step('both-open', async (a, b) => {
      for (const [page, name] of [[a, 'a'], [b, 'b']] as const) {
        await page.bringToFront();
        const item = await waitForStatusItem(page, isHelios, `window ${name.toUpperCase()}'s Helios status item`);
        assert.match(item.text, /^0%/);
        await screenshot(page, `window-${name}-opened`);
      }
    }));

  it('window A decomposes its PRD and runs the plan through the simulator', () =>
    step('a-runs', async (a) => {
      await a.bringToFront();
      await quickOpen(a, 'PRD.md');
      await runCommand(a, 'Helios: Decompose PRD');
      const frame = await findWebviewFrame(a, readyDag, 120_000);
      assert.equal(await frame.getAttribute(readyDag, 'data-node-count'), String(EXPECTED_TASKS));
      await runCommand(a, 'Helios: Run Plan');
      const dag = await findWebviewFrame(a, readyDag, 60_000);
      await waitFor('every task of A\'s plan to finish', async () => {
        const statuses = await dag.$$eval('g.dag-node', (nodes) => nodes.map((n) => n.getAttribute('data-status')));
        return statuses.length === EXPECTED_TASKS && statuses.every((s) => s === 'done') ? true : undefined;
      }, 120_000);
      const item = await waitForStatusItem(a, (i) => isHelios(i) && !/^0%/.test(i.text), 'window A\'s meter to count its run');
      log(`window A's meter after its run: "${item.text}"`);
      await screenshot(a, 'window-a-plan-done');
    }));

  it('window B\'s meter shows the usage of A\'s run, and its tooltip says other windows spent it', () =>
    step('b-meter', async (_a, b) => {
      await b.bringToFront();
      const item = await waitForStatusItem(b, (i) => isHelios(i) && !/^0%/.test(i.text), 'window B\'s meter to show A\'s usage', LEDGER_REFRESH_WAIT);
      log(`window B's meter: "${item.text}"`);
      assert.match(item.text, /^\d+% · \dh\d\dm · Simulator$/);
      const tooltip = await meterTooltip(b, item, /Other windows: /);
      const line = /Other windows: [^.]*?of the window/.exec(tooltip)?.[0];
      log(`window B's tooltip: "${line}"`);
      assert.match(tooltip, /This window: 0% of the window/, 'B spent nothing itself');
      await screenshot(b, 'window-b-meter-tooltip');
      await b.mouse.move(0, 0);
    }));

  it('window B\'s budget panel lists A\'s window under "Who is spending", with all of the usage', () =>
    step('b-panel', async (a, b) => {
      await b.bringToFront();
      await runCommand(b, 'Helios: Show Budget');
      const frame = await findWebviewFrame(b, readyBudget, 60_000);
      const rows = await waitFor(`a "Who is spending" row for ${A_LABEL}`, async () => {
        const seen = await sourceRows(frame);
        return seen.some((r) => r.label === A_LABEL && r.units > 0) ? seen : undefined;
      });
      log(`window B's "Who is spending": ${rows.map((r) => `${r.kind} "${r.label}" ${r.units} units [${r.text}]`).join(' | ')}`);
      const mine = rows.find((r) => r.kind === 'self');
      const theirs = rows.find((r) => r.label === A_LABEL)!;
      assert.deepEqual(mine && [mine.label, mine.units], [B_LABEL, 0], 'B\'s own row comes first and is empty');
      assert.equal(rows[0]?.kind, 'self');
      assert.equal(theirs.kind, 'window', 'A is another VS Code window');
      assert.ok(theirs.text.startsWith(`Another window · ${A_LABEL}`), `the row names A's window: ${theirs.text}`);
      const used = Number(await frame.getAttribute('#budget-root', 'data-used'));
      assert.equal(theirs.units, used, 'everything the account used in the window was A\'s');
      assert.equal(await frame.textContent('[data-section="sources"] .budget-section-title'), 'Who is spending');
      // Show Budget re-read the ledger: B's meter now counts all of A's run, as A's own meter does.
      const cap = Number(await frame.getAttribute('#budget-root', 'data-cap'));
      const expected = Math.round((used / cap) * 100);
      const percentOf = (i: StatusItem) => Number(/^(\d+)%/.exec(i.text)?.[1]);
      const meterA = await waitForStatusItem(a, isHelios, 'window A\'s meter');
      const meterB = await waitForStatusItem(b, (i) => isHelios(i) && percentOf(i) === expected, `window B's meter to show ${expected}%`);
      log(`meters: A "${meterA.text}", B "${meterB.text}"`);
      assert.equal(percentOf(meterA), expected, 'both windows meter the same account');
      await screenshot(b, 'window-b-who-is-spending');
    }));
});
