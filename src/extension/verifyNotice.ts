import * as vscode from 'vscode';
import type { VerificationResult } from '../shared/verification';
import { COMMANDS } from './constants';

/** What is missing and how to get it, in the user's language; undefined for reasons that need no action. */
export function sandboxUnavailableMessage(reason: string | undefined): string | undefined {
  switch (reason) {
    case 'bubblewrap_missing':
    case 'socat_missing':
      return vscode.l10n.t('Helios could not verify changes: the sandbox needs bubblewrap and socat. Install them (Debian/Ubuntu: sudo apt install bubblewrap socat), then run the plan again.');
    case 'sandbox_exec_missing':
      return vscode.l10n.t('Helios could not verify changes: macOS\'s sandbox-exec was not found at /usr/bin/sandbox-exec.');
    case 'unsupported_platform':
      return vscode.l10n.t('Helios cannot verify changes in a sandbox on this operating system yet. Changes are marked "not verified".');
    case 'sandbox_broken':
      return vscode.l10n.t('Helios could not start its sandbox on this machine (unprivileged user namespaces may be disabled). The log has the details.');
    case 'runtime_missing':
      return vscode.l10n.t('Helios could not load its sandbox runtime. Reinstall the extension.');
    default:
      return undefined;
  }
}

/**
 * Says once per window that verification could not run and why — never silently, and never by
 * running the command outside the sandbox instead.
 */
export class VerifyNotice {
  private shown = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  report(result: VerificationResult): void {
    if (result.status !== 'unavailable' && result.status !== 'error') return;
    this.log.warn(`Verification ${result.status}: ${result.reason ?? 'unknown'}`);
    const message = result.status === 'unavailable' ? sandboxUnavailableMessage(result.reason) : undefined;
    if (!message || this.shown) return;
    this.shown = true;
    const showLog = vscode.l10n.t('Show Log');
    // The way out when no sandbox can exist here: the user's own consent, per folder, in a modal.
    const allow = vscode.l10n.t('Allow Without a Sandbox…');
    const choices = result.reason === 'runtime_missing' ? [showLog] : [showLog, allow];
    void vscode.window.showWarningMessage(message, ...choices).then((picked) => {
      if (picked === showLog) this.log.show();
      if (picked === allow) void vscode.commands.executeCommand(COMMANDS.unsandboxedVerification);
    });
  }
}
