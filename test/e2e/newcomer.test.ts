/**
 * A newcomer's first run, by clicking only: a fresh profile on a JavaScript folder without a PRD
 * shows the Helios container in the activity bar; its Plans view says what to do first and opens
 * the walkthrough; the walkthrough's buttons choose how to pay and write the sample PRD; the
 * editor's Decompose button plans it; the plan appears in the Plans view, whose Run button runs
 * it; Agent Diffs shows the proposals and one is accepted; the Budget view shows the window. Each
 * walkthrough step is checked off by the real event, and the Get Started page shows the walkthrough.
 *
 * Needs the packaged extension (`npm run package` writes helios-0.1.0.vsix; HELIOS_VSIX overrides
 * the path) and installs code-server on first use (scripts/setupCodeServer.mjs).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { ProposedChange } from '../../src/shared/proposedChange';
import {
  acceptQuickPickEntry,
  E2eSession,
  findWebviewFrame,
  openWorkbench,
  repoRoot,
  resetResults,
  runCommand,
  runStep,
  screenshot,
  timeouts,
  waitFor,
  waitForStatusItem,
} from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const fixture = path.join(repoRoot, 'test', 'fixtures', 'newcomer');
const sample = readFileSync(path.join(repoRoot, 'media', 'samplePrd.md'), 'utf8');
/** One task per `##` section of media/samplePrd.md. */
const EXPECTED_TASKS = [...sample.matchAll(/^## /gm)].length;
/** The walkthrough's editor tab: VS Code 1.96 names it after the extension, 1.139 calls it Welcome. */
const WALKTHROUGH_TAB = '.tabs-container .tab:is([aria-label^="Walkthrough: Helios"], [aria-label^="Welcome"])';
/** The run: eight tasks on two cores, each coded and reviewed by the simulator. */
const RUN_TIMEOUT = 300_000;

function log(line: string): void {
  console.log(`[e2e] ${line}`);
}

/** A view of the sidebar by its title, as the pane header shows it. */
function pane(page: Page, title: string): Locator {
  return page.locator('.pane').filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) });
}

/** Expands a collapsed view (a click on its header), as a user would. */
async function expand(page: Page, title: string): Promise<Locator> {
  const view = pane(page, title);
  await view.waitFor({ timeout: timeouts.ui });
  const header = view.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return view;
}

/** A tree row whose accessible label starts with `prefix` (label, then ", " and the description). */
function row(view: Locator, prefix: string): Locator {
  return view.locator(`.monaco-list-row[aria-label^="${prefix.replace(/"/g, '\\"')}"]`).first();
}

/** Hovers a row so its inline actions show, then clicks the one whose title starts with `title`. */
async function clickInline(target: Locator, title: string): Promise<void> {
  await target.hover();
  const action = target.locator(`.actions .action-label[aria-label^="${title}"]`);
  await action.waitFor({ state: 'visible', timeout: timeouts.ui });
  await action.click();
}

function step(page: Page, id: string): Locator {
  return page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
}

/** Opens a walkthrough step (a click on its title) and clicks one of its buttons. */
async function clickStepButton(page: Page, id: string, label: string): Promise<void> {
  const s = step(page, id);
  await s.waitFor({ timeout: timeouts.ui });
  if ((await s.getAttribute('aria-expanded')) !== 'true') await s.locator('h3.step-title').click();
  const button = s.locator('.button-container .monaco-button', { hasText: label });
  await button.waitFor({ state: 'visible', timeout: timeouts.ui });
  await button.click();
}

async function waitForStepDone(page: Page, id: string, timeout: number = timeouts.ui): Promise<void> {
  await waitFor(`the walkthrough step "${id}" to be checked off`, async () => ((await step(page, id).getAttribute('aria-checked')) === 'true' ? true : undefined), timeout);
}

