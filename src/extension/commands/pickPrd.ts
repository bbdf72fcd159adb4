import * as vscode from 'vscode';
import { HeliosError } from '../../core/errors/heliosError';

const MARKDOWN_EXTENSIONS = /\.(md|markdown|mdx|txt)$/i;

/**
 * Which PRD to decompose: the file the command was invoked on (explorer / editor title), else the
 * active Markdown editor, else a PRD*.md in the workspace (asking when there are several).
 */
export async function pickPrd(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && (active.languageId === 'markdown' || MARKDOWN_EXTENSIONS.test(active.uri.path)) && active.uri.scheme !== 'output') {
    return active.uri;
  }
  const found = await vscode.workspace.findFiles('**/{PRD,prd,Prd}*.{md,markdown}', '**/node_modules/**', 50);
  if (found.length === 0) throw new HeliosError('no_prd', 'No PRD file in the workspace');
  if (found.length === 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: vscode.l10n.t('Which PRD should Helios decompose?') },
  );
  return picked?.uri;
}
