import * as vscode from 'vscode';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { FilePlanStore } from '../infra/storage/filePlanStore';
import { JsonlFile } from '../infra/storage/jsonlFile';
import { maybeRemindKeyRotation } from './commands/apiKey';
import { registerCommands } from './commands/registerCommands';
import { STATE_KEYS } from './constants';
import { registerDagPanelSerializer } from './dagPanel/dagPanel';
import { dagPanelDeps } from './commands/showPlan';
import { readCurrentWindow, type HeliosContext } from './heliosContext';
import { createLog } from './log';
import { ProviderHost } from './providerHost';
import { affectsHelios, readSettings } from './settings';
import { BudgetStatusBar } from './statusBar/budgetStatusBar';

const BUDGET_REFRESH_MS = 30_000;

/** The composition root: build the services, register everything, return. Nothing heavy runs here. */
export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  const log = createLog();
  extension.subscriptions.push(log);

  let settings = readSettings();
  const providers = new ProviderHost(extension.secrets, () => settings, log);
  const statusBar = new BudgetStatusBar();
  extension.subscriptions.push(providers, statusBar);

  const ledger = new JsonlFile<UsageRecord>(
    vscode.Uri.joinPath(extension.globalStorageUri, 'usage', 'ledger.jsonl').fsPath,
    (v) => UsageRecordSchema.parse(v),
  );
  const plans = extension.storageUri
    ? new FilePlanStore(vscode.Uri.joinPath(extension.storageUri, 'plans').fsPath, {
      onCorrupt: (file, error) => log.warn(`Unreadable plan file ${file} left untouched: ${error}`),
    })
    : undefined;

  const ctx: HeliosContext = {
    extension, log, providers, ledger, plans, statusBar,
    settings: () => settings,
    async refreshBudget() {
      try {
        statusBar.render(await readCurrentWindow(ledger, log), providers.mode());
      } catch (error) {
        log.error(`Could not read the usage ledger: ${String(error)}`);
      }
    },
    onRecorded(record) {
      log.info(`${record.provider} ${record.model} ${record.requestId ?? ''}: in ${record.usage.inputTokens}, out ${record.usage.outputTokens}, cache read ${record.usage.cacheReadInputTokens}, cache write ${record.usage.cacheCreationInputTokens}`);
      void ctx.refreshBudget();
    },
  };

  registerCommands(ctx);
  extension.subscriptions.push(
    registerDagPanelSerializer(extension, dagPanelDeps(ctx)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsHelios(e)) return;
      settings = readSettings();
      void providers.restartSimulator();
      void ctx.refreshBudget();
    }),
    extension.secrets.onDidChange(() => void providers.refreshKey()),
    providers.onDidChange(() => {
      void ctx.refreshBudget();
      void maybeShowSimulatorNotice(ctx);
    }),
  );
  // Other windows of the same account append to the ledger, and windows reset with time.
  const timer = setInterval(() => void ctx.refreshBudget(), BUDGET_REFRESH_MS);
  extension.subscriptions.push({ dispose: () => clearInterval(timer) });

  await providers.refreshKey();
  void maybeRemindKeyRotation(ctx);
}

export function deactivate(): void {
  // Everything is owned by extension.subscriptions.
}

/** Says once, clearly, that answers come from the simulator, with the way out. */
async function maybeShowSimulatorNotice(ctx: HeliosContext): Promise<void> {
  if (ctx.providers.mode() !== 'simulator' || ctx.extension.globalState.get<boolean>(STATE_KEYS.simulatorNoticeShown)) return;
  await ctx.extension.globalState.update(STATE_KEYS.simulatorNoticeShown, true);
  const setKey = vscode.l10n.t('Set API Key');
  const picked = await vscode.window.showInformationMessage(
    vscode.l10n.t('Helios is using its built-in Claude simulator because no API key is set. Plans are generated locally and nothing is billed.'),
    setKey,
  );
  if (picked === setKey) await vscode.commands.executeCommand('helios.setApiKey');
}

