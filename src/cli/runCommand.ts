import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decomposePrd } from '../core/agents/architect';
import { readPrd } from '../core/agents/prdInput';
import { normalizeWorkspacePath, pathProblem } from '../core/changes/paths';
import { DEFAULT_BUDGET, type BudgetConfig } from '../core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../core/governor/budgetSnapshot';
import { GovernedLlmClient } from '../core/governor/governedLlmClient';
import { Governor } from '../core/governor/governor';
import { planOverview, withSharedContext } from '../core/agents/coderPrompt';
import { CachedLlmClient } from '../core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../core/cache/embedder';
import { ExactCache } from '../core/cache/exactCache';
import { coderScopeResolver, ScopedCacheClient, type ScopeResolver } from '../core/cache/scopedCacheClient';
import { SemanticCache } from '../core/cache/semanticCache';
import type { LlmClient } from '../core/llm/llmClient';
import { FileExactCacheStore } from '../infra/cache/fileExactCacheStore';
import { VectraIndex } from '../infra/cache/vectraIndex';
import { createContextHook } from '../core/context/contextHook';
import { createReviewContextHook, once } from '../core/context/reviewContext';
import { buildMetricsJson } from '../core/metrics/metricsJson';
import { fanOutSink } from '../core/metrics/metricsSink';
import { MetricsTally } from '../core/metrics/metricsTally';
import { observeScheduler } from '../core/metrics/schedulerMetrics';
import { createPlan } from '../core/plan/plan';
import { parsePlan } from '../core/plan/planSchema';
import { createCoderExecutor, DEFAULT_REVIEW_ROUNDS, type ReviewEvent } from '../core/scheduler/coderExecutor';
import { Scheduler, type SchedulerEvent } from '../core/scheduler/scheduler';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { writeFileAtomic } from '../infra/storage/atomicFile';
import { acceptOnDisk } from '../infra/changes/diskChanges';
import { createWorkspaceVerifier } from '../infra/sandbox/workspaceVerifier';
import { FileChangeStore } from '../infra/storage/fileChangeStore';
import { FileRunStore } from '../infra/storage/fileRunStore';
import { JsonlFile } from '../infra/storage/jsonlFile';
import { PromMetrics } from '../infra/metrics/promMetrics';
import { startMetricsServer } from '../infra/metrics/metricsServer';
import type { BudgetSnapshot } from '../shared/budget';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan } from '../shared/taskGraph';
import { totalTokens } from '../shared/usage';
import { providerFromEnvironment } from './cli';

export const runCommand = {
  usage: 'run <plan.json|prd.md>… [--concurrency N] [--per-plan N] [--state DIR] [--workspace DIR] [--provider P] [--speed-up X] [--window-tokens N] [--metrics-port N] [--review] [--review-rounds N] [--verify "<command>"|auto] [--verify-allow-host H]… [--apply] [--no-cache] [--json]',
  run: runPlans,
};

/**
 * `helios run`: runs plans headless with the same core as the extension — router, scheduler,
 * Coder, governor. State (runs, proposed changes, the ledger) lives in `--state`, so a killed run
 * resumes where it stopped without re-running a finished task.
 */
