/**
 * The first user journey in a real VS Code: Helios activates on startup with the embedded
 * simulator (no API key), "Helios: Decompose PRD" on the fixture PRD draws a 6-task DAG, tokens
 * show up in the status bar, and "Helios: Show Plan" brings the panel back after it is closed.
 *
 * Needs the packaged extension (`npm run package` writes helios-0.1.0.vsix; HELIOS_VSIX overrides
 * the path) and installs code-server on first use (scripts/setupCodeServer.mjs).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Plan } from '../../src/shared/taskGraph';
import {
  acceptQuickPickEntry,
  E2eSession,
  findWebviewFrame,
  openWorkbench,
  quickOpen,
  repoRoot,
  resetResults,
  runStep,
  runCommand,
  screenshot,
  waitFor,
  waitForStatusItem,
  type StatusItem,
} from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const EXPECTED_TASKS = 6; // one per "##" section of test/fixtures/workspace/PRD.md
const readyDag = '#dag-root[data-status="ready"]';
const isHelios = (item: StatusItem) => item.ariaLabel.startsWith('Helios');

function log(line: string): void {
  console.log(`[e2e] ${line}`);
}

async function assertDag(frame: Frame): Promise<void> {
  const root = await frame.$(readyDag);
  assert.ok(root, 'the DAG root is ready');
  assert.equal(await root.getAttribute('data-node-count'), String(EXPECTED_TASKS), 'data-node-count');
  assert.equal((await frame.$$('g.dag-node')).length, EXPECTED_TASKS, 'g.dag-node elements');
  assert.ok((await frame.$$('path.dag-edge')).length >= 1, 'at least one path.dag-edge');
}

/** Edits the user's settings.json in the editor, as a user would, and saves it. */
async function editUserSettings(page: Page, userDataDir: string, changes: Record<string, unknown>): Promise<void> {
  const settings = JSON.parse(readFileSync(path.join(userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  await page.waitForSelector('.tabs-container .tab.active[aria-label^="settings.json"]');
  await page.click('.editor-instance .monaco-editor .view-lines');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify({ ...settings, ...changes }));
  // The editor auto-closes the brace it saw typed: drop whatever follows the inserted text.
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  await waitFor('settings.json to be saved', () => {
    const saved = JSON.parse(readFileSync(path.join(userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    return Object.entries(changes).every(([k, v]) => saved[k] === v) ? true : undefined;
  });
  await runCommand(page, 'View: Close Editor');
}

/** The proposed changes Run Plan stored in the workspace storage (`changes/<plan>/<task>.json`). */
function storedChanges(userDataDir: string): ProposedChange[] {
  const storage = path.join(userDataDir, 'User', 'workspaceStorage');
  const out: ProposedChange[] = [];
  for (const ws of existsSync(storage) ? readdirSync(storage) : []) {
    const changes = path.join(storage, ws, 'helios-dev.helios', 'changes');
    if (!existsSync(changes)) continue;
    for (const plan of readdirSync(changes)) {
      for (const name of readdirSync(path.join(changes, plan)).filter((n) => n.endsWith('.json'))) {
        out.push(JSON.parse(readFileSync(path.join(changes, plan, name), 'utf8')) as ProposedChange);
      }
    }
  }
  return out.sort((a, b) => a.taskId.localeCompare(b.taskId, 'en', { numeric: true }));
}

/** Helios's folder in the workspace storage (plans, runs, changes). */
function heliosStorage(userDataDir: string): string {
  const storage = path.join(userDataDir, 'User', 'workspaceStorage');
  const dirs = (existsSync(storage) ? readdirSync(storage) : []).map((ws) => path.join(storage, ws, 'helios-dev.helios')).filter((d) => existsSync(path.join(d, 'plans')));
  assert.equal(dirs.length, 1, `one Helios storage folder with plans: ${dirs.join(', ')}`);
  return dirs[0]!;
}

function storedPlan(userDataDir: string): Plan {
  const dir = path.join(heliosStorage(userDataDir), 'plans', 'plans');
  const [name, ...more] = readdirSync(dir).filter((n) => n.endsWith('.json'));
  assert.ok(name && more.length === 0, 'one stored plan');
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Plan;
}

const toast = '.notifications-toasts .notification-toast';

/** Waits for a notification whose message matches and returns its text. */
async function waitForToast(page: Page, message: RegExp, timeout = 30_000): Promise<string> {
  return waitFor(`a notification matching ${String(message)}`, async () => {
    const texts: string[] = await page.$$eval(`${toast} .notification-list-item-message`, (items) => items.map((i) => (i.textContent ?? '').replace(/\s+/g, ' ').trim()));
    return texts.find((text) => message.test(text));
  }, timeout);
}

/** Clicks a button of the notification whose message matches. */
async function clickToastButton(page: Page, message: RegExp, button: string): Promise<void> {
  await waitFor(`the "${button}" button of a notification matching ${String(message)}`, async () => {
    for (const t of await page.$$(toast)) {
      const text = (await t.$eval('.notification-list-item-message', (m) => String(m.textContent ?? '')).catch(() => '')).replace(/\s+/g, ' ');
      if (!message.test(text)) continue;
      for (const b of await t.$$('.monaco-button')) {
        if (((await b.textContent()) ?? '').trim() === button) {
          await b.click();
          return true;
        }
      }
    }
    return undefined;
  });
}

/** The task ids that depend on `id`, transitively. */
function dependantsOf(plan: Plan, id: string): string[] {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const t of plan.graph.tasks) {
      if (t.dependsOn.includes(current) && !out.has(t.id)) {
        out.add(t.id);
        stack.push(t.id);
      }
    }
  }
  return [...out].sort();
}

function onDisk(workspace: string, file: string): string | undefined {
  const full = path.join(workspace, file);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

describe('Helios in a real VS Code (code-server)', { timeout: 8 * 60_000 }, () => {
  let session: E2eSession | undefined;
  const started = Date.now();

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (npm test does it before test:e2e)`);
    resetResults('decompose');
    session = await E2eSession.start({ vsix, log, git: true });
    const ms = await openWorkbench(session.page, session.server.url);
    log(`workbench ready in ${ms} ms`);
  });

  after(async () => {
    if (!session) return;
    const memory = session.memoryMiB();
    log(`memory at the end: code-server ${memory.codeServer} MiB, chromium ${memory.browser} MiB`);
    await session.dispose();
    log(`scenario took ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  const step = (name: string, body: (s: E2eSession) => Promise<void>) => runStep(session, name, body, log);
  /** The task the reject step rejected (the accept-plan step checks it stayed out). */
  let rejected: { id: string; title: string } | undefined;

  it('activates on startup and shows the simulator with an empty window', () =>
    step('activated', async ({ page }) => {
      const item = await waitForStatusItem(page, isHelios, 'the Helios status item');
      assert.match(item.text, /^0%/);
      assert.match(item.text, /Simulator/);
      await screenshot(page, 'activated');
    }));

  it('decomposes PRD.md into a 6-task DAG', () =>
    step('decompose', async ({ page }) => {
      await quickOpen(page, 'PRD.md');
      await screenshot(page, 'prd-open');
      await runCommand(page, 'Helios: Decompose PRD');
      // The progress notification may already be gone on a fast machine; only record it if seen.
      const progress = await page
        .waitForSelector('.notifications-toasts.visible .notification-toast.notification-fade-in-done .monaco-progress-container.active', { timeout: 5_000 })
        .catch(() => null);
      if (progress) await screenshot(page, 'decompose-progress');
      const frame = await findWebviewFrame(page, readyDag, 120_000);
      await assertDag(frame);
      await screenshot(page, 'dag-panel');
    }));

  it('counts the tokens the decomposition spent', () =>
    step('tokens', async ({ page }) => {
      const item = await waitForStatusItem(page, (i) => isHelios(i) && !/^0%/.test(i.text), 'the Helios meter to count the spent tokens');
      // Used share and time to the window's reset, e.g. "5% · 4h59m · Simulator".
      assert.match(item.text, /^\d+% · \dh\d\dm · Simulator$/);
      assert.doesNotMatch(item.classes, /warning-kind|error-kind/);
      log(`status item after decomposing: "${item.text}"`);
      await screenshot(page, 'tokens-spent');
    }));

  it('turns the meter yellow when usage passes the throttle threshold', () =>
    step('throttled', async ({ page, server }) => {
      // A smaller window cap, set as a user would in settings.json: the plan just made uses over 80 % of it.
      await editUserSettings(page, server.userDataDir, { 'helios.budget.plan': 'custom', 'helios.budget.windowTokens': 4_500 });
      const item = await waitForStatusItem(page, (i) => isHelios(i) && /warning-kind/.test(i.classes), 'the Helios meter to turn to the warning colour');
      const percent = Number(/^(\d+)%/.exec(item.text)?.[1]);
      assert.ok(percent >= 80 && percent < 100, `throttled at ${percent} %`);
      log(`status item when throttled: "${item.text}"`);
      await screenshot(page, 'meter-throttled');
    }));

  it('shows the budget panel with the window, its state and the family split', () =>
    step('budget-panel', async ({ page }) => {
      await runCommand(page, 'Helios: Show Budget');
      const frame = await findWebviewFrame(page, '#budget-root[data-status="ready"]', 60_000);
      const root = await frame.$('#budget-root');
      assert.equal(await root?.getAttribute('data-state'), 'throttled');
      assert.equal(await root?.getAttribute('data-cap'), '4500');
      assert.ok(Number(await root?.getAttribute('data-used')) > 3_600, 'the plan\'s usage is in the window');
      for (const id of ['#budget-gauge', '#budget-families', '#budget-history', '#budget-windows', '#budget-projects']) {
        assert.ok(await frame.$(id), `${id} is shown`);
      }
      assert.match((await frame.textContent('#budget-families')) ?? '', /Opus/i);
      await screenshot(page, 'budget-panel');
      await runCommand(page, 'View: Close Editor');
    }));

  it('shows the plan again after its panel is closed', () =>
    step('show-plan', async ({ page }) => {
      await runCommand(page, 'View: Close Editor');
      await waitFor('the DAG panel to close', async () => {
        for (const frame of page.frames()) {
          if (!frame.isDetached() && (await frame.$(readyDag).catch(() => null))) return undefined;
        }
        return true;
      });
      await runCommand(page, 'Helios: Show Plan');
      const frame = await findWebviewFrame(page, readyDag, 60_000);
      await assertDag(frame);
      await screenshot(page, 'plan-shown-again');
    }));

  it('refuses to run a plan that another process runs, naming its pid', () =>
    step('run-lock', async ({ page, server }) => {
      const storage = heliosStorage(server.userDataDir);
      const plan = storedPlan(server.userDataDir);
      // Another runner of the plan (a second window, or `helios run`) holds its run lock, through the same code.
      const lockModule = path.join(repoRoot, 'src/infra/storage/planRunLock.ts');
      const script = `import(${JSON.stringify(lockModule)}).then(async (mod) => { const m = mod.acquirePlanRunLock ? mod : mod.default; await m.acquirePlanRunLock(${JSON.stringify(path.join(storage, 'runs'))}, ${JSON.stringify(plan.id)}); console.log('held'); setInterval(() => {}, 1000); })`;
      const holder = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_V8_COVERAGE: '' } });
      let out = '';
      holder.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitFor('the other runner to hold the plan\'s lock', () => (out.includes('held') ? true : undefined), 30_000);
        await runCommand(page, 'Helios: Run Plan');
        const text = await waitForToast(page, /already running in another window or process/);
        assert.match(text, new RegExp(`pid ${holder.pid}`), 'the message names the other runner');
        assert.equal(storedChanges(server.userDataDir).length, 0, 'nothing ran');
        await screenshot(page, 'run-refused-locked');
      } finally {
        holder.kill('SIGKILL');
      }
      await runCommand(page, 'Notifications: Clear All Notifications');
    }));

  it('runs the plan: every task finishes, verified in the sandbox, and the DAG shows the model each one ran on', () =>
    step('run-plan', async ({ page, server }) => {
      // Every change is verified in Anthropic's sandbox runtime (bubblewrap) in a scratch copy.
      await editUserSettings(page, server.userDataDir, { 'helios.budget.windowTokens': 1_000_000, 'helios.verify.command': 'node --test' });
      await runCommand(page, 'Helios: Run Plan');
      const frame = await findWebviewFrame(page, readyDag, 60_000);
      await waitFor('every task of the plan to finish', async () => {
        const statuses = await frame.$$eval('g.dag-node', (nodes) => nodes.map((n) => n.getAttribute('data-status')));
        return statuses.length === EXPECTED_TASKS && statuses.every((s) => s === 'done') ? true : undefined;
      }, 120_000);
      const models: string[] = await frame.$$eval('g.dag-node', (nodes) => nodes.map((n) => String(n.getAttribute('data-model') ?? '')));
      assert.ok(models.every((m) => /^claude-/.test(m)), `each node names its model: ${models.join(', ')}`);
      assert.ok(models.some((m) => /sonnet|haiku/.test(m)), 'the router sent work below Opus');
      const checks = await frame.$$eval('g.dag-node', (nodes) => nodes.map((n) => [n.getAttribute('data-verification'), n.getAttribute('data-review')]));
      assert.ok(checks.every(([verification]) => verification === 'passed'), `every node is marked verified: ${JSON.stringify(checks)}`);
      assert.ok(checks.every(([, review]) => review === 'approve' || review === 'request_changes'), 'every node shows the review verdict');
      assert.match((await frame.textContent('g.dag-node')) ?? '', /✓ verified/);
      await screenshot(page, 'plan-done-verified');
    }));

  it('shows the KPI dashboard with non-zero values after the run', () =>
    step('dashboard', async ({ page }) => {
      await runCommand(page, 'Helios: Show Dashboard');
      const frame = await findWebviewFrame(page, '#dashboard-root[data-status="ready"]', 60_000);
      const kpis = await frame.$$eval('section.kpi', (sections) => sections.map((x) => [x.getAttribute('data-kpi'), Number(x.getAttribute('data-value')), x.getAttribute('data-met')] as const));
      const value = (k: string) => kpis.find(([name]) => name === k)?.[1] ?? Number.NaN;
      assert.equal(kpis.length, 6, 'six KPI panels');
      for (const k of ['window', 'latency', 'agents']) assert.ok(value(k) > 0, `${k} shows a non-zero value (${value(k)})`);
      log(`dashboard KPIs: ${kpis.map(([k, v, met]) => `${k}=${v} (${met})`).join(', ')}`);
      await screenshot(page, 'dashboard');
    }));

  it('shows the proposed changes, with the Reviewer\'s comment inline on the line it is about', () =>
    step('agent-diffs', async ({ page, server }) => {
      const changes = storedChanges(server.userDataDir);
      assert.equal(changes.length, EXPECTED_TASKS, 'one stored change per task');
      assert.ok(changes.every((c) => c.review), 'the Reviewer reviewed every change');
      const reviewed = changes.find((c) => c.review!.findings.some((f) => f.status === 'open'));
      assert.ok(reviewed, 'at least one change has an open finding');
      const finding = reviewed.review!.findings.find((f) => f.status === 'open')!;
      log(`finding ${reviewed.taskId}/${finding.id} on ${finding.path}:${finding.startLine}-${finding.endLine}: ${finding.message}`);

      await runCommand(page, 'Helios: Show Agent Diffs');
      const row = `.monaco-list-row[aria-label^="${finding.path} (${reviewed.taskId}),"]`;
      await page.waitForSelector(row, { timeout: 30_000 });
      await screenshot(page, 'agent-diffs');
      await page.click(row);
      const widget = '.monaco-diff-editor .editor.modified .review-widget';
      await page.waitForSelector(widget, { timeout: 30_000 });
      const shown = ((await page.textContent(widget)) ?? '').replace(/\s+/g, ' ');
      assert.ok(shown.includes(finding.message.slice(0, 30)), `the comment shows the finding: ${shown.slice(0, 200)}`);
      // The thread sits right below the last line it is about (no hunk is decided yet, so the
      // proposed document's lines are the finding's own).
      const placement = await page.evaluate(([sel, line]) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { top: number; bottom: number } } | null; querySelectorAll(s: string): Iterable<{ textContent: string | null; getBoundingClientRect(): { top: number; bottom: number } }> } }).document;
        const zone = doc.querySelector(sel);
        const number = [...doc.querySelectorAll('.monaco-diff-editor .editor.modified .line-numbers')].find((n) => n.textContent?.trim() === String(line));
        return zone && number ? { zoneTop: zone.getBoundingClientRect().top, lineTop: number.getBoundingClientRect().top, lineBottom: number.getBoundingClientRect().bottom } : undefined;
      }, [widget, finding.endLine] as const);
      assert.ok(placement, `line ${finding.endLine} and the comment are both rendered`);
      const lineHeight = placement.lineBottom - placement.lineTop;
      assert.ok(Math.abs(placement.zoneTop - placement.lineBottom) <= lineHeight, `the comment starts below line ${finding.endLine} (${JSON.stringify(placement)})`);
      await screenshot(page, 'review-comment-inline');
    }));

  it('accepts the root task alone: its files on disk hold exactly its proposal', () =>
    step('accept-task', async ({ page, server }) => {
      const changes = storedChanges(server.userDataDir);
      const root = changes.find((c) => c.taskId === 'T1')!;
      await runCommand(page, 'Helios: Accept Task Change');
      await acceptQuickPickEntry(page, root.taskId);
      await waitFor(`${root.taskId}'s files to be written`, () =>
        root.files.every((f) => onDisk(server.workspace, f.path) === f.proposedContent) ? true : undefined, 30_000);
      await waitFor(`${root.taskId} to be stored as applied`, () =>
        storedChanges(server.userDataDir).find((c) => c.taskId === root.taskId)?.state === 'applied' ? true : undefined, 30_000);
      const states = Object.fromEntries(storedChanges(server.userDataDir).map((c) => [c.taskId, c.state]));
      assert.ok(Object.entries(states).every(([id, state]) => id === root.taskId || state === 'proposed'), `only T1 was applied: ${JSON.stringify(states)}`);
      log(`accepted ${root.taskId} (${root.files.map((f) => f.path).join(', ')}); states ${JSON.stringify(states)}`);
      await screenshot(page, 'accepted-root-task');
    }));

  it('rejects a task: the tasks built on it go stale, and Re-run codes them on the plan without it', () =>
    step('reject-rerun', async ({ page, server }) => {
      const plan = storedPlan(server.userDataDir);
      const target = plan.graph.tasks.find((t) => t.id !== 'T1' && dependantsOf(plan, t.id).length > 0);
      assert.ok(target, `a task besides T1 that others build on: ${JSON.stringify(plan.graph.tasks.map((t) => [t.id, t.dependsOn]))}`);
      const stale = dependantsOf(plan, target.id);
      rejected = { id: target.id, title: target.title };
      const before = new Map(storedChanges(server.userDataDir).map((c) => [c.taskId, c.createdAt]));
      await runCommand(page, 'Helios: Reject Task Change');
      await acceptQuickPickEntry(page, target.id);
      await waitFor(`${target.id} rejected and ${stale.join(', ')} marked stale`, () => {
        const byId = new Map(storedChanges(server.userDataDir).map((c) => [c.taskId, c]));
        return byId.get(target.id)?.state === 'rejected' && stale.every((id) => byId.get(id)?.integration?.status === 'stale') ? true : undefined;
      }, 30_000);
      const message = new RegExp(`built on ${target.id}, which you rejected`);
      await waitForToast(page, message);
      await runCommand(page, 'Helios: Show Agent Diffs');
      // The rows are sorted with undecided ones first; in a small view a stale row may sit below the fold.
      const shown = await page.waitForSelector('.monaco-list-row[aria-label*="stale: based on a rejected change"]', { timeout: 10_000 }).then(() => true, () => false);
      log(`a stale row is ${shown ? 'in view' : 'below the fold of the view'}`);
      await screenshot(page, 'stale-after-reject');
      await clickToastButton(page, message, 'Re-run Them');
      const rerun = await waitFor(`${stale.join(', ')} to be re-run`, () => {
        const changes = storedChanges(server.userDataDir).filter((c) => stale.includes(c.taskId));
        const fresh = changes.filter((c) => c.createdAt !== before.get(c.taskId) && c.state === 'proposed' && c.integration && c.integration.status !== 'stale');
        return fresh.length === stale.length ? fresh : undefined;
      }, 180_000);
      for (const c of rerun) {
        for (const f of c.files) {
          const shown = `${f.baseContent ?? ''}\n${f.proposedContent}`;
          assert.ok(!shown.includes(target.title), `${c.taskId}'s re-run of ${f.path} holds nothing of the rejected ${target.id}`);
        }
      }
      log(`rejected ${target.id}; re-ran ${stale.join(', ')} without it`);
      await screenshot(page, 'rerun-done');
    }));

  it('shows a task\'s own diff and the whole plan\'s diff', () =>
    step('plan-diff', async ({ page, server }) => {
      const changes = storedChanges(server.userDataDir);
      assert.ok(changes.every((c) => c.integration), 'every change went through the plan\'s integrated tree');
      const dependant = changes.find((c) => c.taskId !== 'T1' && c.files.some((f) => f.action === 'edit'))!;
      const file = dependant.files.find((f) => f.action === 'edit')!;
      assert.ok(file.baseContent && file.baseContent.length > 0, `${dependant.taskId} read ${file.path} as its dependencies left it`);
      await runCommand(page, 'Helios: Open Proposed Change');
      await acceptQuickPickEntry(page, `${dependant.taskId} ${file.path}`);
      await page.waitForSelector(`.tab.active[aria-label*="${dependant.taskId}: as the task read it"]`, { timeout: 30_000 });
      await screenshot(page, 'task-diff');

      const shared = changes.flatMap((c) => c.files.map((f) => f.path)).find((p, i, all) => all.indexOf(p) !== i)!;
      log(`a file several tasks changed: ${shared}`);
      await runCommand(page, 'Helios: Open Plan Diff');
      await acceptQuickPickEntry(page, shared);
      await page.waitForSelector('.tab.active[aria-label*="your file ↔ plan"]', { timeout: 30_000 });
      await runCommand(page, 'Helios: Show Agent Diffs');
      await screenshot(page, 'plan-diff');
    }));

  it('accepts the plan: the files on disk equal the plan branch', () =>
    step('accept-plan', async ({ page, server }) => {
      const changes = storedChanges(server.userDataDir);
      const planId = changes[0]!.planId;
      const branch = `helios/${planId}`;
      const git = (...args: string[]) => execFileSync('git', args, { cwd: server.workspace, encoding: 'utf8' });
      const trailers = git('log', branch, '--format=%(trailers:key=Helios-Task,valueonly)').split('\n').filter(Boolean);
      assert.deepEqual([...new Set(trailers)].sort(), changes.map((c) => c.taskId).sort(), 'a commit for every task on the plan branch');
      const reverted = git('log', branch, '--format=%(trailers:key=Helios-Revert,valueonly)').split('\n').filter(Boolean);
      assert.ok(rejected && reverted.includes(rejected.id), `the branch took ${rejected?.id} off: ${reverted.join(', ')}`);
      const base = git('config', '--get', `branch.${branch}.heliosBase`).trim();
      const paths = git('diff', '--name-only', base, branch).split('\n').filter(Boolean);
      await runCommand(page, 'Helios: Accept Plan');
      let differing: string[] = [];
      try {
        await waitFor('the plan to be written', () => {
          differing = paths.filter((p) => onDisk(server.workspace, p) !== git('show', `${branch}:${p}`));
          return differing.length === 0 ? true : undefined;
        }, 30_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}; files that differ from ${branch}: ${differing.join(', ')}`, { cause: error });
      }
      assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main', 'the user\'s branch is untouched');
      await waitFor('every change but the rejected one to be marked applied', () => storedChanges(server.userDataDir).every((c) => c.state === (c.taskId === rejected?.id ? 'rejected' : 'applied')) ? true : undefined, 30_000);
      for (const p of paths) assert.ok(!(onDisk(server.workspace, p) ?? '').includes(rejected.title), `nothing of the rejected ${rejected.id} is in ${p}`);
      log(`accepted plan ${planId}: ${paths.length} files equal ${branch}`);
      await runCommand(page, 'Helios: Show Agent Diffs');
      // The view is focused: Home scrolls its (virtualised) list back to the top, where the plan is.
      await page.keyboard.press('Home');
      await page.waitForSelector('.monaco-list-row[aria-label^="Whole plan,"][aria-label*="accepted"]', { timeout: 30_000 });
      await screenshot(page, 'plan-accepted');
    }));

  it('shows the cache: L1 prompt-cache reads from the run, and the L2 / L3 layers', () =>
    step('cache-stats', async ({ page }) => {
      await runCommand(page, 'Helios: Show Cache Stats');
      const rows = await waitFor('the cache layers to be listed', async () => {
        const labels: string[] = await page.$$eval('.quick-input-widget .monaco-list-row', (r) => r.map((x) => String(x.getAttribute('aria-label') ?? '')));
        return labels.some((l) => l.startsWith('L3')) ? labels : undefined;
      });
      const l1 = rows.find((l) => l.startsWith('L1')) ?? '';
      log(`cache stats: ${rows.join(' | ')}`);
      const calls = Number(/(\d+) calls/.exec(l1)?.[1] ?? 0);
      assert.ok(calls > 0, `L1 counted this window's calls: ${l1}`);
      assert.ok(rows.some((l) => l.startsWith('L2 · exact match') && /hit rate/.test(l)), 'L2 is on and reports its hit rate');
      await screenshot(page, 'cache-stats');
      await page.keyboard.press('Escape');
    }));
});
