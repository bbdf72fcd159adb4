import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';
import { COMMANDS, type CommandId } from '../constants';

/**
 * Restricted Mode (an untrusted folder). Helios declares `untrustedWorkspaces: limited`: the budget
 * meter, Show Budget, the dashboard and the Claude Code usage import work; nothing that sends the
 * folder's content to a model or runs a process on it does. Each gated command says why, with a
 * button to Manage Workspace Trust (errorMessages.ts, reason `workspace_untrusted`).
 */
export type TrustedFeature = 'decompose' | 'run' | 'verify' | 'git' | 'agents';

/** Commands that run agents or processes on the folder's code. */
export const COMMANDS_NEEDING_TRUST: Readonly<Partial<Record<CommandId, TrustedFeature>>> = {
  [COMMANDS.decomposePrd]: 'decompose',
  [COMMANDS.runPlan]: 'run',
  [COMMANDS.resumeRun]: 'run',
  [COMMANDS.resumeTask]: 'run',
  [COMMANDS.unsandboxedVerification]: 'verify',
};

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Throws `workspace_untrusted` in Restricted Mode; the error adapter explains it. */
export function requireTrust(feature: TrustedFeature): void {
  if (!isTrusted()) throw new HeliosError('workspace_untrusted', `${feature} needs a trusted workspace`, { feature });
}

/** What the user reads in Restricted Mode for each feature. */
export function untrustedMessage(feature: string): string {
  switch (feature) {
    case 'decompose':
      return vscode.l10n.t('Decompose PRD needs a trusted folder. In Restricted Mode Helios sends nothing from this folder to a model and runs nothing in it; the budget meter, Show Budget and the dashboard still work. Trust the folder to plan its PRD.');
    case 'run':
      return vscode.l10n.t('Run Plan needs a trusted folder: it runs agents on this folder\'s code and verifies their changes by running the project\'s verify command. Trust the folder to run plans.');
    case 'verify':
      return vscode.l10n.t('Verification needs a trusted folder: it runs the project\'s verify command. Trust the folder first.');
    case 'git':
      return vscode.l10n.t('Plan branches need a trusted folder: Helios runs git in it, and a repository\'s git configuration can run programs. Trust the folder first.');
    default:
      return vscode.l10n.t('Helios calls a model and runs commands only in folders you trust. Trust this folder to use its agents.');
  }
}
