import * as vscode from 'vscode';
import { HeliosError } from '../core/errors/heliosError';
import { localeInteger } from '../shared/numberFormat';
import { CHANGE_COMMANDS, COMMANDS, MANAGE_TRUST_COMMAND } from './constants';
import { untrustedMessage } from './security/workspaceTrust';

interface Action {
  readonly title: string;
  readonly command: string;
  readonly args?: readonly unknown[];
}

/** The one adapter from typed errors to what the user reads: what happened, and what to do next. */
export function describeError(error: unknown): { message: string; actions: Action[] } {
  const showLog: Action = { title: vscode.l10n.t('Show Log'), command: COMMANDS.showLog };
  const setKey: Action = { title: vscode.l10n.t('Set API Key'), command: COMMANDS.setApiKey };
  const openSetting = (key: string): Action => ({ title: vscode.l10n.t('Open Setting'), command: 'workbench.action.openSettings', args: [key] });
  const decompose: Action = { title: vscode.l10n.t('Decompose PRD'), command: COMMANDS.decomposePrd };
  const reviewChanges: Action = { title: vscode.l10n.t('Review Changes'), command: COMMANDS.showAgentDiffs };
  if (!(error instanceof HeliosError)) {
    return { message: vscode.l10n.t('Helios hit an unexpected error. The log has the details.'), actions: [showLog] };
  }
  const d = error.details;
  switch (error.reason) {
    case 'prd_empty':
      return { message: vscode.l10n.t('{0} is empty. Write the requirements first, then decompose it.', String(d.path ?? vscode.l10n.t('The PRD'))), actions: [] };
    case 'prd_not_text':
      return { message: vscode.l10n.t('{0} is not a UTF-8 text file. Save the PRD as Markdown or plain text.', String(d.path ?? vscode.l10n.t('The PRD'))), actions: [] };
    case 'prd_too_large':
      return {
        message: vscode.l10n.t('The PRD is too large: about {0} tokens, but {1} accepts {2}. Split it into smaller PRDs.', localeInteger(Number(d.tokens), vscode.env.language), String(d.model), localeInteger(Number(d.limit), vscode.env.language)),
        actions: [],
      };
    case 'plan_invalid':
    case 'model_output_invalid':
      return { message: vscode.l10n.t('The Architect returned an invalid plan twice, so nothing was saved. The log lists the problems; try again or use a stronger model.'), actions: [showLog] };
    case 'model_output_truncated':
      return { message: vscode.l10n.t('The plan did not fit in {0} output tokens. Raise "helios.architect.maxOutputTokens" or split the PRD.', String(d.maxTokens)), actions: [openSetting('helios.architect.maxOutputTokens')] };
    case 'model_refused':
      return { message: vscode.l10n.t('The model declined to plan this PRD.'), actions: [showLog] };
    case 'no_api_key':
      return { message: vscode.l10n.t('No Anthropic API key is set. Set one, or set "helios.provider" to "simulator" to try Helios offline.'), actions: [setKey, openSetting('helios.provider')] };
    case 'provider_auth':
      return { message: vscode.l10n.t('The Anthropic API rejected the API key. Set a valid key.'), actions: [setKey] };
    case 'provider_rate_limited':
      return { message: vscode.l10n.t('The provider is rate-limiting requests and retries ran out. Wait a minute and try again.'), actions: [showLog] };
    case 'provider_overloaded':
      return { message: vscode.l10n.t('The provider is overloaded and retries ran out. Try again shortly.'), actions: [showLog] };
    case 'usage_unknown':
      return { message: vscode.l10n.t('A Claude Code process (pid {0}) could not be stopped, so what it spent is unknown. Helios counts its whole reservation against the budget; end the process yourself if it is still running.', String(d.pid ?? '?')), actions: [showLog] };
    case 'provider_timeout':
      return { message: vscode.l10n.t('The provider did not answer in time. Check your connection or raise "helios.requestTimeoutSeconds".'), actions: [openSetting('helios.requestTimeoutSeconds'), showLog] };
    case 'provider_bad_request':
      return { message: vscode.l10n.t('The provider refused the request ({0}). Check the model id in the settings.', String(d.status ?? '')), actions: [openSetting('helios.architect.model'), showLog] };
    case 'provider_unavailable':
      return { message: vscode.l10n.t('The provider could not be reached. Check your connection and try again.'), actions: [showLog] };
    case 'cancelled':
      return { message: vscode.l10n.t('Cancelled. Nothing was saved.'), actions: [] };
    case 'no_workspace':
      return { message: vscode.l10n.t('Open a folder first: Helios keeps plans in the workspace.'), actions: [{ title: vscode.l10n.t('Open Folder'), command: 'workbench.action.files.openFolder' }] };
    case 'no_prd':
      return { message: vscode.l10n.t('No PRD found. Open a Markdown file with your requirements, or add PRD.md to the workspace.'), actions: [] };
    case 'no_plan':
      return { message: vscode.l10n.t('There is no plan yet. Run "Helios: Decompose PRD" first.'), actions: [decompose] };
    case 'state_corrupt':
      return { message: vscode.l10n.t('A Helios state file was unreadable: it was kept as *.corrupt-… beside the original, and the log names it.'), actions: [showLog] };
    case 'disk_full':
      return { message: vscode.l10n.t('The disk is full: Helios could not write {0}. Free some space, then run the plan again; finished tasks are kept.', String(d.path ?? '')), actions: [showLog] };
    case 'state_unwritable':
      return { message: vscode.l10n.t('Helios cannot write {0} ({1}). Check that the folder exists and that you may write to it, then try again.', String(d.path ?? ''), String(d.code ?? '')), actions: [showLog] };
    case 'plan_running':
      if (d.where === 'here') return { message: vscode.l10n.t('Plan {0} is running in this window. Pause or cancel it, then reject {1}.', String(d.planId ?? ''), String(d.taskId ?? '')), actions: [{ title: vscode.l10n.t('Pause Plan Run'), command: COMMANDS.pauseRun }] };
      return { message: vscode.l10n.t('Plan {0} is already running in another window or process (pid {1}). Wait for it to finish, or stop it there.', String(d.planId ?? ''), String(d.pid ?? '?')), actions: [] };
    case 'prd_changed':
      return { message: vscode.l10n.t('{0} changed since its plan was made. Decompose it again to plan the new version.', String(d.prd ?? vscode.l10n.t('The PRD'))), actions: [decompose] };
    case 'finding_not_found':
      return { message: vscode.l10n.t('That review finding no longer exists: the change was reviewed again or removed.'), actions: [] };
    case 'change_target_invalid':
      return { message: vscode.l10n.t('That proposed change is no longer stored, or it has no such file or hunk. Refresh Agent Diffs.'), actions: [{ title: vscode.l10n.t('Refresh Agent Diffs'), command: CHANGE_COMMANDS.refresh }] };
    case 'change_conflict':
      return { message: vscode.l10n.t('{0} changed since the task read it, so nothing was written.', String(d.path ?? '')), actions: [] };
    case 'path_outside_workspace':
      return { message: vscode.l10n.t('Refused: {0} is outside the workspace folder. Nothing was written.', String(d.path ?? '')), actions: [showLog] };
    case 'state_busy':
      return { message: vscode.l10n.t('Another Helios window is updating the same change. Try again in a moment.'), actions: [] };
    case 'integration_conflict':
      return { message: vscode.l10n.t('{0}: its edits overlap another task of the plan even after a rebase. Both versions are kept in Agent Diffs; choose one.', String(d.taskId ?? '')), actions: [reviewChanges] };
    case 'git_failed':
      return { message: vscode.l10n.t('Git refused a plan-branch operation: {0}', String(d.command ?? '')), actions: [showLog] };
    case 'plan_branch_unmerged':
      return { message: vscode.l10n.t('The plan branch {0} has changes you have not accepted, so it was kept.', String(d.branch ?? '')), actions: [reviewChanges] };
    case 'workspace_untrusted':
      return { message: untrustedMessage(String(d.feature ?? '')), actions: [{ title: vscode.l10n.t('Manage Workspace Trust'), command: MANAGE_TRUST_COMMAND }] };
    case 'finding_not_applicable':
      return { message: vscode.l10n.t('The suggestion cannot be applied here: the lines it refers to were already decided or changed. Edit the file by hand, or resolve the finding.'), actions: [] };
  }
}

/** Shows an error with its actions; cancellation is quiet (an information message at most). */
export async function showError(error: unknown, log: vscode.LogOutputChannel): Promise<void> {
  log.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  const { message, actions } = describeError(error);
  const show = error instanceof HeliosError && error.reason === 'cancelled' ? vscode.window.showInformationMessage
    // Restricted Mode is a state the user chose, not a failure: a warning with the way out.
    : error instanceof HeliosError && error.reason === 'workspace_untrusted' ? vscode.window.showWarningMessage
      : vscode.window.showErrorMessage;
  const picked = await show(message, ...actions.map((a) => a.title));
  const action = actions.find((a) => a.title === picked);
  if (action) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
}
