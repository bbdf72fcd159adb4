import * as vscode from 'vscode';
import { resumable } from './commands/resumable';
import { CONTEXT_KEYS, type ContextKey } from './constants';
import type { HeliosContext } from './heliosContext';

/** Runner events come per task; one re-read of the stored state serves a burst of them. */
const REFRESH_DELAY_MS = 100;

/** Where Agent Diffs' pending changes are read, and when they may have changed. */
export interface ProposalSource {
  readonly pending: () => Promise<boolean>;
  readonly onDidChange: vscode.Event<void>;
}

/**
 * Owns VS Code's `setContext` for Helios's keys (constants.ts `CONTEXT_KEYS`), derived from the
 * real state: the runner's events, the governor's Pause, the stored plans (also those another window
 * or `helios run` wrote) and Agent Diffs' proposals. Menus then show only what can run now.
 */
export class ContextKeys implements vscode.Disposable {
  private readonly values = new Map<ContextKey, boolean>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: HeliosContext, private readonly proposals?: ProposalSource) {
    const paused = () => this.set(CONTEXT_KEYS.paused, ctx.governor.manuallyPaused);
    this.disposables.push({ dispose: ctx.governor.onDidChange(paused) });
    paused();
    if (ctx.runner) this.disposables.push(ctx.runner.onDidChange(() => this.soon()));
    if (proposals) this.disposables.push(proposals.onDidChange(() => this.soon()));
    const storage = ctx.extension.storageUri;
    if (storage) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(storage, '{plans/**/*.json,runs/*.json}'));
      this.disposables.push(watcher, watcher.onDidChange(() => this.soon()), watcher.onDidCreate(() => this.soon()), watcher.onDidDelete(() => this.soon()));
    }
    this.soon();
  }

  /** Re-reads plans, runs and proposals soon (after Decompose saved a plan, say). */
  soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch((e: unknown) => this.ctx.log.warn(`Could not update Helios's context keys: ${String(e)}`)), REFRESH_DELAY_MS);
  }

  private async refresh(): Promise<void> {
    const { plans, runner } = this.ctx;
    const latest = await plans?.latest();
    const running = runner?.anyRunning() ?? false;
    const run = latest ? await runner?.runOf(latest.id) : undefined;
    this.set(CONTEXT_KEYS.hasPlan, latest !== undefined);
    this.set(CONTEXT_KEYS.running, running);
    this.set(CONTEXT_KEYS.canResume, latest !== undefined && resumable(run, runner?.isRunning(latest.id) ?? false));
    this.set(CONTEXT_KEYS.hasProposals, (await this.proposals?.pending()) ?? false);
  }

  private set(key: ContextKey, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
