/**
 * The lifecycle every Helios panel shares: the page, the message boundary, newest-wins updates
 * and disposal. A panel class composes one of these and adds only what its page is about.
 */
import * as vscode from 'vscode';
import type { ParsedWebviewMessage } from './webviewMessages';
import { createNonce, renderWebviewPage } from './webviewHtml';

export interface WebviewPageSpec {
  /** File name under dist/webview (the esbuild output). */
  readonly script: string;
  /** File name under media/. */
  readonly style: string;
  readonly root: { readonly id: string; readonly data: Readonly<Record<string, string>> };
}

export interface WebviewPanelHostOptions<TIn> {
  readonly extensionUri: vscode.Uri;
  readonly page: WebviewPageSpec;
  readonly title: string;
  readonly log: vscode.LogOutputChannel;
  /** Names the panel in log lines ("DAG panel"). */
  readonly name: string;
  readonly parse: (raw: unknown) => ParsedWebviewMessage<TIn>;
  /** Called only with messages `parse` accepted. */
  readonly onMessage: (message: TIn) => void;
  /** Called once, however the panel goes away (closed by the user or disposed by the owner). */
  readonly onDispose: () => void;
}

/** Scripts and styles come from the two folders Helios ships for its pages, nothing else. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function createWebviewPanel(
  viewType: string,
  title: string,
  extensionUri: vscode.Uri,
  column: vscode.ViewColumn | undefined,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(
    viewType,
    title,
    column ?? vscode.ViewColumn.Active,
    // Not retained: a hidden panel costs nothing, and it rebuilds from the host's snapshot and
    // its own saved view state when shown again.
    { ...webviewOptions(extensionUri), retainContextWhenHidden: false },
  );
}

export class WebviewPanelHost<TIn, TOut> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Orders concurrent reads: only the newest one is posted. */
  private seq = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: WebviewPanelHostOptions<TIn>,
  ) {
    const webview = panel.webview;
    const { extensionUri, page } = options;
    webview.options = webviewOptions(extensionUri);
    webview.html = renderWebviewPage({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', page.script)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', page.style)).toString(),
      title: options.title,
      lang: vscode.env.language,
      root: page.root,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Runs `read` (or, when it throws, logs and takes `fallback`) and returns the value, or
   * undefined when the panel closed or a newer call started meanwhile (so a slow read never
   * overwrites a newer snapshot).
   */
  async latest<T>(read: () => T | Promise<T>, fallback: T, what: string): Promise<{ readonly value: T } | undefined> {
    if (this.disposed) return undefined;
    const seq = ++this.seq;
    let value: T;
    try {
      value = await read();
    } catch (err) {
      this.options.log.error(`${this.options.name}: ${what} failed`, err);
      value = fallback;
    }
    return this.disposed || seq !== this.seq ? undefined : { value };
  }

  /** A hidden page drops the message and asks again (`ready`) when shown. */
  async post(message: TOut): Promise<void> {
    if (this.disposed) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.options.onDispose();
    // Re-entrant when VS Code closed the panel (onDidDispose → here): the flag above stops the loop.
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private receive(raw: unknown): void {
    const parsed = this.options.parse(raw);
    if (!parsed.ok) {
      this.options.log.warn(`${this.options.name}: ignored a malformed message from the webview (${parsed.reason})`);
      return;
    }
    this.options.onMessage(parsed.message);
  }
}
