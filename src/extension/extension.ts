import * as vscode from 'vscode';
import { budgetConfigFrom } from '../core/governor/budgetConfig';
import { buildBudgetSnapshot } from '../core/governor/budgetSnapshot';
import { recordFromClaudeCodeEntry } from '../core/governor/externalUsage';
import { Governor } from '../core/governor/governor';
import { readClaudeCodeUsage } from '../infra/claudeCode/claudeCodeLogFiles';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { FileObservationStore } from '../infra/governor/fileObservationStore';
import { cleanupStale } from '../infra/sandbox/scratchCopy';
import { shutdownSandboxRuntime } from '../infra/sandbox/srtSandbox';
import { FileChangeStore } from '../infra/storage/fileChangeStore';
import { FilePlanStore } from '../infra/storage/filePlanStore';
import { JsonlFile } from '../infra/storage/jsonlFile';
import { compactLedger } from '../infra/storage/ledgerCompactor';
import { accountDir } from '../infra/governor/accountDir';
import { AccountHost } from './accountHost';
import { createAgentDiffs } from './agentDiffs/agentDiffsHost';
import { ContextKeys, type ProposalSource } from './contextKeys';
import { maybeRemindKeyRotation } from './commands/apiKey';
import { registerAnalysis } from './analysis/registerAnalysis';
import { registerCommands } from './commands/registerCommands';
import { dagPanelDeps } from './commands/showPlan';
import { STATE_KEYS, VIEW_COMMANDS } from './constants';
import { BudgetPanel, registerBudgetPanelSerializer } from './budgetPanel/budgetPanel';
import { budgetPanelDeps } from './commands/showBudget';
import { DagPanel, registerDagPanelSerializer } from './dagPanel/dagPanel';
import type { HeliosContext } from './heliosContext';
import { createLog } from './log';
import { MetricsHost } from './metricsHost';
import { CacheHost } from './cacheHost';
import { DashboardPanel, registerDashboardPanelSerializer } from './dashboardPanel/dashboardPanel';
import { dashboardPanelDeps } from './dashboardPanel/dashboardPanelDeps';
import { PlanRunner } from './planRunner';
import { corruptStateWarning } from './stateWarnings';
import { ProviderHost } from './providerHost';
import { affectsHelios, readSettingsWithIgnored } from './settings';
import { RepositorySettingsGuard } from './security/repositorySettingsGuard';
import { UnsandboxedConsentStore } from './security/unsandboxedConsent';
import { BudgetStatusBar } from './statusBar/budgetStatusBar';
import { NotifyingPlanStore } from './views/notifyingPlanStore';
import { registerViews } from './views/registerViews';
import type { DecisionSource } from './views/walkthroughKeys';

/** Other windows of the same account append to the ledger; windows also reset with time. */
const LEDGER_REFRESH_MS = 30_000;
/** Between those, a look at the account board: other windows' calls in flight show within seconds. */
const BOARD_PEEK_MS = 3_000;
/** Records older than the weekly total's horizon (plus a day) are compacted. */
const LEDGER_KEEP_MS = 8 * 86_400_000;
const COMPACT_DELAY_MS = 10_000;

