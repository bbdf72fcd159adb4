import * as vscode from 'vscode';
import type { ProposedChange } from '../../shared/proposedChange';
import { STATE_KEYS, WALKTHROUGH_KEYS, type WalkthroughKey } from '../constants';
import type { HeliosContext } from '../heliosContext';
import { affectsHelios } from '../settings';
import { PRD_GLOB } from './samplePrd';
import type { PlanRow } from './plansTreeModel';

/** Where the walkthrough learns that the user decided on a proposed change. */
export interface DecisionSource {
  readonly list: () => Promise<readonly ProposedChange[]>;
  readonly onDidChange: vscode.Event<void>;
}

/** The user decided something: a change or some of its hunks were accepted, applied or rejected. */
export function decided(change: ProposedChange): boolean {
  if (change.state !== 'proposed' && change.state !== 'conflicted') return true;
  return Object.values(change.decisions ?? {}).some((f) => f.hunks.some((h) => h !== 'pending'));
}

/**
 * The context keys the walkthrough's steps complete on (`onContext:` in package.json): each one
 * turns true when the real thing happened — a way to pay was chosen, a PRD exists, a plan finished,
 * a change was decided — never because a command merely ran. Keys only ever turn on: a step, once
 * done, stays done.
 */
export class WalkthroughKeys implements vscode.Disposable {
  private readonly on = new Set<WalkthroughKey>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: HeliosContext, plans: vscode.Event<readonly PlanRow[]>, decisions?: DecisionSource) {
    const payment = () => {
      const chosen = ctx.providers.mode() !== 'simulator' || ctx.settings().provider !== 'auto'
        || ctx.extension.globalState.get<boolean>(STATE_KEYS.paymentChosen) === true;
      if (chosen) this.set(WALKTHROUGH_KEYS.paymentChosen);
    };
    payment();
    this.disposables.push(ctx.providers.onDidChange(payment), vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsHelios(e)) payment();
    }));

    this.disposables.push(plans((rows) => {
      if (rows.some((r) => r.state === 'done')) this.set(WALKTHROUGH_KEYS.planRan);
    }));

    if (decisions) {
      const review = () => void decisions.list().then((all) => {
        if (all.some(decided)) this.set(WALKTHROUGH_KEYS.reviewed);
      }, (e: unknown) => ctx.log.warn(`Walkthrough: could not read the proposed changes: ${String(e)}`));
      review();
      this.disposables.push(decisions.onDidChange(review));
    }

    const prd = () => void vscode.workspace.findFiles(PRD_GLOB, '**/node_modules/**', 1).then((found) => {
      if (found.length > 0) this.set(WALKTHROUGH_KEYS.hasPrd);
    });
    prd();
    const watcher = vscode.workspace.createFileSystemWatcher(PRD_GLOB, false, true, true);
    this.disposables.push(watcher, watcher.onDidCreate(() => this.set(WALKTHROUGH_KEYS.hasPrd)));
  }

  /** The user picked a way to pay (the simulator included): remembered for every window. */
  async paymentChosen(): Promise<void> {
    await this.ctx.extension.globalState.update(STATE_KEYS.paymentChosen, true);
    this.set(WALKTHROUGH_KEYS.paymentChosen);
  }

  set(key: WalkthroughKey): void {
    if (this.on.has(key)) return;
    this.on.add(key);
    void vscode.commands.executeCommand('setContext', key, true);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
