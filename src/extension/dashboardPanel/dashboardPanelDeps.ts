import type { HeliosContext } from '../heliosContext';
import type { MetricsHost } from '../metricsHost';
import { DashboardPanel, type DashboardPanelDeps } from './dashboardPanel';
import { dashboardPanelStrings } from './dashboardPanelStrings';
import { dashboardSnapshot } from './dashboardPanelSnapshot';

/** What the dashboard needs: the same numbers the metrics endpoint serves. */
export function dashboardPanelDeps(ctx: HeliosContext, metrics: MetricsHost): DashboardPanelDeps {
  return {
    extensionUri: ctx.extension.extensionUri,
    log: ctx.log,
    strings: dashboardPanelStrings,
    getSnapshot: () => dashboardSnapshot(metrics.json(), metrics.cacheLookups()),
  };
}

/** Helios: Show Dashboard. `metrics` is `ctx.metrics`, which activate sets before any command runs. */
export function runShowDashboard(ctx: HeliosContext, metrics: MetricsHost | undefined): void {
  if (!metrics) throw new Error('Show Dashboard ran before the metrics host was created');
  DashboardPanel.show(dashboardPanelDeps(ctx, metrics));
}
