/**
 * End-to-end harness: a real VS Code (code-server, installed by scripts/setupCodeServer.mjs) with
 * the packaged Helios .vsix, driven by Debian's chromium through playwright-core. See
 * shared/TESTING.md for why this is not @vscode/test-electron (no network path to VS Code's
 * download servers).
 *
 * Every wait here is a wait on observable state with a deadline; there are no fixed sleeps, so a
 * slow CI machine only makes a run slower, never flaky. Each session gets fresh user-data and
 * extensions folders and a copy of the fixture workspace, so runs never share state.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { chromiumPid, keepHeliosLogs, launchBrowser, openWindow, treeRssMiB } from './processes';
// @ts-expect-error -- a plain .mjs script (shared with scripts/sandbox.mjs) without type declarations
import * as setupScript from '../../scripts/setupCodeServer.mjs';

/** The part of scripts/setupCodeServer.mjs the harness uses, typed. */
const codeServer = setupScript as {
  /** The release picked by HELIOS_E2E_CODE_SERVER (default: the oldest, which engines.vscode names). */
  CODE_SERVER_VERSION: string;
  DEFAULT_CODE_SERVER_VERSION: string;
  VSCODE_VERSION: string;
  /** The Node that runs that release (Node 24 from the npm registry for 4.139). */
  nodePath: string;
  setupCodeServer(options: { log: (line: string) => void }): Promise<{ entry: string }>;
  codeServerEnv(options: { configHome: string; keepApiKey?: boolean }): NodeJS.ProcessEnv;
  codeServerArgs(options: { port: number; userDataDir: string; extensionsDir: string; workspace: string; workspaceTrust?: boolean }): string[];
  installVsix(options: { vsix: string; userDataDir: string; extensionsDir: string; env: NodeJS.ProcessEnv }): void;
};

export const repoRoot = path.resolve(__dirname, '..', '..');
/** The code-server release under test (`HELIOS_E2E_CODE_SERVER`), and the VS Code it carries. */
export const codeServerVersion = codeServer.CODE_SERVER_VERSION;
export const vscodeVersion = codeServer.VSCODE_VERSION;
/** Screenshots and logs: test-results/e2e/ for the default release, test-results/e2e/<version>/ for
 * any other, so the two runs of `npm test` never overwrite each other. */
export const resultsDir =
  codeServerVersion === codeServer.DEFAULT_CODE_SERVER_VERSION
    ? path.join(repoRoot, 'test-results', 'e2e')
    : path.join(repoRoot, 'test-results', 'e2e', codeServerVersion);
export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');

/** Deadlines, generous because CI shares 2 cores between code-server, chromium and the test. */
export const timeouts = {
  serverStart: 120_000,
  workbench: 120_000,
  ui: 60_000,
} as const;