/** The composition root: build the services, register everything, return. Nothing heavy runs here. */
export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  const activationStart = performance.now();
  const log = createLog();
  extension.subscriptions.push(log);

  // User-only settings come from the user's own settings; what a repository set is ignored and
  // named once (repositorySettingsGuard). Unsandboxed verification is a stored consent, not a setting.
  const unsandboxed = new UnsandboxedConsentStore(extension.workspaceState);
  const guard = new RepositorySettingsGuard(extension.workspaceState, log);
  const readSettings = () => {
    const read = readSettingsWithIgnored((verifyCommand) => unsandboxed.applies(verifyCommand));
    guard.update(read.ignored);
    return read.settings;
  };
  let settings = readSettings();
  const providers = new ProviderHost(extension.secrets, () => settings, log);
  const statusBar = new BudgetStatusBar();
  extension.subscriptions.push(unsandboxed, guard, providers, statusBar);
  await providers.refreshKey();

  const storage = (...parts: string[]) => vscode.Uri.joinPath(extension.globalStorageUri, ...parts).fsPath;
  const onCorrupt = (file: string, error: string) => log.warn(`Unreadable state file ${file} left untouched: ${error}`);
  // One account directory per OS user: every window of every VS Code flavour (and `helios run`)
  // admits against its board, so the window cap holds across all of them — or, in team mode, the
  // team's Redis, so one cap holds across the team.
  const { host: account, board } = await AccountHost.open(extension.secrets, log);
  extension.subscriptions.push(account);
  // The ledger this window kept before the account directory existed moves there once, nothing lost.
  await account.local.adopt(storage('usage', 'ledger.jsonl'))
    .then((moved) => { if (moved > 0) log.info(`Moved ${moved} usage records into the account directory ${accountDir()}`); })
    .catch((e: unknown) => log.warn(`Could not move the old usage ledger into the account directory (it stays where it was): ${String(e)}`));
  const ledger = new JsonlFile<UsageRecord>(account.local.ledgerFile, (v) => UsageRecordSchema.parse(v));
  const governor = await Governor.create({
    board,
    ledger,
    config: budgetConfigFrom(settings, providers.mode()),
    observations: new FileObservationStore(storage('governor', 'observations.json'), onCorrupt),
  });
  extension.subscriptions.push({ dispose: () => governor.dispose() });
  account.attach(governor);
  // Announces what Decompose saves: the Plans view and the walkthrough follow it (views/).
  const plans = extension.storageUri
    ? new NotifyingPlanStore(new FilePlanStore(vscode.Uri.joinPath(extension.storageUri, 'plans').fsPath, { onCorrupt: corruptStateWarning(log, 'plan') }))
    : undefined;
  if (plans) extension.subscriptions.push(plans);

  const ctx: HeliosContext = {
    extension, log, providers, governor, plans, unsandboxed,
    settings: () => settings,
    budgetSnapshot: () => buildBudgetSnapshot(governor.view(), providers.mode()),
    onRecorded(record) {
      metrics.recordCall(record);
      log.info(`${record.provider} ${record.model} ${record.requestId ?? ''}: in ${record.usage.inputTokens}, out ${record.usage.outputTokens}, cache read ${record.usage.cacheReadInputTokens}, cache write ${record.usage.cacheCreationInputTokens}`);
    },
  };
  const metrics = new MetricsHost(ctx, vscode.workspace.workspaceFolders?.[0]?.uri.toString() ?? 'none');
  ctx.metrics = metrics;
  extension.subscriptions.push(metrics, metrics.onDidChange(() => DashboardPanel.currentPanel?.scheduleUpdate()));
  const cache = new CacheHost(extension.storageUri, settings, log, metrics);
  ctx.cache = cache;
  // Team mode shares the exact-match cache too, and follows the account host's switches.
  void cache.useTeam(account.teamUrl);
  extension.subscriptions.push(cache, account.onDidChangeTeam((url) => void cache.useTeam(url)));
  let proposals: ProposalSource | undefined;
  let decisions: DecisionSource | undefined;
  if (extension.storageUri) {
    const changes = new FileChangeStore(extension.storageUri.fsPath, { onCorrupt: corruptStateWarning(log, 'change') });
    ctx.runner = new PlanRunner(ctx, extension.storageUri, changes);
    const runner = ctx.runner;
    onDeactivate.push(() => runner.stop());
    extension.subscriptions.push(ctx.runner, ctx.runner.onDidChange((e) => metrics.schedulerEvent(e)));
    const agentDiffs = createAgentDiffs(ctx, extension.storageUri, changes);
    extension.subscriptions.push(agentDiffs.disposable);
    decisions = { list: () => changes.list(), onDidChange: agentDiffs.service.onDidChange };
    proposals = { pending: async () => (await changes.list()).some((c) => c.state === 'proposed' || c.state === 'conflicted'), onDidChange: agentDiffs.service.onDidChange };
  }
  // Menus show only what can run now: running, paused, a plan, proposals (contextKeys.ts).
  ctx.contextKeys = new ContextKeys(ctx, proposals);
  extension.subscriptions.push(ctx.contextKeys);
  void metrics.applyPort(settings.metricsPort);
  extension.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (affectsHelios(e)) void metrics.applyPort(settings.metricsPort);
  }));
  const render = () => {
    const endpoint = providers.endpoint();
    statusBar.render(ctx.budgetSnapshot(), providers.mode(), endpoint && !endpoint.official ? endpoint.display : undefined);
  };

  registerCommands(ctx);
  extension.subscriptions.push(registerAnalysis({ storageUri: extension.storageUri, log }));
  // The Helios container: Plans and Budget, and the walkthrough's steps (Agent Diffs registers itself).
  extension.subscriptions.push(registerViews(ctx, { decisions, ...(plans ? { planSaved: plans.onDidSave } : {}) }));
  let lastState = governor.state;
  extension.subscriptions.push(
    registerDagPanelSerializer(extension, dagPanelDeps(ctx)),
    registerBudgetPanelSerializer(budgetPanelDeps(ctx)),
    registerDashboardPanelSerializer(dashboardPanelDeps(ctx, metrics)),
    { dispose: governor.onDidChange(() => {
      render();
      void BudgetPanel.currentPanel?.update();
      DashboardPanel.currentPanel?.scheduleUpdate();
      // The DAG panel's header says when the budget holds a running plan back.
      if (governor.state !== lastState) void DagPanel.currentPanel?.update();
      if (governor.state !== lastState) log.info(`Budget state: ${lastState} → ${governor.state}`);
      lastState = governor.state;
    }) },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsHelios(e)) return;
      settings = readSettings();
      governor.setConfig(budgetConfigFrom(settings, providers.mode()));
      void providers.restartSimulator();
      render();
    }),
    unsandboxed.onDidChange(() => {
      settings = readSettings();
    }),
    // Restricted Mode → trusted: agents, Run Plan and verification become available; restricted
    // settings now apply, and the first-run provider choice (which looks for `claude`) can be offered.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: Decompose, Run Plan and verification are available');
      settings = readSettings();
      governor.setConfig(budgetConfigFrom(settings, providers.mode()));
      render();
      void maybeShowSimulatorNotice(ctx);
    }),
    extension.secrets.onDidChange(() => void providers.refreshKey()),
    providers.onDidChange(() => {
      governor.setConfig(budgetConfigFrom(settings, providers.mode()));
      void maybeShowSimulatorNotice(ctx);
    }),
  );
  const timer = setInterval(() => void governor.refresh().catch((e: unknown) => log.warn(`Could not read the usage ledger: ${String(e)}`)), LEDGER_REFRESH_MS);
  const peek = setInterval(() => void governor.peek().catch((e: unknown) => log.warn(`Could not look at the account board: ${String(e)}`)), BOARD_PEEK_MS);
  // Off the activation path: fold records older than the weekly horizon into window summaries.
  const compaction = setTimeout(() => {
    // Under the board's lock: no window reads the ledger while it is rewritten. (A team's ledger
    // is a Redis Stream, trimmed by the board itself.)
    void account.local.exclusive(() => compactLedger({ ledgerFile: ledger.file, parse: (v) => UsageRecordSchema.parse(v), now: Date.now(), keepMs: LEDGER_KEEP_MS }))
      .then((r) => {
        if (r && r.compactedRecords > 0) log.info(`Usage ledger: ${r.compactedRecords} old records folded into ${r.windows} window summaries`);
        return governor.refresh();
      })
      .catch((e: unknown) => log.warn(`Usage ledger compaction failed (nothing was lost): ${String(e)}`));
  }, COMPACT_DELAY_MS);
  // Scratch copies a crashed window left behind (verify runs), removed off the activation path.
  const staleCopies = setTimeout(() => {
    void cleanupStale()
      .then((removed) => { if (removed.length > 0) log.info(`Removed ${removed.length} stale verify copies`); })
      .catch((e: unknown) => log.warn(`Could not clean up old verify copies: ${String(e)}`));
  }, COMPACT_DELAY_MS);
  extension.subscriptions.push({ dispose: () => clearInterval(timer) }, { dispose: () => clearInterval(peek) }, { dispose: () => clearTimeout(compaction) }, { dispose: () => clearTimeout(staleCopies) });

  let importing = settings.budgetIncludeClaudeCode;
  const applyClaudeCodeImport = () => void governor
    .setExternalUsage(importing ? () => readClaudeCodeWindowUsage(log) : undefined)
    .catch((e: unknown) => log.warn(`Could not read Claude Code's usage logs: ${String(e)}`));
  extension.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (!affectsHelios(e) || settings.budgetIncludeClaudeCode === importing) return;
    importing = settings.budgetIncludeClaudeCode;
    applyClaudeCodeImport();
  }));
  if (importing) applyClaudeCodeImport();

  render();
  if (!vscode.workspace.isTrusted) log.info('Restricted Mode: the budget meter, Show Budget, the dashboard and the usage import work; Decompose, Run Plan and verification wait until you trust the folder');
  void maybeShowSimulatorNotice(ctx);
  void maybeRemindKeyRotation(ctx);
  // The end-to-end suite reads this line to measure activation: keep its wording.
  log.info(`Helios activated in ${Math.round(performance.now() - activationStart)} ms`);
}

