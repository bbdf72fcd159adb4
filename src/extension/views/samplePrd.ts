import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';

/** The PRDs Decompose finds on its own (pickPrd), as a glob. */
export const PRD_GLOB = '**/{PRD,prd,Prd}*.{md,markdown}';

/** Where the sample goes in the user's folder, and what ships in the .vsix. */
const SAMPLE_NAME = 'PRD.md';
const BUNDLED_SAMPLE = ['media', 'samplePrd.md'] as const;

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Helios: Open the Sample PRD — the walkthrough's one-click start: writes the bundled sample as
 * PRD.md in the first folder, unless a PRD.md is there already (then it opens that one, untouched).
 */
export async function openSamplePrd(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new HeliosError('no_workspace', 'No folder is open');
  const target = vscode.Uri.joinPath(folder.uri, SAMPLE_NAME);
  if (!(await exists(target))) {
    await vscode.workspace.fs.writeFile(target, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...BUNDLED_SAMPLE)));
    log.info(`Wrote the sample PRD to ${vscode.workspace.asRelativePath(target)}`);
  }
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}
