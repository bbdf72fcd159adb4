/** The part of the webview API Helios pages use, typed with each panel's protocol. */
export interface WebviewApi<TPost, TState> {
  postMessage(message: TPost): void;
  getState(): unknown;
  setState(state: TState): void;
}

declare function acquireVsCodeApi(): unknown;

/** May be called once per page load (VS Code throws on a second call). */
export function acquireWebviewApi<TPost, TState>(): WebviewApi<TPost, TState> {
  return acquireVsCodeApi() as WebviewApi<TPost, TState>;
}

/**
 * `{ type: 'snapshot', snapshot, strings }`, the one message every panel's host sends. The host is
 * trusted, but a malformed message must not break a page: each panel then checks its snapshot.
 */
export function isSnapshotEnvelope(data: unknown): data is { readonly type: 'snapshot'; readonly snapshot: unknown; readonly strings: object } {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  return m['type'] === 'snapshot' && 'snapshot' in m && typeof m['strings'] === 'object' && m['strings'] !== null;
}
