import * as vscode from 'vscode';
import { CHANGE_COMMANDS } from '../constants';
import type { ChangeService } from './changeService';
import { parseProposedUri } from './changeUris';

/**
 * "Accept hunk | Reject hunk" above each undecided hunk of a proposed document. The diff editor
 * shows CodeLenses only with `diffEditor.codeLens`; the same actions are in the editor title and
 * context menus (they act on the hunk at the cursor).
 */
export class HunkLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly service: ChangeService) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const ref = parseProposedUri(document.uri);
    if (!ref || ref.side !== 'proposed') return [];
    const { view } = await this.service.remaining(ref).catch(() => ({ view: undefined }));
    return (view?.hunks ?? []).flatMap((h) => {
      const line = Math.min(Math.max(0, h.proposedStart - 1), Math.max(0, document.lineCount - 1));
      const range = new vscode.Range(line, 0, line, 0);
      const counts = `+${h.proposedLines} −${h.baseLines}`;
      return [
        new vscode.CodeLens(range, { title: vscode.l10n.t('$(check) Accept hunk ({0})', counts), command: CHANGE_COMMANDS.acceptHunk, arguments: [document.uri, h.index] }),
        new vscode.CodeLens(range, { title: vscode.l10n.t('$(close) Reject hunk'), command: CHANGE_COMMANDS.rejectHunk, arguments: [document.uri, h.index] }),
      ];
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
