/** Metrics → the dashboard's snapshot. Pure (no `vscode`), so plain node tests it. */
import type { HeliosMetricsJson } from '../../core/metrics/metricsJson';
import type { DashboardCacheLevel, DashboardSnapshot } from '../../shared/protocol/dashboardPanel';

export function dashboardSnapshot(
  metrics: HeliosMetricsJson,
  cache: ReadonlyMap<DashboardCacheLevel, { readonly hits: number; readonly misses: number }>,
): DashboardSnapshot {
  const level = (l: DashboardCacheLevel) => {
    const c = cache.get(l);
    return { hits: c?.hits ?? 0, misses: c?.misses ?? 0 };
  };
  return { metrics, cacheLookups: { l1: level('l1'), l2: level('l2'), l3: level('l3') } };
}
