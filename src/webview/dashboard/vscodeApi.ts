import type { DashboardPanelToHost, HostToDashboardPanel } from '../../shared/protocol/dashboardPanel';
import { DASHBOARD_CACHE_LEVELS } from '../../shared/protocol/dashboardPanel';
import { acquireWebviewApi, isSnapshotEnvelope, type WebviewApi } from '../common/vscodeApi';

/** The dashboard keeps no view state: everything it shows comes from the host. */
export type DashboardVsCodeApi = WebviewApi<DashboardPanelToHost, Record<string, never>>;

/** May be called once per page load (VS Code throws on a second call). */
export function getVsCodeApi(): DashboardVsCodeApi {
  return acquireWebviewApi<DashboardPanelToHost, Record<string, never>>();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The envelope, and the parts of the snapshot the renderer reads or iterates over. */
export function isHostMessage(data: unknown): data is HostToDashboardPanel {
  if (!isSnapshotEnvelope(data)) return false;
  const s = data.snapshot;
  if (s === null) return true;
  if (!isObject(s) || !isObject(s['metrics']) || !isObject(s['cacheLookups'])) return false;
  const m = s['metrics'];
  const lookups = s['cacheLookups'];
  return (
    isObject(m['token_usage']) &&
    isObject(m['cost']) && Array.isArray(m['cost']['per_project']) && isObject(m['cost']['projection']) &&
    isObject(m['performance']) && isObject(m['performance']['avg_task_latency_by_agent']) &&
    isObject(m['agent_metrics']) && isObject(m['agent_metrics']['tasks']) &&
    DASHBOARD_CACHE_LEVELS.every((l) => isObject(lookups[l]))
  );
}