async function runPlans(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      concurrency: { type: 'string', default: '8' },
      'per-plan': { type: 'string', default: '4' },
      state: { type: 'string', default: '.helios' },
      workspace: { type: 'string', default: '.' },
      provider: { type: 'string' },
      'speed-up': { type: 'string', default: '1' },
      'window-tokens': { type: 'string' },
      'metrics-port': { type: 'string' },
      review: { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
      verify: { type: 'string' },
      'verify-allow-host': { type: 'string', multiple: true },
      'review-rounds': { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new Error('run needs a plan.json or a PRD');
  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65_535)) {
    throw new Error(`--metrics-port must be a port number (0–65535), got '${values['metrics-port']}'`);
  }
  const reviewRounds = values['review-rounds'] === undefined ? DEFAULT_REVIEW_ROUNDS : Number(values['review-rounds']);
  if (!(Number.isInteger(reviewRounds) && reviewRounds >= 1 && reviewRounds <= 5)) {
    throw new Error(`--review-rounds must be a whole number from 1 to 5, got '${values['review-rounds']}'`);
  }
  const stateDir = path.resolve(values.state);
  const workspaceDir = path.resolve(values.workspace);
  await mkdir(stateDir, { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { client: inner, stop } = await providerFromEnvironment(Number(values['speed-up']) || 1, values.provider);
  let metrics: RunMetrics | undefined;
  try {
    const ledger = new JsonlFile<UsageRecord>(path.join(stateDir, 'ledger.jsonl'), (v) => UsageRecordSchema.parse(v));
    const config: BudgetConfig = {
      ...DEFAULT_BUDGET, plan: 'custom', windowMessages: 0,
      windowTokens: Number(values['window-tokens'] ?? 0) || 10_000_000,
    };
    const governor = await Governor.create({ ledger, config });
    const workspace = `file://${workspaceDir}`;
    metrics = metricsPort === undefined ? undefined : await startRunMetrics(metricsPort, workspace, () => buildBudgetSnapshot(governor.view(), inner.provider), () => governor.view().records, log);
    const governed = new GovernedLlmClient(inner, governor, { workspace, now: () => new Date(), onRecorded: metrics?.onRecorded });
    // router → cache → governor → provider, with the caches in `--state` (`--no-cache`: L1 only).
    const plansById = new Map<string, Plan>();
    const client = await cachedClient(governed, values['no-cache'] ? undefined : path.join(stateDir, 'cache'), coderScopeResolver(
      (planId, taskId) => plansById.get(planId)?.graph.tasks.find((t) => t.id === taskId),
      (p) => readWorkspaceFile(workspaceDir, p),
    ), log);

    const plans: Plan[] = [];
    for (const input of positionals) plans.push(await loadOrDecompose(input, client, stateDir, log));
    for (const plan of plans) plansById.set(plan.id, plan);

    const changeStore = new FileChangeStore(stateDir);
    const verify = createWorkspaceVerifier(values.verify, workspaceDir, values['verify-allow-host'] ? { allowedHosts: values['verify-allow-host'] } : {});
    const graph = openGraphOnce(workspaceDir);
    const taskContext = workspaceContext(workspaceDir, log, graph);
    const scheduler = new Scheduler({
      store: new FileRunStore(path.join(stateDir, 'runs')),
      globalConcurrency: Math.max(1, Number(values.concurrency) || 8),
      perPlanConcurrency: Math.max(1, Number(values['per-plan']) || 4),
      executor: createCoderExecutor({
        client,
        budget: () => {
          const s = buildBudgetSnapshot(governor.view(), inner.provider);
          return { state: s.state, byFamily: s.byFamily };
        },
        workspace: () => ({ read: (p) => readWorkspaceFile(workspaceDir, p) }),
        context: async (plan, task) => withSharedContext(planOverview(plan), await taskContext(plan, task)),
        reviewContext: createReviewContextHook(graph),
        saveChange: (change) => changeStore.save(change),
        ...(values.review ? { review: { enabled: true, maxRounds: reviewRounds } } : {}),
        ...(verify ? { verify } : {}),
        ...(values.review || verify ? { onReview: logReviewEvent(log) } : {}),
      }),
    });
    if (metrics) scheduler.onEvent(metrics.onSchedulerEvent);
    const seen = new Map<string, string>();
    scheduler.onEvent(({ planId, run }) => {
      for (const [taskId, t] of Object.entries(run.tasks)) {
        const key = `${planId}/${taskId}`;
        if (seen.get(key) === t.status) continue;
        seen.set(key, t.status);
        if (t.status === 'running') log(`▶ ${key} ${t.attempts > 1 ? `(attempt ${t.attempts}) ` : ''}`);
        if (t.status === 'done') log(`✓ ${key} ${t.model ?? ''} — ${t.reason ?? ''} — ${t.usage ? totalTokens(t.usage) : 0} tok $${(t.costUsd ?? 0).toFixed(4)}${t.review ? ` — review: ${t.review.verdict}, ${t.review.rounds} round(s)` : ''}`);
        if (t.status === 'failed') log(`✗ ${key} ${t.error?.reason ?? ''}: ${t.error?.message ?? ''}`);
        if (t.status === 'skipped') log(`– ${key} skipped (${t.blockedBy ? `${t.blockedBy} failed` : t.error?.reason ?? ''})`);
      }
    });
    const started = Date.now();
    for (const plan of plans) await scheduler.addPlan(plan);
    await scheduler.whenIdle();
    // L3 entries are written after their answers returned: let the last ones land before exiting.
    await client.cache.settled();
    const summary = plans.map((p) => {
      const run = scheduler.runOf(p.id)!;
      const tasks = Object.values(run.tasks);
      return {
        planId: p.id, state: run.state,
        done: tasks.filter((t) => t.status === 'done').length,
        failed: tasks.filter((t) => t.status === 'failed').length,
        skipped: tasks.filter((t) => t.status === 'skipped').length,
        tokens: tasks.reduce((n, t) => n + (t.usage ? totalTokens(t.usage) : 0), 0),
        costUsd: tasks.reduce((n, t) => n + (t.costUsd ?? 0), 0),
      };
    });
    const reviewed = values.review || values.apply || verify ? await reviewedChanges(stateDir, plans, scheduler) : undefined;
    // Without `--apply` nothing is written to the workspace: the changes stay in `--state`.
    const applied = values.apply && reviewed ? await applyAccepted(workspaceDir, changeStore, reviewed, log) : undefined;
    if (values.json) process.stdout.write(`${JSON.stringify({ plans: summary, seconds: (Date.now() - started) / 1000, ...(reviewed ? { changes: reviewed.map(changeJson) } : {}), ...(applied ? { applied } : {}) }, null, 2)}\n`);
    else if (reviewed) process.stdout.write(reviewed.map(describeChange).join(''));
    if (!values.json) for (const s of summary) process.stdout.write(`${s.planId}: ${s.done} done, ${s.failed} failed, ${s.skipped} skipped · ${s.tokens} tokens · $${s.costUsd.toFixed(4)}\n`);
    scheduler.dispose();
    governor.dispose();
    return summary.every((s) => s.failed === 0 && s.skipped === 0) ? 0 : 1;
  } finally {
    await metrics?.stop();
    await stop();
  }
}

/**
 * `--metrics-port N`: the same registry and endpoint the extension serves, on 127.0.0.1 for the
 * run's duration. Port 0 picks a free port; the URL goes to stderr either way.
 */
interface RunMetrics {
  readonly onRecorded: (r: UsageRecord) => void;
  readonly onSchedulerEvent: (e: SchedulerEvent) => void;
  stop(): Promise<void>;
}

async function startRunMetrics(
  port: number, workspace: string, budget: () => BudgetSnapshot, records: () => readonly UsageRecord[], log: (l: string) => void,
): Promise<RunMetrics> {
  const prom = new PromMetrics();
  const tally = new MetricsTally();
  const sink = fanOutSink(prom, tally);
  sink.setBudget(budget());
  const server = await startMetricsServer({
    port, registry: prom.registry,
    json: () => {
      sink.setBudget(budget());
      return buildMetricsJson({ tally, records: records(), workspace, now: Date.now() });
    },
  });
  log(`Metrics on ${server.url}/metrics and ${server.url}/api/v1/helios/metrics`);
  return {
    onRecorded: (r: UsageRecord) => {
      sink.recordCall(r);
      sink.setBudget(budget());
    },
    onSchedulerEvent: observeScheduler(sink, { workspace }),
    stop: () => server.stop(),
  };
}

async function loadOrDecompose(input: string, client: LlmClient, stateDir: string, log: (l: string) => void): Promise<Plan> {
  const bytes = await readFile(input);
  if (input.endsWith('.json')) return parsePlan(JSON.parse(bytes.toString('utf8')));
  const prd = readPrd(path.basename(input), bytes);
  log(`Decomposing ${input}…`);
  const result = await decomposePrd(prd, { client, model: 'claude-opus-5-5' });
  const plan = createPlan({ prd, result, provider: client.provider, now: new Date() });
  await writeFileAtomic(path.join(stateDir, 'plans', `${plan.id}.json`), JSON.stringify(plan, null, 1));
  return plan;
}

/**
 * The Coder's context from the code analysis of `--workspace` (see `createContextHook`). ts-morph
 * is imported on the first task, never by other commands; on any error the Coder selects files itself.
 */
export function workspaceContext(root: string, log: (line: string) => void, open = openGraphOnce(root)): ReturnType<typeof createContextHook> {
  return createContextHook(
    open,
    {
      onEvent: (e) => {
        if (e.kind === 'opened') log(`Code analysis: ${e.files} files in ${Math.round(e.ms)} ms`);
        else if (e.kind === 'unavailable') log(`Code analysis unavailable (${e.error}); the Coder selects files itself.`);
        else log(`Context for ${e.taskId} failed (${e.error}); the Coder selects files itself.`);
      },
    },
  );
}

/** The L2 and L3 caches in `dir` around the governed client (just L1 planning without a dir). */
async function cachedClient(governed: LlmClient, dir: string | undefined, scopeFor: ScopeResolver, log: (l: string) => void): Promise<ScopedCacheClient> {
  const warn = (reason: string, details: Readonly<Record<string, string>>) => log(`cache: ${reason} ${JSON.stringify(details)} — discarded`);
  const exact = dir ? new ExactCache({ store: new FileExactCacheStore(path.join(dir, 'exact.json')), onWarning: warn }) : undefined;
  await exact?.load();
  const semantic = dir ? new SemanticCache({ index: new VectraIndex(path.join(dir, 'l3'), { onWarning: warn }), embedder: new HashedNgramEmbedder() }) : undefined;
  return new ScopedCacheClient(new CachedLlmClient(governed, { ...(exact ? { exact } : {}), ...(semantic ? { semantic } : {}), onWarning: warn }), scopeFor);
}

/** The workspace's dependency graph, opened on first use and shared by the Coder's and the Reviewer's context. */
function openGraphOnce(root: string) {
  return once(async () => {
    const { openWorkspaceGraph } = await import('../infra/analysis/workspaceAnalysis');
    const { workspace, stats } = await openWorkspaceGraph({ root });
    return { workspace, files: stats.files, ms: stats.totalMs };
  });
}

/** Reads a workspace file for the Coder; paths that leave the workspace read as missing. */
async function readWorkspaceFile(root: string, relative: string): Promise<string | undefined> {
  if (pathProblem(relative)) return undefined;
  try {
    return await readFile(path.join(root, normalizeWorkspacePath(relative)), 'utf8');
  } catch {
    return undefined;
  }
}

/** Review progress on stderr; a review that failed says why (the change is kept, unreviewed). */
function logReviewEvent(log: (line: string) => void) {
  return (plan: Plan, task: { readonly id: string }, e: ReviewEvent): void => {
    const key = `${plan.id}/${task.id}`;
    if (e.kind === 'reviewed') {
      const blockers = e.review.findings.filter((f) => f.severity === 'blocker').length;
      log(`  review ${key} round ${e.round}: ${e.review.verdict} (${e.review.findings.length} finding(s), ${blockers} blocker(s))`);
    } else if (e.kind === 'review_failed') log(`  review ${key} failed (${e.reason}); the change is kept unreviewed`);
    else if (e.kind === 'rework_failed') log(`  rework ${key} failed (${e.reason}); the previous change is kept`);
    else if (e.kind === 'verified') log(`  verify ${key}: ${e.verification.status}${e.verification.failedTests ? ` (${e.verification.failedTests} failing tests)` : ''}${e.verification.reason ? ` (${e.verification.reason})` : ''}${e.verification.violations.length > 0 ? ` — stopped: ${e.verification.violations.join(', ')}` : ''}`);
  };
}

/**
 * `--apply`: writes each change the user would accept — approved by the Reviewer when review ran,
 * verification not failed — all files of a task or none, confined to the workspace. A file that
 * changed since the task read it is a conflict: reported, stored, never overwritten.
 */
async function applyAccepted(root: string, store: FileChangeStore, changes: readonly ProposedChange[], log: (l: string) => void): Promise<Record<string, string>> {
  const outcome: Record<string, string> = {};
  for (const change of changes) {
    const key = `${change.planId}/${change.taskId}`;
    if (change.state !== 'proposed') outcome[key] = change.state;
    else if (change.review && change.review.verdict !== 'approve') outcome[key] = 'not_approved';
    else if (change.verification?.status === 'failed') outcome[key] = 'verify_failed';
    else {
      try {
        const plan = await acceptOnDisk(root, store, change.planId, change.taskId);
        outcome[key] = plan.ok ? 'applied' : `conflict: ${plan.files.filter((f) => f.conflict).map((f) => f.path).join(', ')}`;
      } catch (error) {
        outcome[key] = `refused: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    log(`  apply ${key}: ${outcome[key]}`);
  }
  return outcome;
}

/** The stored change of every done task, read back from `--state` (resumed tasks included). */
async function reviewedChanges(stateDir: string, plans: readonly Plan[], scheduler: Scheduler): Promise<ProposedChange[]> {
  const store = new FileChangeStore(stateDir);
  const changes: ProposedChange[] = [];
  // Read back after the run: the store is the truth (a resumed run's earlier tasks included).
  for (const plan of plans) {
    const run = scheduler.runOf(plan.id);
    for (const task of plan.graph.tasks) {
      if (run?.tasks[task.id]?.status !== 'done') continue;
      const change = await store.load(plan.id, task.id);
      if (change) changes.push(change);
    }
  }
  return changes;
}

/** One task: the diff summary per file and the findings as `path:line severity message`. */
function describeChange(change: ProposedChange): string {
  const review = change.review;
  const verdict = review
    ? `${review.verdict === 'approve' ? 'approved' : 'changes requested'} after ${change.reviewRounds ?? 1} round(s) · review $${review.costUsd.toFixed(4)}`
    : 'not reviewed';
  const lines = [`${change.planId}/${change.taskId}: ${change.summary} — ${verdict}`];
  for (const f of change.files) lines.push(`  ${f.action.padEnd(7)} ${f.path} +${f.linesAdded} -${f.linesRemoved}`);
  for (const f of review?.findings ?? []) {
    const at = f.endLine > f.startLine ? `${f.startLine}-${f.endLine}` : `${f.startLine}`;
    lines.push(`  ${f.path}:${at} ${f.severity} ${f.message}${f.replacement !== undefined ? ' (suggested fix)' : ''}`);
  }
  if (change.verification) lines.push(`  verify: ${change.verification.status}${change.verification.command ? ` (${change.verification.command})` : ''}${change.verification.reason ? ` — ${change.verification.reason}` : ''}`);
  return `${lines.join('\n')}\n`;
}

function changeJson(change: ProposedChange) {
  return {
    planId: change.planId, taskId: change.taskId, summary: change.summary,
    files: change.files.map((f) => ({ path: f.path, action: f.action, linesAdded: f.linesAdded, linesRemoved: f.linesRemoved })),
    ...(change.review ? { review: { verdict: change.review.verdict, rounds: change.reviewRounds ?? 1, costUsd: change.review.costUsd, findings: change.review.findings } } : {}),
    ...(change.verification ? { verification: change.verification.status } : {}),
  };
}
