import * as vscode from 'vscode';
import { sha256Hex } from '../../core/changes/proposedChange';
import { HeliosError } from '../../core/errors/heliosError';
import { resolveInside } from '../../infra/changes/safeWorkspace';

/** One file to write: its whole new content, and what the file must still hash to (null: must not exist). */
export interface WorkspaceWrite {
  readonly path: string;
  readonly expectedSha256: string | null;
  readonly content: string;
}

/**
 * Writes files in one WorkspaceEdit (undoable as one step), all or none, confined to the folder,
 * then saves every touched document. A file the user changed since `expectedSha256` was taken is
 * `change_conflict` before anything is written. False when VS Code refused the edit.
 */
export async function writeInOneEdit(root: vscode.Uri, writes: readonly WorkspaceWrite[]): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  const uris: vscode.Uri[] = [];
  for (const write of writes) {
    const uri = vscode.Uri.file(await resolveInside(root.fsPath, write.path));
    uris.push(uri);
    if (write.expectedSha256 === null) {
      edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(write.content) });
      continue;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    // The user may have typed since the change was computed: never overwrite that.
    if (sha256Hex(doc.getText()) !== write.expectedSha256) {
      throw new HeliosError('change_conflict', `${write.path} changed while the change was being applied`, { path: write.path });
    }
    edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), write.content);
  }
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  for (const uri of uris) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
  }
  return true;
}
