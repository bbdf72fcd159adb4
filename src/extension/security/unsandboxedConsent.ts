import * as vscode from 'vscode';
import { consentApplies, readConsent, type UnsandboxedConsent } from '../../core/security/unsandboxedConsent';
import { STATE_KEYS } from '../constants';
import { isTrusted, requireTrust } from './workspaceTrust';

/**
 * The user's consent to verify without a sandbox, kept in this workspace's Helios state (never in
 * settings, which a repository can write). Given and revoked only through the modal below.
 */
export class UnsandboxedConsentStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  current(): UnsandboxedConsent | undefined {
    return readConsent(this.state.get(STATE_KEYS.unsandboxedConsent));
  }

  /** Whether verification may run unsandboxed now, for this folder and this verify command. */
  applies(verifyCommand: string): boolean {
    return consentApplies(this.current(), { folder: vscode.workspace.workspaceFolders?.[0]?.uri.toString(), verifyCommand, trusted: isTrusted() });
  }

  async grant(folder: vscode.Uri, verifyCommand: string): Promise<void> {
    const consent: UnsandboxedConsent = { folder: folder.toString(), verifyCommand: verifyCommand.trim(), grantedAt: new Date().toISOString() };
    await this.state.update(STATE_KEYS.unsandboxedConsent, consent);
    this.changed.fire();
  }

  async revoke(): Promise<void> {
    await this.state.update(STATE_KEYS.unsandboxedConsent, undefined);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Helios: Verification Without a Sandbox for This Folder… — a modal that names the folder and the
 * verify command, to allow it (or, when allowed, to revoke it). Needs a trusted folder.
 */
export async function runUnsandboxedVerification(store: UnsandboxedConsentStore | undefined, verifyCommand: string, log: vscode.LogOutputChannel): Promise<void> {
  requireTrust('verify');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || !store) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a folder first: the consent is given per folder.'));
    return;
  }
  const command = verifyCommand.trim() === '' ? vscode.l10n.t('detected from the project') : verifyCommand.trim();
  if (store.applies(verifyCommand)) {
    const revoke = vscode.l10n.t('Revoke');
    const picked = await vscode.window.showWarningMessage(
      vscode.l10n.t('Verification without a sandbox is allowed in "{0}".', folder.name),
      { modal: true, detail: detail(folder, command, vscode.l10n.t('Revoke it to verify only in the sandbox again (changes are marked "not verified" while none is available).')) },
      revoke,
    );
    if (picked !== revoke) return;
    await store.revoke();
    log.info(`Unsandboxed verification revoked for ${folder.uri.toString()}`);
    return;
  }
  const allow = vscode.l10n.t('Allow for This Folder');
  const picked = await vscode.window.showWarningMessage(
    vscode.l10n.t('Run verification without a sandbox in "{0}"?', folder.name),
    {
      modal: true,
      detail: detail(folder, command, vscode.l10n.t('Use this only when this machine has no usable sandbox and you trust this project. Without a sandbox the verify command and the code the agents wrote run with all your permissions: they can read your files and keys and reach the network. Helios remembers this for this folder and this command only; if the verify command changes, it asks again.')),
    },
    allow,
  );
  if (picked !== allow) return;
  await store.grant(folder.uri, verifyCommand);
  log.warn(`Unsandboxed verification allowed by the user for ${folder.uri.toString()} (verify command: ${command})`);
}

/** The modal's detail: the folder and the command by name, then what it means. */
function detail(folder: vscode.WorkspaceFolder, command: string, meaning: string): string {
  return [vscode.l10n.t('Folder: {0}', folder.uri.fsPath), vscode.l10n.t('Verify command: {0}', command), '', meaning].join('\n');
}
