import * as vscode from 'vscode';
import type { PlanStore } from '../../core/plan/plan';
import type { Plan } from '../../shared/taskGraph';

/**
 * The window's plan store, announcing each plan it saves (Decompose): the Plans view and the
 * walkthrough redraw at once. File watchers on workspace storage are not enough: it lies outside
 * the workspace, where VS Code (code-server at least) reports no changes. Plans another window or
 * `helios run` saves still arrive through the watchers where they work, and on the next refresh.
 */
export class NotifyingPlanStore implements PlanStore, vscode.Disposable {
  private readonly saved = new vscode.EventEmitter<Plan>();
  readonly onDidSave = this.saved.event;

  constructor(private readonly inner: PlanStore) {}

  async save(plan: Plan): Promise<void> {
    await this.inner.save(plan);
    this.saved.fire(plan);
  }

  latest(): Promise<Plan | undefined> {
    return this.inner.latest();
  }

  list(): Promise<Plan[]> {
    return this.inner.list();
  }

  dispose(): void {
    this.saved.dispose();
  }
}
