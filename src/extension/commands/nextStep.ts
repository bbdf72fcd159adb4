import * as vscode from 'vscode';

/** A notification's next step: its button and the command it runs. */
export interface NextStep {
  readonly title: string;
  readonly command: string;
  readonly args?: readonly unknown[];
}

/** Shows a notification with next-step buttons and runs the one the user picks. */
export async function offer(show: (message: string, ...items: string[]) => Thenable<string | undefined>, message: string, steps: readonly NextStep[]): Promise<void> {
  const title = await show(message, ...steps.map((s) => s.title));
  const picked = steps.find((s) => s.title === title);
  if (picked) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
}

/** The button that opens the Settings editor on one setting (`helios.metrics.port`). */
export function openSetting(key: string): NextStep {
  return { title: vscode.l10n.t('Open Setting'), command: 'workbench.action.openSettings', args: [key] };
}