/** Brings the walkthrough's editor tab to the front, on Helios's walkthrough (1.139 may show its list of walkthroughs again). */
async function showWalkthrough(page: Page): Promise<void> {
  await page.click(WALKTHROUGH_TAB);
  await waitFor('Helios\'s walkthrough', async () => {
    // The page holds both slides; `showDetails` marks the one with a walkthrough's steps as shown.
    if ((await page.locator('.showDetails button.getting-started-step[data-step-id$="#pay"]').count()) > 0) return true;
    const card = page.locator('button.getting-started-category', { hasText: 'Get Started with Helios' }).first();
    if (await card.isVisible()) await card.click();
    return undefined;
  });
}

/** What Helios's log channel wrote (`<user data>/logs/…/Helios.log`), or '' before it exists. */
function heliosLog(userDataDir: string): string {
  const find = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
    .flatMap((e) => (e.isDirectory() ? find(path.join(dir, e.name)) : e.name === 'Helios.log' ? [path.join(dir, e.name)] : []));
  return find(path.join(userDataDir, 'logs')).map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** The proposed changes the run stored (`<workspace storage>/helios-dev.helios/changes/<plan>/<task>.json`). */
function storedChanges(userDataDir: string): ProposedChange[] {
  const storage = path.join(userDataDir, 'User', 'workspaceStorage');
  const out: ProposedChange[] = [];
  for (const ws of existsSync(storage) ? readdirSync(storage) : []) {
    const changes = path.join(storage, ws, 'helios-dev.helios', 'changes');
    for (const plan of existsSync(changes) ? readdirSync(changes) : []) {
      for (const name of readdirSync(path.join(changes, plan)).filter((n) => n.endsWith('.json'))) {
        out.push(JSON.parse(readFileSync(path.join(changes, plan, name), 'utf8')) as ProposedChange);
      }
    }
  }
  return out;
}

describe('a newcomer\'s first run, by clicking (code-server)', { timeout: 12 * 60_000 }, () => {
  let session: E2eSession | undefined;
  const started = Date.now();

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (npm test does it before test:e2e)`);
    resetResults('newcomer');
    session = await E2eSession.start({ vsix, log, fixture });
    log(`workbench ready in ${await openWorkbench(session.page, session.server.url)} ms`);
  });

  after(async () => {
    await session?.dispose();
    log(`scenario took ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  /** The steps build on each other: after a failure the rest are skipped, not failed again. */
  let failed: string | undefined;
  const run = async (name: string, body: (s: E2eSession) => Promise<void>) => {
    if (failed) throw new Error(`skipped: the step "${failed}" failed`);
    try {
      await runStep(session, name, body, log);
    } catch (err) {
      failed = name;
      throw err;
    }
  };

  it('shows the Helios container in the activity bar, before Helios has started', () =>
    run('container', async ({ page }) => {
      const icon = page.locator('#workbench\\.parts\\.activitybar .action-item [aria-label^="Helios"]').first();
      await icon.waitFor({ timeout: timeouts.workbench });
      // No PRD in the folder: nothing activated Helios, so its meter is not there yet.
      const meter = await page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (items) => items.filter((i) => (i.getAttribute('aria-label') ?? i.textContent ?? '').startsWith('Helios')).length);
      assert.equal(meter, 0, 'Helios did not start on its own in a folder without a PRD');
      await screenshot(page, 'container');
    }));

  // Not one of the newcomer's steps: the path below does not depend on it.
  it('the Get Started page lists the walkthrough on a fresh profile', () =>
    runStep(session, 'get-started', async ({ page }) => {
      await runCommand(page, 'Help: Welcome');
      // code-server opens its own walkthrough first: its back link leads to the page that lists them all.
      const back = page.locator('.gettingStartedContainer .prev-button').first();
      await page.waitForSelector('.gettingStartedContainer', { timeout: timeouts.ui });
      if (await back.isVisible()) await back.click();
      const card = page.locator('.getting-started-category', { hasText: 'Get Started with Helios' }).first();
      await card.waitFor({ timeout: timeouts.ui });
      await screenshot(page, 'get-started');
    }, log));

  it('opens the container: the Plans view says what to do first, and Helios starts', () =>
    run('plans-welcome', async ({ page, server }) => {
      await page.locator('#workbench\\.parts\\.activitybar .action-item [aria-label^="Helios"]').first().click();
      const plans = await expand(page, 'Plans');
      await plans.locator('.welcome-view-content .monaco-button', { hasText: 'Open the Sample PRD' }).waitFor({ timeout: timeouts.ui });
      for (const title of ['Agent Diffs', 'Budget']) await pane(page, title).waitFor({ timeout: timeouts.ui });
      // The folder has a jsconfig.json: the dependency graph's view shows (helios.jsWorkspace).
      await pane(page, 'Dependency Graph').waitFor({ timeout: timeouts.ui });
      // Opening the view activated Helios: its meter is in the status bar.
      await waitForStatusItem(page, (i) => i.ariaLabel.startsWith('Helios'), 'the Helios meter once the view activated Helios');
      const activated = await waitFor('Helios to log its activation', () => /Helios activated in (\d+) ms/.exec(heliosLog(server.userDataDir))?.[0]);
      log(activated);
      await screenshot(page, 'plans-welcome');
    }));

  it('opens the walkthrough from the Plans view', () =>
    run('walkthrough', async ({ page }) => {
      await pane(page, 'Plans').locator('.welcome-view-content a', { hasText: 'Open the walkthrough' }).click();
      await page.waitForSelector(`${WALKTHROUGH_TAB}.active`, { timeout: timeouts.ui });
      await page.waitForSelector('.gettingStartedContainer h2:has-text("Get Started with Helios")', { timeout: timeouts.ui });
      const steps = await page.$$eval('button.getting-started-step', (nodes) => nodes.map((n) => n.getAttribute('data-step-id')?.split('#').pop()));
      assert.deepEqual(steps, ['pay', 'prd', 'decompose', 'run', 'review', 'budget']);
      const checked = await page.$$eval('button.getting-started-step[aria-checked="true"]', (nodes) => nodes.length);
      assert.equal(checked, 0, 'nothing is checked off on a fresh profile');
      await screenshot(page, 'walkthrough');
    }));

  it('step 1: chooses how to pay (the simulator)', () =>
    run('pay', async ({ page }) => {
      await clickStepButton(page, 'pay', 'Choose How to Pay');
      await acceptQuickPickEntry(page, 'Use the offline simulator');
      await waitForStepDone(page, 'pay');
      await screenshot(page, 'pay');
    }));

  it('step 2: writes the sample PRD into the folder and opens it', () =>
    run('sample-prd', async ({ page, server }) => {
      await showWalkthrough(page);
      await clickStepButton(page, 'prd', 'Open the Sample PRD');
      await page.waitForSelector('.tabs-container .tab.active[aria-label^="PRD.md"]', { timeout: timeouts.ui });
      const written = path.join(server.workspace, 'PRD.md');
      await waitFor('PRD.md in the folder', () => (existsSync(written) ? true : undefined));
      assert.equal(readFileSync(written, 'utf8'), sample, 'the bundled sample, byte for byte');
      await showWalkthrough(page);
      await waitForStepDone(page, 'prd');
      await screenshot(page, 'sample-prd');
    }));

  it('step 3: the editor\'s Decompose button plans the PRD, and the plan shows in the Plans view', () =>
    run('decompose', async ({ page }) => {
      await page.click('.tabs-container .tab[aria-label^="PRD.md"]');
      await page.waitForSelector('.tabs-container .tab.active[aria-label^="PRD.md"]', { timeout: timeouts.ui });
      await page.locator('.editor-actions .action-label[aria-label*="Decompose PRD"]').first().click();
      const frame = await findWebviewFrame(page, '#dag-root[data-status="ready"]', 120_000);
      assert.equal(await frame.getAttribute('#dag-root', 'data-node-count'), String(EXPECTED_TASKS));
      const plans = await expand(page, 'Plans');
      const plan = row(plans, 'PRD.md, not started');
      await plan.waitFor({ timeout: timeouts.ui });
      assert.match((await plan.getAttribute('aria-label')) ?? '', new RegExp(`0/${EXPECTED_TASKS} tasks`));
      await row(plans, 'T1 · ').waitFor({ timeout: timeouts.ui });
      await screenshot(page, 'plan');
      await showWalkthrough(page);
      await waitForStepDone(page, 'decompose');
    }));

  it('step 4: Run in the Plans view runs every task, and each row shows its model and cost', () =>
    run('run', async ({ page }) => {
      const plans = await expand(page, 'Plans');
      await clickInline(row(plans, 'PRD.md, '), 'Run Plan');
      const label = await waitFor('every task of the plan to finish', async () => {
        const text = (await row(plans, 'PRD.md, ').getAttribute('aria-label')) ?? '';
        return text.includes(`${EXPECTED_TASKS}/${EXPECTED_TASKS} tasks`) ? text : undefined;
      }, RUN_TIMEOUT);
      log(`plan row: "${label}"`);
      assert.match(label, /^PRD\.md, done · /, 'the plan is done');
      const tasks: string[] = await plans.locator('.monaco-list-row[aria-label^="T"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      assert.ok(tasks.length > 0, 'the task rows are shown');
      for (const t of tasks) assert.match(t, /, Done · (Haiku|Sonnet|Opus|Fable) [\d.]+ · \$\d/, `a finished task names its model and cost: ${t}`);
      await screenshot(page, 'run-done');
      await showWalkthrough(page);
      await waitForStepDone(page, 'run');
    }));

  it('step 5: Agent Diffs shows the proposals; accepting one writes it to the folder', () =>
    run('review', async ({ page, server }) => {
      const changes = storedChanges(server.userDataDir);
      assert.equal(changes.length, EXPECTED_TASKS, 'one proposed change per task');
      const first = changes.find((c) => c.taskId === 'T1');
      assert.ok(first, 'T1 proposed a change');
      const diffs = await expand(page, 'Agent Diffs');
      const task = row(diffs, 'T1 · ');
      await task.waitFor({ timeout: timeouts.ui });
      await screenshot(page, 'agent-diffs');
      // T1 depends on nothing: accepting it applies its change alone, in one undoable edit.
      await clickInline(task, 'Accept Task Change');
      for (const file of first.files) {
        await waitFor(`${file.path} to be written`, () => {
          const full = path.join(server.workspace, file.path);
          return existsSync(full) && readFileSync(full, 'utf8') === file.proposedContent ? true : undefined;
        });
      }
      await showWalkthrough(page);
      await waitForStepDone(page, 'review');
      await screenshot(page, 'review');
    }));

  it('step 6: the Budget view shows the share of the window and when it resets', () =>
    run('budget', async ({ page }) => {
      const budget = await expand(page, 'Budget');
      const label = await waitFor('the Budget view to count the spent tokens', async () => {
        const text = (await budget.locator('.monaco-list-row').first().getAttribute('aria-label').catch(() => null)) ?? '';
        return /^[1-9]\d*% of the 5-hour window/.test(text) ? text : undefined;
      });
      log(`budget gauge: "${label}"`);
      await row(budget, 'Resets at ').waitFor({ timeout: timeouts.ui });
      await screenshot(page, 'budget-view');
      await row(budget, 'Open the Budget Panel').click();
      await findWebviewFrame(page, '#budget-root[data-status="ready"]', 60_000);
      await showWalkthrough(page);
      await waitForStepDone(page, 'budget');
      const checked = await page.$$eval('button.getting-started-step[aria-checked="true"]', (nodes) => nodes.length);
      assert.equal(checked, 6, 'every step is checked off');
      await screenshot(page, 'walkthrough-done');
    }));
});
