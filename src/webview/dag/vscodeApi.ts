import type { DagPanelToHost, DagPanelViewState, HostToDagPanel } from '../../shared/protocol/dagPanel';

/** The part of the webview API the DAG panel uses, typed with the panel's protocol. */
export interface DagVsCodeApi {
  postMessage(message: DagPanelToHost): void;
  getState(): unknown;
  setState(state: DagPanelViewState): void;
}

declare function acquireVsCodeApi(): DagVsCodeApi;

/** May be called once per page load (VS Code throws on a second call). */
export function getVsCodeApi(): DagVsCodeApi {
  return acquireVsCodeApi();
}

/**
 * The host is trusted, but a malformed message must not break the page: check the shape the
 * renderer relies on before using it.
 */
export function isHostMessage(data: unknown): data is HostToDagPanel {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  if (m['type'] !== 'snapshot' || typeof m['strings'] !== 'object' || m['strings'] === null) return false;
  const s = m['snapshot'];
  if (s === null) return true;
  return typeof s === 'object' && s !== undefined && Array.isArray((s as Record<string, unknown>)['nodes']);
}
