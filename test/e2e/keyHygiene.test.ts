/**
 * API-key hygiene in a real VS Code: a known dummy key is entered through "Helios: Set API Key",
 * a whole decomposition runs on the Anthropic provider (pointed at a simulator this test starts on
 * 127.0.0.1, so the key really is sent), and then every file the workbench and Helios wrote — logs
 * (the Helios channel included), the usage ledger, plans, settings, global and workspace state,
 * webview state — is searched for the key: zero hits allowed.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
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
  waitForStatusItem,
} from './harness';

const vsix = path.resolve(process.env.HELIOS_VSIX ?? path.join(repoRoot, 'helios-0.1.0.vsix'));
const DUMMY_KEY = 'sk-ant-api03-HELIOS-DUMMY-KEY-7f3c9a1e5b2d4c6e8f0a';
const readyDag = '#dag-root[data-status="ready"]';

function log(line: string): void {
  console.log(`[e2e:keys] ${line}`);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(full) : stat.isFile() ? [full] : [];
  });
}

describe('API key hygiene in a real VS Code', { timeout: 8 * 60_000 }, () => {
  let session: E2eSession | undefined;
  let sim: ClaudeSimulator;
  const step = (name: string, body: (s: E2eSession) => Promise<void>) => runStep(session, name, body, log);

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
    resetResults('keys');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    session = await E2eSession.start({
      vsix,
      log,
      logPath: path.join(resultsDir, 'code-server-keys.log'),
      userSettings: { 'helios.provider': 'anthropic', 'helios.anthropic.baseUrl': sim.url },
    });
    await openWorkbench(session.page, session.server.url);
  });

  after(async () => {
    await session?.dispose();
    await sim?.stop();
  });

  it('uses a key entered through "Helios: Set API Key" for real calls', () =>
    step('set-key', async ({ page }) => {
      await waitForStatusItem(page, (i) => i.ariaLabel.startsWith('Helios'), 'the Helios status item');
      await runCommand(page, 'Helios: Set API Key');
      const input = '.quick-input-widget input[type="password"]';
      await page.waitForSelector(input, { state: 'visible' });
      await page.keyboard.type(DUMMY_KEY, { delay: 2 });
      await screenshot(page, 'key-entered');
      await page.keyboard.press('Enter');
      await page.waitForSelector(input, { state: 'hidden' });
      // With a key, the `auto` budget plan meters dollars: "0% · $0.00".
      await waitForStatusItem(page, (i) => i.ariaLabel.startsWith('Helios') && /\$0\.00/.test(i.text), 'the meter to show the API budget in dollars');

      await quickOpen(page, 'PRD.md');
      await runCommand(page, 'Helios: Decompose PRD');
      await findWebviewFrame(page, readyDag, 120_000);
      await waitForStatusItem(page, (i) => i.ariaLabel.startsWith('Helios') && /\$\d/.test(i.text) && !/\$0\.00/.test(i.text), 'the meter to count the spend');
      await screenshot(page, 'planned-with-key');

      // The simulator rejects calls without a key (401), so answered calls prove the key was sent.
      const answered = sim.requests.filter((r) => r.path.startsWith('/v1/messages') && r.status === 200);
      assert.ok(answered.length >= 2, `count_tokens and the plan reached the provider (saw ${answered.length})`);
      // Open the log channel so its view state is written too.
      await runCommand(page, 'Helios: Show Log');
    }));

  it('leaves the key in no file it wrote: logs, ledger, plans, settings, state', () =>
    step('scan', async ({ server }) => {
      const files = [...filesUnder(server.userDataDir), ...filesUnder(server.accountDir), ...filesUnder(server.extensionsDir), ...filesUnder(server.workspace)];
      const needle = Buffer.from(DUMMY_KEY);
      const hits = files.filter((f) => readFileSync(f).includes(needle));
      // The scan must have covered what Helios writes, or zero hits would prove nothing.
      const names = files.map((f) => path.relative(server.userDataDir, f));
      assert.ok(files.includes(path.join(server.accountDir, 'ledger.jsonl')), 'the account\'s usage ledger was scanned');
      assert.ok(names.some((n) => /workspaceStorage[\\/].+[\\/]helios-dev\.helios[\\/]plans[\\/]plans[\\/].+\.json$/.test(n)), 'the plan file was scanned');
      const heliosLog = files.find((f) => /Helios\.log$/.test(f));
      assert.ok(heliosLog, 'the Helios log channel file was scanned');
      assert.match(readFileSync(heliosLog, 'utf8'), /API key updated/);
      log(`scanned ${files.length} files; hits: ${hits.length}`);
      assert.deepEqual(hits.map((f) => path.relative(path.dirname(server.userDataDir), f)), []);
    }));
});
