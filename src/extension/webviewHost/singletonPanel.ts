import type * as vscode from 'vscode';
import { createWebviewPanel } from './webviewPanelHost';

/** What a one-at-a-time panel exposes to its slot. */
export interface SlotPanel {
  reveal(column?: vscode.ViewColumn): void;
  update(): Promise<void>;
  dispose(): void;
}

/**
 * The one open panel of a view type: `show` reveals it (creating it on first use), `revive` takes
 * over the panel VS Code restored after a reload, and the panel calls `release` when it closes.
 */
export class SingletonPanel<P extends SlotPanel, D extends { readonly extensionUri: vscode.Uri }> {
  private current: P | undefined;

  constructor(
    private readonly viewType: string,
    private readonly title: () => string,
    private readonly make: (panel: vscode.WebviewPanel, deps: D) => P,
  ) {}

  get value(): P | undefined {
    return this.current;
  }

  show(deps: D, column?: vscode.ViewColumn): P {
    const existing = this.current;
    if (existing) {
      existing.reveal(column);
      void existing.update();
      return existing;
    }
    return this.adopt(createWebviewPanel(this.viewType, this.title(), deps.extensionUri, column), deps);
  }

  revive(panel: vscode.WebviewPanel, deps: D): P {
    this.current?.dispose();
    return this.adopt(panel, deps);
  }

  /** Called by the panel when it is disposed: a newer panel in the slot is left alone. */
  release(panel: P): void {
    if (this.current === panel) this.current = undefined;
  }

  private adopt(panel: vscode.WebviewPanel, deps: D): P {
    const p = this.make(panel, deps);
    this.current = p;
    return p;
  }
}
