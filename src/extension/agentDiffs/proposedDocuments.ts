import * as vscode from 'vscode';
import type { ChangeService } from './changeService';
import { parseProposedUri, PROPOSED_SCHEME } from './changeUris';

/**
 * Read-only documents for the diff editor. `helios-proposed:/path?plan&task` is the current file
 * with the still-pending hunks applied (after a partial accept the accepted hunks are already in
 * the file, the rejected ones drop out); `…&side=current` is the file as it is now. A file that
 * changed since the task read it shows the proposal as the Coder wrote it (the conflict view).
 */
export class ProposedDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly service: ChangeService) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, this);
  }

  /** Re-reads every open Helios document (after a decision, a save, another window's update). */
  refreshOpen(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === PROPOSED_SCHEME) this.changed.fire(doc.uri);
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseProposedUri(uri);
    if (!ref) return '';
    try {
      if (ref.side === 'current') return (await this.service.readCurrent(ref.path)) ?? '';
      if (ref.side === 'base') return (await this.service.load(ref.planId, ref.taskId)).files.find((f) => f.path === ref.path)?.baseContent ?? '';
      const { file, view } = await this.service.remaining(ref);
      return view?.content ?? file.proposedContent;
    } catch (error) {
      return vscode.l10n.t('This proposed change is no longer available: {0}', error instanceof Error ? error.message : String(error));
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
