import type { DagPanelToHost, DagPanelViewState, HostToDagPanel } from '../../shared/protocol/dagPanel';
import { acquireWebviewApi, isSnapshotEnvelope, type WebviewApi } from '../common/vscodeApi';

/** The part of the webview API the DAG panel uses, typed with the panel's protocol. */
export type DagVsCodeApi = WebviewApi<DagPanelToHost, DagPanelViewState>;

/** May be called once per page load (VS Code throws on a second call). */
export function getVsCodeApi(): DagVsCodeApi {
  return acquireWebviewApi<DagPanelToHost, DagPanelViewState>();
}

/**
 * The host is trusted, but a malformed message must not break the page: check the shape the
 * renderer relies on before using it.
 */
export function isHostMessage(data: unknown): data is HostToDagPanel {
  if (!isSnapshotEnvelope(data)) return false;
  const s = data.snapshot;
  if (s === null) return true;
  return typeof s === 'object' && s !== undefined && Array.isArray((s as Record<string, unknown>)['nodes']);
}