const poll = 250;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or fails with `what` after `timeout`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeout: number = timeouts.ui): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${cause}`);
    }
    await sleep(poll);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  // VS Code 1.10x+ opens settings.json and similar editors in a modal overlay that takes the keyboard
  // (F1 no longer reaches the workbench). Off, as VS Code's own smoke-test driver has it; 1.96
  // ignores the unknown key.
  'workbench.editor.useModal': 'off',
  // The simulator's realistic latency makes a 6-task plan take ~15 s; the e2e suite tests the
  // flow, not the latency model (the integration tests cover that).
  'helios.simulator.speedUp': 20,
};

export interface CodeServer {
  readonly port: number;
  readonly workspace: string;
  /** VS Code's user data (settings, global and workspace storage, logs); removed by stop(). */
  readonly userDataDir: string;
  /** The account directory the extension host meters (HELIOS_ACCOUNT_DIR): the ledger and the board. */
  readonly accountDir: string;
  readonly extensionsDir: string;
  readonly url: string;
  readonly logPath: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The .vsix to install before starting; omitted for a bare workbench. */
  readonly vsix?: string;
  /** Folder copied into a fresh temp workspace (default: test/fixtures/workspace). */
  readonly fixture?: string;
  readonly port?: number;
  /** Where code-server's stdout/stderr go (default: test-results/e2e/code-server.log). */
  readonly logPath?: string;
  readonly log?: (line: string) => void;
  /** User settings on top of the harness's quiet defaults. */
  readonly userSettings?: Readonly<Record<string, unknown>>;
  /** Make the workspace copy a git repository with one commit (plans then get a real branch). */
  readonly git?: boolean;
  /**
   * Keep VS Code's Workspace Trust on, so the folder opens in Restricted Mode until trusted (the
   * startup dialog asks). Off by default: every other scenario runs in a trusted window.
   */
  readonly workspaceTrust?: boolean;
  /** The account directory the extension host meters (default: one in the session's scratch folder). */
  readonly accountDir?: string;
  /** The workspace copy's folder name, which VS Code shows as the workspace's name (default: workspace). */
  readonly folderName?: string;
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts code-server in its own process group so that stop() can kill it and everything it spawned
 * (extension host, pty host, file watcher) at once. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const log = options.log ?? ((line: string) => console.log(`[e2e] ${line}`));
  await codeServer.setupCodeServer({ log });
  // Everything this run writes outside test-results/ lives in one temp folder, removed by stop().
  const scratch = mkdtempSync(path.join(tmpdir(), 'helios-e2e-'));
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  const workspace = path.join(scratch, options.folderName ?? 'workspace');
  cpSync(options.fixture ?? fixtureWorkspace, workspace, { recursive: true });
  if (options.git) {
    const identity = { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@localhost', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@localhost' };
    for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'fixture']]) execFileSync('git', args, { cwd: workspace, env: identity });
  }
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const trust = options.workspaceTrust ? { 'security.workspace.trust.enabled': true } : {};
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...trust, ...options.userSettings }, null, 2));
  // No API key reaches the extension host: Helios must fall back to its embedded simulator.
  // The account directory (ledger and board) is this session's own: no usage from another run or suite.
  const accountDir = options.accountDir ?? path.join(scratch, 'account');
  const env = { ...codeServer.codeServerEnv({ configHome: path.join(scratch, 'config') }), HELIOS_ACCOUNT_DIR: accountDir };

  if (options.vsix) {
    const t0 = Date.now();
    try {
      codeServer.installVsix({ vsix: options.vsix, userDataDir, extensionsDir, env });
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      throw err;
    }
    log(`installed ${path.basename(options.vsix)} in ${Date.now() - t0} ms`);
  }

  const port = options.port ?? (await freePort());
  const logPath = options.logPath ?? path.join(resultsDir, 'code-server.log');
  mkdirSync(path.dirname(logPath), { recursive: true });
  const logFd = openSync(logPath, 'w');
  const t0 = Date.now();
  const child: ChildProcess = spawn(
    codeServer.nodePath,
    codeServer.codeServerArgs({ port, userDataDir, extensionsDir, workspace, workspaceTrust: options.workspaceTrust ?? false }),
    { env, stdio: ['ignore', logFd, logFd], detached: true },
  );
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `code-server exited (code ${code}, signal ${signal})`));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  // Last resort if the test process exits or is killed (test runner timeout, Ctrl+C, CI
  // cancellation) without running its teardown: never leave a code-server behind.
  const onExit = () => killGroup('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (exited === undefined && Date.now() < deadline) await sleep(100);
    killGroup('SIGKILL'); // the group may hold children that ignored SIGTERM
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(scratch, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(
      `code-server to answer on ${url}`,
      async () => {
        if (exited) throw new Error(`${exited}\n${tail(logPath)}`);
        const response = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2_000) });
        return response.status > 0 ? true : undefined;
      },
      timeouts.serverStart,
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- ${logPath} ---\n${tail(logPath)}`, { cause: err });
  }
  log(`code-server ${codeServerVersion} (VS Code ${vscodeVersion}) answered on port ${port} after ${Date.now() - t0} ms (pid ${pid}, log ${path.relative(repoRoot, logPath)})`);
  return { port, workspace, userDataDir, accountDir, extensionsDir, url: folderUrl(port, workspace), logPath, pid, stop };
}

function folderUrl(port: number, folder: string): string {
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
}

/**
 * Copies `fixture` into a second folder of the session (removed by stop() with the rest) and
 * returns the URL that opens a workbench on it. In code-server every workbench page gets its own
 * extension host, so a page on this folder is a second VS Code window: another process, the same
 * user data and the same account directory.
 */
export function addFolder(server: CodeServer, name: string, fixture: string): { readonly folder: string; readonly url: string } {
  const folder = path.join(path.dirname(server.workspace), name);
  if (existsSync(folder)) throw new Error(`${folder} exists already`);
  cpSync(fixture, folder, { recursive: true });
  return { folder, url: folderUrl(server.port, folder) };
}

export async function openWorkbench(page: Page, url: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeouts.workbench });
  await page.waitForSelector('.monaco-workbench', { timeout: timeouts.workbench });
  // The explorer shows the folder once the remote file system is connected.
  await page.waitForSelector('#workbench\\.parts\\.statusbar', { timeout: timeouts.workbench });
  return Date.now() - t0;
}