/** What must finish before the extension host goes: runs in flight stop (their children killed). */
const onDeactivate: Array<() => Promise<void>> = [];
/** How long deactivation waits for calls to stop before it lets VS Code go on. */
const STOP_GRACE_MS = 5_000;

export async function deactivate(): Promise<void> {
  await Promise.race([Promise.all(onDeactivate.map((stop) => stop().catch(() => undefined))), new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
  // Everything else is owned by extension.subscriptions; the sandbox runtime's proxies are process-wide.
  await shutdownSandboxRuntime();
}

/** Whether the user's own `claude` is installed (checked off the activation path, once). */
async function claudeCodeInstalled(ctx: HeliosContext): Promise<boolean> {
  try {
    const { ClaudeCodeLlmClient } = await import('../infra/claudeCode/claudeCodeClient');
    const found = await new ClaudeCodeLlmClient(ctx.settings().claudeCodePath ? { binaryPath: ctx.settings().claudeCodePath } : {}).detect();
    ctx.log.info(`Claude Code ${found.version} found at ${found.path}`);
    return true;
  } catch {
    return false;
  }
}

/** Claude Code's calls of the last eight days from its local logs (read-only; no login data). */
async function readClaudeCodeWindowUsage(log: vscode.LogOutputChannel): Promise<UsageRecord[]> {
  const report = await readClaudeCodeUsage({ since: new Date(Date.now() - LEDGER_KEEP_MS) });
  if (report.malformedLines > 0) log.warn(`Claude Code logs: skipped ${report.malformedLines} malformed line(s)`);
  log.info(`Claude Code logs: ${report.entries.length} calls from ${report.files} files (${report.duplicates} duplicates dropped)`);
  return report.entries.map(recordFromClaudeCodeEntry);
}

/** Says once, clearly, that answers come from the simulator, with the way out. */
async function maybeShowSimulatorNotice(ctx: HeliosContext): Promise<void> {
  // In Restricted Mode nothing runs (looking for `claude` starts a process): asked once trusted.
  if (!vscode.workspace.isTrusted) return;
  if (ctx.providers.mode() !== 'simulator' || ctx.extension.globalState.get<boolean>(STATE_KEYS.simulatorNoticeShown)) return;
  await ctx.extension.globalState.update(STATE_KEYS.simulatorNoticeShown, true);
  if (ctx.settings().provider === 'auto' && (await claudeCodeInstalled(ctx))) {
    // First run without a key but with Claude Code installed: let the user choose how to pay.
    await vscode.commands.executeCommand(VIEW_COMMANDS.choosePayment);
    return;
  }
  const setKey = vscode.l10n.t('Set API Key');
  const picked = await vscode.window.showInformationMessage(
    vscode.l10n.t('Helios is using its built-in Claude simulator because no API key is set. Plans are generated locally and nothing is billed.'),
    setKey,
  );
  if (picked === setKey) await vscode.commands.executeCommand('helios.setApiKey');
}
