import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MetricsTally } from '../../src/core/metrics/metricsTally';
import { buildMetricsJson, type HeliosMetricsJson } from '../../src/core/metrics/metricsJson';
import { createPlan } from '../../src/core/plan/plan';
import { MetricsServerError, startMetricsServer } from '../../src/infra/metrics/metricsServer';
import { PromMetrics } from '../../src/infra/metrics/promMetrics';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const CLI = path.resolve('dist/cli.js');
const hasPromtool = !spawnSync('promtool', ['--version']).error;
const hasPrometheus = !spawnSync('prometheus', ['--version']).error;
const NO_PROM = 'promtool/prometheus not installed (apt-get install -y prometheus)';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('metrics endpoint', () => {
  it('binds to loopback only, reports a port in use with a typed error, serves both paths', async () => {
    const prom = new PromMetrics();
    const json = () => ({ ok: true });
    await assert.rejects(startMetricsServer({ port: 0, host: '0.0.0.0', registry: prom.registry, json }),
      (e) => e instanceof MetricsServerError && e.reason === 'metrics_host_refused');
    const server = await startMetricsServer({ port: 0, registry: prom.registry, json });
    try {
      await assert.rejects(startMetricsServer({ port: server.port, registry: prom.registry, json }),
        (e) => e instanceof MetricsServerError && e.reason === 'metrics_port_in_use' && e.details.port === server.port);
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const metrics = await fetch(`${server.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await metrics.text(), /# TYPE helios_token_usage_total counter/);
      assert.deepEqual(await (await fetch(`${server.url}/api/v1/helios/metrics`)).json(), { ok: true });
      assert.equal((await fetch(`${server.url}/nope`)).status, 404);
      assert.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await server.stop();
    }
  });
});

/**
 * `helios run --metrics-port 0` against the simulator (through the official SDK): the endpoint is
 * scraped while the run works, the text passes `promtool check metrics`, and the JSON API has the
 * seed's shape with non-zero values.
 */
describe('helios run --metrics-port', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-metrics-'));
  });
  after(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves metrics during the run that promtool accepts', async (t) => {
    const tasks: Task[] = Array.from({ length: 4 }, (_, i) => ({
      id: `T${i + 1}`, title: `Module ${i + 1}`, description: `Implement module ${i + 1}.`, taskType: 'code_generation',
      dependsOn: i === 0 ? [] : [`T${i}`], files: [`src/module${i + 1}.ts`], priority: 2, estimatedTokens: 1_200,
    }));
    const plan = createPlan({
      prd: { path: 'PRD.md', text: '', sha256: 'e'.repeat(64), bytes: 0 },
      result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
      provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
    });
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    sim.injectFault({ kind: 'slow_stream', delayMs: 5, count: 1_000 });

    const child = spawn(process.execPath, [CLI, 'run', planFile, '--state', path.join(dir, 'state'), '--workspace', dir, '--concurrency', '1', '--metrics-port', '0'], {
      env: { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key', HELIOS_ACCOUNT_DIR: path.join(dir, 'state') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    let lastText = '';
    let lastJson: HeliosMetricsJson | undefined;
    try {
      let url: string | undefined;
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && child.exitCode === null) {
        url ??= /Metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
        if (url) {
          try {
            const text = await (await fetch(`${url}/metrics`)).text();
            const json = await (await fetch(`${url}/api/v1/helios/metrics`)).json() as HeliosMetricsJson;
            lastText = text;
            lastJson = json;
            if (/helios_agent_tasks_total\{agent_type="coder",outcome="success"\} [1-9]/.test(text)) break;
          } catch {
            // The run finished between the check and the fetch.
          }
        }
        await delay(50);
      }
    } finally {
      const code = await exited;
      assert.equal(code, 0, stderr);
    }
    assert.match(lastText, /helios_token_usage_total\{model="claude-[a-z0-9-]+",family="[a-z]+",kind="output"\} [1-9]/, 'scraped during the run');
    assert.match(lastText, /helios_project_cost_dollars_total\{project="helios-metrics-[a-z0-9]+"\} /);
    assert.doesNotMatch(lastText, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no paths in labels');
    assert.ok(lastJson && lastJson.token_usage.total_5h_window > 0 && lastJson.cost.current_project > 0, JSON.stringify(lastJson));
    for (const key of ['token_usage', 'cost', 'performance', 'agent_metrics'] as const) assert.ok(key in lastJson);
    assert.equal(typeof lastJson.cost.projected_monthly, 'number');
    if (!hasPromtool) {
      t.skip(NO_PROM);
      return;
    }
    const check = promtoolCheckMetrics(lastText);
    assert.equal(check.status, 0, check.output);
    assert.equal(check.output.trim(), '', `promtool lint findings: ${check.output}`);
  });
});

/** A real Prometheus on 127.0.0.1 scrapes the endpoint; a Helios series is read back over its HTTP API. */
describe('Prometheus scrape', () => {
  let prometheus: ChildProcess | undefined;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-prom-'));
  });
  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const gone = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await Promise.race([gone, delay(5_000)]);
      if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('reads helios_token_usage_total back through Prometheus', { timeout: 60_000, skip: hasPrometheus ? false : NO_PROM }, async () => {
    const prom = new PromMetrics();
    const tally = new MetricsTally();
    const record = {
      v: 1 as const, ts: new Date().toISOString(), workspace: 'file:///tmp/scraped', provider: 'simulator', model: 'claude-opus-5-5',
      family: 'opus' as const, requestId: null, costUsd: 0.25, usage: { ...ZERO_USAGE, inputTokens: 1234, outputTokens: 56 },
    };
    prom.recordCall(record);
    tally.recordCall(record);
    const server = await startMetricsServer({
      port: 0, registry: prom.registry, json: () => buildMetricsJson({ tally, records: [record], workspace: record.workspace, now: Date.now() }),
    });
    try {
      const webPort = await freePort();
      const config = path.join(dir, 'prometheus.yml');
      await writeFile(config, [
        'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: helios',
        `    static_configs:`, `      - targets: ['127.0.0.1:${server.port}']`, '',
      ].join('\n'));
      prometheus = spawn('prometheus', [
        `--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`,
        '--storage.tsdb.retention.time=1h', '--log.level=warn',
      ], { stdio: 'ignore' });
      const query = `http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent('helios_token_usage_total{kind="input"}')}`;
      const deadline = Date.now() + 45_000;
      let value: string | undefined;
      while (Date.now() < deadline && value === undefined) {
        await delay(500);
        try {
          const body = await (await fetch(query)).json() as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
          const series = body.data?.result?.find((r) => r.metric.model === 'claude-opus-5-5');
          value = series?.value[1];
        } catch {
          // Prometheus is still starting.
        }
      }
      assert.equal(value, '1234');
    } finally {
      await server.stop();
    }
  });
});