const quickInput = '.quick-input-widget';
const quickInputBox = `${quickInput} .quick-input-box input`;

async function focusedQuickPickLabel(page: Page): Promise<string | undefined> {
  const labels = await page.$$eval('.quick-input-widget .monaco-list-row.focused', (rows) =>
    rows.map((row) => row.getAttribute('aria-label') ?? row.textContent ?? ''),
  );
  return labels[0];
}

/** A row's aria-label is its label, then ", " and its keybinding or group ("View: Close Editor,
 * Control+W"; "PRD.md, file results"). Prefix matching would take "View: Close Editor Group". */
function rowMatches(ariaLabel: string, label: string): boolean {
  return ariaLabel === label || ariaLabel.startsWith(`${label},`);
}

/** Waits for the quick pick to list the entry `label`, makes it the focused one (the palette puts
 * recently used and fuzzy matches first, so it may arrow down) and accepts it. */
export async function acceptQuickPickEntry(page: Page, label: string): Promise<void> {
  const rowSelector = `${quickInput} .monaco-list-row`;
  let labels: string[] = [];
  try {
    await waitFor(`a quick-pick entry "${label}"`, async () => {
      labels = await page.$$eval(rowSelector, (rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
      return labels.some((l) => rowMatches(l, label)) ? true : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\nentries listed last: ${JSON.stringify(labels)}`, { cause: err });
  }
  // Accepted when the quick input closes — or is reused at once by what the command opened next
  // (an input box, another pick), which shows up as a different value in the box.
  const accepted = async (typed: string) =>
    waitFor(`the quick pick to accept "${label}"`, async () => {
      const visible = await page.isVisible(quickInput);
      if (!visible) return true;
      return (await page.inputValue(quickInputBox).catch(() => typed)) !== typed ? true : undefined;
    });
  for (let step = 0; step < 30; step++) {
    const focused = await focusedQuickPickLabel(page);
    if (focused !== undefined && rowMatches(focused, label)) {
      const typed = await page.inputValue(quickInputBox);
      await page.keyboard.press('Enter');
      await accepted(typed);
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  // Seen on VS Code 1.139: the arrow keys never moved the focus onto a listed row (they went to a
  // view that had taken the keyboard). A user clicks the row then; so does this.
  const row = await page.$$(rowSelector).then(async (rows) => {
    for (const r of rows) if (rowMatches((await r.getAttribute('aria-label')) ?? (await r.textContent()) ?? '', label)) return r;
    return undefined;
  });
  if (!row) throw new Error(`quick pick never focused "${label}"`);
  const typed = await page.inputValue(quickInputBox).catch(() => '');
  await row.click();
  await accepted(typed);
}

/** Runs a command from the Command Palette by its title, as a user would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await openCommandPalette(page);
    await page.keyboard.type(title, { delay: 10 });
    const landed = await waitFor('the palette to hold the typed title', async () => ((await page.inputValue(quickInputBox).catch(() => '')).includes(title) ? true : undefined), 3_000).catch(() => false);
    if (landed) break;
    // Seen in CI: a webview that finished loading took focus while the title was typed, so the keys
    // went elsewhere — and sometimes the palette closed. Put the text in directly while it is open;
    // open it again when it closed.
    const filled = await page.fill(quickInputBox, `>${title}`, { timeout: 3_000 }).then(() => true, () => false);
    if (filled && (await page.inputValue(quickInputBox).catch(() => '')).includes(title)) break;
    if (attempt >= 4) throw new Error(`the command palette lost "${title}" ${attempt} times`);
  }
  await acceptQuickPickEntry(page, title);
}

/** F1 until the palette shows with its ">" (a webview holding focus swallows the key). */
async function openCommandPalette(page: Page): Promise<void> {
  // Keys typed while a webview has focus go to its iframe, not the workbench, and a closing editor
  // can hand focus to a webview a moment later: take focus back and retry until the palette shows.
  for (let attempt = 1; ; attempt++) {
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { activeElement: { tagName?: string; blur?: () => void } | null } }).document;
      const active = doc.activeElement;
      if (active?.tagName === 'IFRAME') active.blur?.();
    });
    // A palette left open by an earlier try may hold half a title: close it and start clean.
    if (await page.isVisible(quickInputBox)) await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const shown = await page.waitForSelector(quickInputBox, { state: 'visible', timeout: attempt < 5 ? 3_000 : timeouts.ui }).then(() => true, () => false);
    if (shown) break;
    if (attempt >= 5) throw new Error('the command palette did not open');
  }
  await waitFor('the command palette input to hold ">"', async () => ((await page.inputValue(quickInputBox)).startsWith('>') ? true : undefined));
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab to be active. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector(quickInputBox, { state: 'visible', timeout: timeouts.ui });
  await page.keyboard.type(fileName, { delay: 10 });
  await acceptQuickPickEntry(page, fileName);
  await page.waitForSelector(`.tabs-container .tab.active[aria-label^="${fileName}"]`, { timeout: timeouts.ui });
}

export interface StatusItem {
  readonly id: string;
  /** Visible text; a codicon such as $(pulse) renders as an empty span and is not part of it. */
  readonly text: string;
  readonly ariaLabel: string;
  /** The item's CSS classes: `warning-kind` / `error-kind` mark the theme's warning and error backgrounds. */
  readonly classes: string;
}

export async function readStatusItems(page: Page): Promise<StatusItem[]> {
  return page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (items) =>
    items.map((item) => {
      const label = item.querySelector('.statusbar-item-label') ?? item;
      return {
        id: item.id,
        text: ((label as { innerText?: string }).innerText ?? label.textContent ?? '').replace(/\s+/g, ' ').trim(),
        ariaLabel: label.getAttribute('aria-label') ?? item.getAttribute('aria-label') ?? '',
        classes: item.className,
      };
    }),
  );
}

export async function waitForStatusItem(page: Page, predicate: (item: StatusItem) => boolean, what = 'a matching status bar item', timeout: number = timeouts.ui): Promise<StatusItem> {
  let seen: StatusItem[] = [];
  try {
    return await waitFor(
      what,
      async () => {
        seen = await readStatusItems(page);
        return seen.find(predicate);
      },
      timeout,
    );
  } catch (err) {
    const listing = seen.map((s) => `  ${s.id}: "${s.text}" [${s.ariaLabel}]`).join('\n');
    throw new Error(`${(err as Error).message}\nstatus bar items seen last:\n${listing}`, { cause: err });
  }
}

/** Webviews are iframes nested two deep; polls every frame until one contains `selector`. */
export async function findWebviewFrame(page: Page, selector: string, timeout: number = timeouts.ui): Promise<Frame> {
  return waitFor(
    `a webview frame containing ${selector}`,
    async () => {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame() || frame.isDetached()) continue;
        try {
          if (await frame.$(selector)) return frame;
        } catch {
          // the frame navigated or detached while we looked
        }
      }
      return undefined;
    },
    timeout,
  );
}

let screenshotCount = 0;
let screenshotPrefix = '';

/** Saves `test-results/e2e/<suite>-NN-name.png` for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  screenshotCount += 1;
  const file = path.join(resultsDir, `${screenshotPrefix}${String(screenshotCount).padStart(2, '0')}-${name}.png`);
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/** Removes this suite's screenshots of an earlier run so the folder shows this run only. */
export function resetResults(suite: string): void {
  screenshotPrefix = `${suite}-`;
  mkdirSync(resultsDir, { recursive: true });
  for (const name of readdirSync(resultsDir)) if (name.startsWith(screenshotPrefix) && name.endsWith('.png')) rmSync(path.join(resultsDir, name), { force: true });
  screenshotCount = 0;
}

/** One code-server + one browser page; dispose() is safe to call whatever state setup reached. */
export class E2eSession {
  private constructor(
    readonly server: CodeServer,
    readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async start(options: StartOptions): Promise<E2eSession> {
    const server = await startCodeServer(options);
    try {
      const { browser, page } = await launchBrowser();
      return new E2eSession(server, browser, page);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** Another window in the same browser (its own context); closed with the browser by dispose(). */
  async openPage(): Promise<Page> {
    return openWindow(this.browser);
  }

  memoryMiB(): { codeServer: number; browser: number } {
    const browserPid = this.browser.isConnected() ? chromiumPid() : undefined;
    return { codeServer: treeRssMiB(this.server.pid), browser: browserPid ? treeRssMiB(browserPid) : 0 };
  }

  async dispose(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
  }
}

/** Runs one step of a scenario; on failure leaves a screenshot of what the page showed. */
export async function runStep(
  session: E2eSession | undefined,
  name: string,
  body: (s: E2eSession) => Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  if (!session) throw new Error('the e2e session did not start');
  const t0 = Date.now();
  try {
    await body(session);
  } catch (err) {
    await screenshot(session.page, `FAILED-${name}`).catch(() => undefined);
    keepHeliosLogs(session.server.userDataDir, (i) => path.join(resultsDir, `${screenshotPrefix}FAILED-${name}-Helios${i === 0 ? '' : `-${i + 1}`}.log`));
    throw err;
  }
  log(`${name}: ${Date.now() - t0} ms`);
}
