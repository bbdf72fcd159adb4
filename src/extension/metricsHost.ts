import * as vscode from 'vscode';
import { offer, openSetting } from './commands/nextStep';
import { fanOutSink, type MetricsSink } from '../core/metrics/metricsSink';
import { MetricsTally } from '../core/metrics/metricsTally';
import type { CacheGuardOutcome, CacheLevel } from '../core/metrics/metricsSink';
import { buildMetricsJson, type HeliosMetricsJson } from '../core/metrics/metricsJson';
import { observeScheduler } from '../core/metrics/schedulerMetrics';
import type { SchedulerEvent } from '../core/scheduler/scheduler';
import type { UsageRecord } from '../core/usage/usageLedger';
import { PromMetrics } from '../infra/metrics/promMetrics';
import { MetricsServerError, startMetricsServer, type MetricsServer } from '../infra/metrics/metricsServer';
import type { HeliosContext } from './heliosContext';

/**
 * Helios's metrics in this window: every settled call, task and budget change goes into a
 * prom-client registry; the endpoint (127.0.0.1 only) runs only when `helios.metrics.port` is set.
 */
export class MetricsHost implements vscode.Disposable {
  private readonly prom = new PromMetrics();
  private readonly tally = new MetricsTally();
  private readonly sink: MetricsSink = fanOutSink(this.prom, this.tally);
  private readonly onScheduler: (e: SchedulerEvent) => void;
  private readonly changed = new vscode.EventEmitter<void>();
  private server: MetricsServer | undefined;
  private port = 0;

  /** Fires after every recorded call and scheduler event (live updates for the dashboard). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly ctx: HeliosContext,
    private readonly workspace: string,
  ) {
    this.onScheduler = observeScheduler(this.sink, { workspace });
  }

  recordCall(record: UsageRecord): void {
    this.sink.recordCall(record);
    this.sink.setBudget(this.ctx.budgetSnapshot());
    this.changed.fire();
  }

  /** A cache lookup (l1 prompt cache, l2 exact, l3 semantic), for the `helios_cache_*` series and the dashboard. */
  recordCacheLookup(level: CacheLevel, hit: boolean): void {
    this.sink.recordCacheLookup(level, hit);
    this.changed.fire();
  }

  recordCacheGuard(outcome: CacheGuardOutcome): void {
    this.sink.recordCacheGuard(outcome);
  }

  recordCacheSaved(level: CacheLevel, usd: number): void {
    this.sink.recordCacheSaved(level, usd);
  }

  schedulerEvent(event: SchedulerEvent): void {
    this.onScheduler(event);
    this.changed.fire();
  }

  /**
   * The seed's JSON (`/api/v1/helios/metrics`), as the endpoint serves it. The budget is re-read
   * first, so a window that began (or reset) before this session's first call still shows.
   */
  json(): HeliosMetricsJson {
    this.sink.setBudget(this.ctx.budgetSnapshot());
    return buildMetricsJson({ tally: this.tally, records: this.ctx.governor.view().records, workspace: this.workspace, now: Date.now() });
  }

  /** Hits and misses per cache level: the JSON's rate cannot tell "no lookups" from "all misses". */
  cacheLookups(): ReadonlyMap<CacheLevel, { readonly hits: number; readonly misses: number }> {
    return this.tally.view().cache;
  }

  /** Starts, moves or stops the endpoint to match the setting. */
  async applyPort(port: number): Promise<void> {
    if (port === this.port) return;
    await this.server?.stop();
    this.server = undefined;
    this.port = port;
    if (port <= 0) return;
    try {
      this.server = await startMetricsServer({
        port,
        registry: this.prom.registry,
        json: () => this.json(),
      });
      this.ctx.log.info(`Metrics endpoint: ${this.server.url}metrics (127.0.0.1 only)`);
    } catch (error) {
      this.port = 0;
      const inUse = error instanceof MetricsServerError && error.reason === 'metrics_port_in_use';
      void offer(vscode.window.showErrorMessage, inUse
        ? vscode.l10n.t('Helios could not serve metrics: port {0} is in use. Choose another "helios.metrics.port".', port)
        : vscode.l10n.t('Helios could not serve metrics on port {0}. The log has the details.', port),
      [openSetting('helios.metrics.port')]);
      this.ctx.log.error(`Metrics endpoint failed: ${String(error)}`);
    }
  }

  dispose(): void {
    this.changed.dispose();
    void this.server?.stop();
  }
}
