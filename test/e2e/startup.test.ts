/**
 * Start-up, measured in a real VS Code: a fresh workbench on the fixture workspace, Helios installed
 * from the packaged .vsix. Prints (and writes to test-results/e2e/startup.json):
 * - Helios's own activation time, from its log line `Helios activated in N ms` (the end of
 *   `activate()`, as the Helios output channel has it);
 * - VS Code's own figure for the same activation, from **Developer: Show Running Extensions**
 *   (what a user sees there; it counts loading extension.js too);
 * - the time from the page's navigation start to the workbench, and to the Helios status item;
 * - the size of the .vsix under test.
 *
 * Asserts behaviour only (Helios activates, its line is logged, the figures are positive numbers):
 * timings on a shared 2-core CI machine are reported, never compared with a threshold.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { codeServerVersion, E2eSession, repoRoot, resetResults, resultsDir, runCommand, runStep, screenshot, timeouts, vscodeVersion, waitFor, waitForStatusItem } from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const isHelios = (item: { ariaLabel: string }) => item.ariaLabel.startsWith('Helios');
/** The line activate() logs last (src/extension/extension.ts). */
const ACTIVATED = /Helios activated in (\d+(?:\.\d+)?) ms/;

function log(line: string): void {
  console.log(`[e2e:startup] ${line}`);
}

interface StartupFigures {
  codeServer: string;
  vscode: string;
  /** Helios's own figure: activate() from its start to its end. */
  activateMs?: number;
  /** VS Code's figure for Helios (Running Extensions), and the event that activated it. */
  vscodeActivationMs?: number;
  vscodeActivationText?: string;
  /** From the page's navigation start. */
  workbenchMs?: number;
  statusBarMs?: number;
  vsixBytes: number;
  vsix: string;
  measuredAt: string;
}

/** Every Helios.log the extension hosts wrote (one per window), newest session last. */
function heliosLogs(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('Helios.log')) found.push(full);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found.sort();
}

/**
 * Milliseconds from the page's navigation start until `predicate` (an expression evaluated in the
 * page, polled by the page itself every 50 ms) first held, on the page's own clock.
 */
async function msUntil(page: Page, predicate: string): Promise<number> {
  const handle = await page.waitForFunction(`(${predicate}) ? Math.round(performance.now()) : false`, undefined, { polling: 50, timeout: timeouts.workbench });
  return Number(await handle.jsonValue());
}

const HELIOS_STATUS_ITEM = `[...document.querySelectorAll('#workbench\\\\.parts\\\\.statusbar .statusbar-item')].some((item) => {
  const label = item.querySelector('.statusbar-item-label') ?? item;
  return (label.getAttribute('aria-label') ?? item.getAttribute('aria-label') ?? '').startsWith('Helios');
})`;

/** The "Activation: 123ms" text of Helios's row in the Running Extensions editor. */
async function runningExtensionsFigure(page: Page): Promise<string> {
  await runCommand(page, 'Developer: Show Running Extensions');
  return waitFor('Helios in Running Extensions with its activation time', async () => {
    const rows = await page.$$eval('.runtime-extensions-editor .monaco-list-row', (elements) =>
      elements.map((row) => ({
        name: String(row.querySelector('.name')?.textContent ?? '').trim(),
        time: String(row.querySelector('.activation-time')?.textContent ?? '').trim(),
      })),
    );
    const row = rows.find((r) => r.name === 'Helios');
    return row && /\d/.test(row.time) ? row.time : undefined;
  });
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`;
}

describe('Helios start-up in a real VS Code', { timeout: 5 * 60_000 }, () => {
  let session: E2eSession | undefined;
  const figures: StartupFigures = { codeServer: codeServerVersion, vscode: vscodeVersion, vsix: path.relative(repoRoot, vsix), vsixBytes: 0, measuredAt: new Date().toISOString() };
  const step = (name: string, body: (s: E2eSession) => Promise<void>) => runStep(session, name, body, log);

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (npm test does it before test:e2e)`);
    figures.vsixBytes = statSync(vsix).size;
    resetResults('startup');
    session = await E2eSession.start({ vsix, log, logPath: path.join(resultsDir, 'code-server-startup.log') });
  });

  after(async () => {
    const line =
      `startup (VS Code ${vscodeVersion}): activate ${figures.activateMs ?? '?'} ms` +
      ` (VS Code: ${figures.vscodeActivationText ?? '?'})` +
      `, workbench ${formatSeconds(figures.workbenchMs)} → status bar ${formatSeconds(figures.statusBarMs)}` +
      `, .vsix ${formatMiB(figures.vsixBytes)} (${figures.vsixBytes.toLocaleString('en-US')} bytes)`;
    console.log(line);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'startup.json'), `${JSON.stringify(figures, null, 2)}\n`);
    await session?.dispose();
  });

  it('opens a fresh workbench and shows the Helios status item', () =>
    step('status-bar', async ({ page, server }) => {
      // Navigation start is the page's time origin: both figures are on the page's own clock.
      await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: timeouts.workbench });
      figures.workbenchMs = await msUntil(page, `document.querySelector('.monaco-workbench #workbench\\\\.parts\\\\.statusbar') !== null`);
      figures.statusBarMs = await msUntil(page, HELIOS_STATUS_ITEM);
      await waitForStatusItem(page, isHelios, 'the Helios status item');
      assert.ok(figures.statusBarMs >= figures.workbenchMs, 'the status item shows in the workbench');
      await screenshot(page, 'status-bar');
    }));

  it('says how long VS Code took to activate it', () =>
    step('running-extensions', async ({ page }) => {
      figures.vscodeActivationText = await runningExtensionsFigure(page);
      const ms = Number(/(\d+(?:\.\d+)?)\s*ms/.exec(figures.vscodeActivationText)?.[1]);
      assert.ok(Number.isFinite(ms) && ms > 0, `a positive time in "${figures.vscodeActivationText}"`);
      figures.vscodeActivationMs = ms;
      await screenshot(page, 'running-extensions');
      await runCommand(page, 'View: Close Editor');
    }));

  it('logs its activation time in the Helios output channel', () =>
    step('activation-line', async ({ server }) => {
      const ms = await waitFor('"Helios activated in N ms" in the Helios log', () => {
        for (const file of heliosLogs(server.userDataDir)) {
          const match = ACTIVATED.exec(readFileSync(file, 'utf8'));
          if (match) return Number(match[1]);
        }
        return undefined;
      });
      assert.ok(Number.isFinite(ms) && ms > 0, `a positive activation time, got ${ms}`);
      figures.activateMs = ms;
    }));
});
