import * as vscode from 'vscode';

export type StateFileKind = 'run' | 'change' | 'plan';

/**
 * A store's report of an unreadable state file it moved aside (`*.corrupt-<time>`): the full
 * story in the log, and a warning that names the file and says what it means for the user's work.
 */
export function corruptStateWarning(log: vscode.LogOutputChannel, kind: StateFileKind) {
  return (file: string, error: string, aside: string | undefined): void => {
    log.warn(`Unreadable ${kind} file ${file} (${error}) kept as ${aside ?? '(already moved by another window)'}`);
    const meaning = kind === 'run'
      ? vscode.l10n.t('Finished tasks are restored from the plan\'s integrated tree; nothing finished runs again.')
      : kind === 'change'
        ? vscode.l10n.t('That task\'s change will be made again if the plan\'s tree does not hold it.')
        : vscode.l10n.t('The plan it held can no longer be run; its finished work stays in the plan\'s tree.');
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} was unreadable and was kept as {1}. {2}', baseName(file), aside ? baseName(aside) : '-', meaning));
  };
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
