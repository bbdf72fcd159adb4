import { FileAccountBoard } from '../infra/governor/fileAccountBoard';
import { accountDir } from '../infra/governor/accountDir';
import { cachedClient, openGraphOnce, teamBoard, workspaceContext } from './runServices';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readPrd } from '../core/agents/prdInput';
import { normalizeWorkspacePath, pathProblem } from '../core/changes/paths';
import { DEFAULT_BUDGET, type BudgetConfig } from '../core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../core/governor/budgetSnapshot';
import { Governor } from '../core/governor/governor';
import { coderScopeResolver } from '../core/cache/scopedCacheClient';
import type { LlmClient } from '../core/llm/llmClient';
import { createReviewContextHook } from '../core/context/reviewContext';
import { buildMetricsJson } from '../core/metrics/metricsJson';
import { fanOutSink } from '../core/metrics/metricsSink';
import { MetricsTally } from '../core/metrics/metricsTally';
import { observeScheduler } from '../core/metrics/schedulerMetrics';
import { planFromJson } from '../core/plan/loadPlan';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { sweepStaleTemp } from '../infra/storage/tempSweep';
import { writingState } from '../infra/storage/storageErrors';
import { acquirePlanRunLocks, releaseRunLocksOnSignals, type PlanRunLock } from '../infra/storage/planRunLock';
import { createWorkspaceVerifier } from '../infra/sandbox/workspaceVerifier';
import { FileChangeStore } from '../infra/storage/fileChangeStore';
import { FileRunStore } from '../infra/storage/fileRunStore';
import { FileTreeStore } from '../infra/storage/fileTreeStore';
import { openGitPlanBranch } from '../infra/git/gitPlanBranch';
import { applyToDisk } from '../infra/changes/safeWorkspace';
import { readWorkspaceFile as readInside } from '../infra/changes/diskChanges';
import { isHeliosError } from '../core/errors/heliosError';
import { watchBudget } from './budgetNotices';
import { SIGNAL_EXIT, stopOnSignals } from './stopOnSignals';
import { planLanding } from '../core/integration/landPlan';
import type { PlanBranchInfo } from '../core/integration/planBranch';
import { buildCallChain, createRunPipeline, type PipelineEvent, type RunPipeline } from '../core/pipeline/runPipeline';
import { DEFAULT_REVIEW_ROUNDS } from '../core/pipeline/taskPipeline';
import type { Scheduler, SchedulerEvent } from '../core/scheduler/scheduler';
import type { PlanRun } from '../core/scheduler/runState';
import type { TaskIntegration } from '../shared/integration';
import { JsonlFile } from '../infra/storage/jsonlFile';
import { PromMetrics } from '../infra/metrics/promMetrics';
import { startMetricsServer } from '../infra/metrics/metricsServer';
import type { BudgetSnapshot } from '../shared/budget';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan } from '../shared/taskGraph';
import { totalTokens } from '../shared/usage';
import { providerFromEnvironment } from './cli';
import { CliUsageError, intFlag, numberFlag, parseFlags, windowTokensFlag } from './cliArgs';
import { readInputFile } from './cliErrors';
import { RUN_LIMITS } from './commandHelp';
import { planForPrd, prdPathOf } from './prdPlan';
import { logRestoreEvent, reportCorruptState, withRunFaults } from './runFaults';

export const runCommand = {
  usage: 'run <plan.json|prd.md>… [--concurrency N] [--per-plan N] [--state DIR] [--workspace DIR] [--provider P] [--speed-up X] [--window-tokens N] [--max-output-tokens N] [--metrics-port N] [--review] [--review-rounds N] [--verify "<command>"|auto] [--verify-allow-host H]… [--apply] [--apply-unreviewed] [--no-cache] [--no-git] [--replan] [--json]',
  // A second runner, a changed PRD, a full or unwritable --state: one sentence, exit 1 (runFaults.ts).
  run: (argv: string[]) => withRunFaults(() => runPlans(argv)),
};

/**
 * `helios run`: runs plans headless with the same core as the extension — router, scheduler,
 * Coder, governor. State (runs, proposed changes, the ledger) lives in `--state`, so a killed run
 * resumes where it stopped without re-running a finished task.
 */
async function runPlans(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', {
    args: argv,
    allowPositionals: true,
    options: {
      concurrency: { type: 'string', default: '8' },
      'per-plan': { type: 'string', default: '4' },
      state: { type: 'string', default: '.helios' },
      'account-dir': { type: 'string' },
      workspace: { type: 'string', default: '.' },
      provider: { type: 'string' },
      'speed-up': { type: 'string', default: '1' },
      'window-tokens': { type: 'string' },
      'max-output-tokens': { type: 'string' },
      'metrics-port': { type: 'string' },
      review: { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
      'apply-unreviewed': { type: 'boolean', default: false },
      verify: { type: 'string' },
      'verify-allow-host': { type: 'string', multiple: true },
      'review-rounds': { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      'no-git': { type: 'boolean', default: false },
      replan: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new CliUsageError('run needs a plan.json or a PRD (see helios run --help).');
  // `--apply` writes what a reviewer or a test vouched for; writing what no one checked is asked for by name.
  if (values.apply && !values.review && values.verify === undefined && !values['apply-unreviewed']) {
    throw new CliUsageError('--apply writes only reviewed or verified changes: add --review and/or --verify, or say --apply-unreviewed to write changes no one has checked.');
  }
  const apply = values.apply || values['apply-unreviewed'];
  // Every number is checked before anything starts: a bad value is exit 2, never a silent default.
  const metricsPort = intFlag('--metrics-port', values['metrics-port'], { min: 0, max: 65_535 });
  const reviewRounds = intFlag('--review-rounds', values['review-rounds'], { min: 1, max: 5, default: DEFAULT_REVIEW_ROUNDS });
  const concurrency = intFlag('--concurrency', values.concurrency, { min: 1, max: RUN_LIMITS.concurrency, default: 8 });
  const perPlan = intFlag('--per-plan', values['per-plan'], { min: 1, max: RUN_LIMITS.perPlan, default: 4 });
  const speedUp = numberFlag('--speed-up', values['speed-up'], { above: 0, default: 1 });
  const windowTokens = windowTokensFlag(values['window-tokens'], 10_000_000);
  const maxOutputTokens = intFlag('--max-output-tokens', values['max-output-tokens'], { min: 1_024, max: 128_000, default: 32_000 });
  const stateDir = path.resolve(values.state);
  const workspaceDir = path.resolve(values.workspace);
  await writingState(stateDir, () => mkdir(stateDir, { recursive: true }));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // What a crash (or a full disk) left half-written last time; plan locks held are released on any exit.
  const swept = await sweepStaleTemp(stateDir);
  if (swept.length > 0) log(`Removed ${swept.length} temp file(s) a crashed run left in ${stateDir}.`);
  const locks: PlanRunLock[] = [];
  const unhookSignals = releaseRunLocksOnSignals();
  const { client: inner, stop } = await providerFromEnvironment(speedUp, values.provider);
  let metrics: RunMetrics | undefined;
  // The team's connections, closed however the run ends (an open socket would keep the process alive).
  const closers: Array<() => Promise<void>> = [];
  try {
    // The account: its ledger and its board of calls in flight, shared by every process that opens
    // the same directory — by default the OS user's, which every VS Code window meters too.
    // Team mode (`HELIOS_TEAM_REDIS_URL`, kept out of argv since it may carry a password): the
    // team's Redis instead, so one cap, ledger and exact-match cache hold across the team.
    const account = values['account-dir'] ? path.resolve(values['account-dir']) : accountDir();
    const label = `helios run ${path.basename(workspaceDir)}`;
    const local = new FileAccountBoard({ dir: account, label, originKind: 'cli', onCorrupt: (file, error, aside) => log(`warning: ${file} was unreadable (${error}); ${aside ? `kept as ${aside}; ` : ''}calls in flight publish their reservations again`) });
    const teamUrl = process.env.HELIOS_TEAM_REDIS_URL?.trim() || undefined;
    const team = teamUrl ? await teamBoard(teamUrl, label, log) : undefined;
    if (team) closers.push(() => team.close());
    const board = team ?? local;
    const ledger = new JsonlFile<UsageRecord>(local.ledgerFile, (v) => UsageRecordSchema.parse(v));
    const config: BudgetConfig = {
      ...DEFAULT_BUDGET, plan: 'custom', windowMessages: 0,
      windowTokens,
    };
    const governor = await Governor.create({ ledger, config, board });
    const unwatchBudget = watchBudget(governor, log);
    const workspace = `file://${workspaceDir}`;
    metrics = metricsPort === undefined ? undefined : await startRunMetrics(metricsPort, workspace, () => buildBudgetSnapshot(governor.view(), inner.provider), () => governor.view().records, log);
    // router → cache → governor → provider, with the caches in `--state` (`--no-cache`: L1 only).
    const plansById = new Map<string, Plan>();
    // The L3 scope reads the plan's tree (what the Coder is shown); the pipeline is built below.
    const late: { pipeline?: RunPipeline } = {};
    const { client } = await buildCallChain({
      provider: inner, governor, governed: {
        workspace, now: () => new Date(),
        onRecorded: (r) => {
          metrics?.onRecorded(r);
          if (r.usageUnknown) log(`  usage unknown ${r.planId ?? '?'}/${r.taskId ?? '?'}: its ${r.provider} process could not be stopped; its whole reservation (${totalTokens(r.usage)} tokens, ≤ $${(r.costUsd ?? 0).toFixed(4)}) stays charged`);
        },
      },
      cache: (governed) => cachedClient(governed, values['no-cache'] ? undefined : { dir: path.join(stateDir, 'cache'), teamUrl }, coderScopeResolver(
        (planId, taskId) => plansById.get(planId)?.graph.tasks.find((t) => t.id === taskId),
        (p, planId) => {
          const plan = plansById.get(planId);
          return plan && late.pipeline ? late.pipeline.tree(plan).then((tree) => tree.read(p)) : readWorkspaceFile(workspaceDir, p);
        },
      ), log, closers),
    });

    const plans: Plan[] = [];
    for (const input of positionals) plans.push(await loadOrDecompose(input, client, stateDir, log, maxOutputTokens, { replan: values.replan, locks, workspaceDir }));
    for (const plan of plans) plansById.set(plan.id, plan);
    // One runner per plan: a second `helios run` (or a VS Code window) on these plans is refused.
    locks.push(...await acquirePlanRunLocks(path.join(stateDir, 'runs'), plans.map((p) => p.id)));

    const changeStore = new FileChangeStore(stateDir, { onCorrupt: reportCorruptState(log, 'change') });
    const verify = createWorkspaceVerifier(values.verify, workspaceDir, values['verify-allow-host'] ? { allowedHosts: values['verify-allow-host'] } : {});
    const graph = openGraphOnce(workspaceDir, path.join(stateDir, 'analysis'), log);
    const pipeline = createRunPipeline({
      client,
      budget: () => {
        const s = buildBudgetSnapshot(governor.view(), inner.provider);
        return { state: s.state, byFamily: s.byFamily };
      },
      workspace: { read: (p) => readWorkspaceFile(workspaceDir, p) },
      trees: new FileTreeStore(path.join(stateDir, 'integration')),
      ...(values['no-git'] ? {} : { openBranch: (plan: Plan) => openGitPlanBranch({ workspaceRoot: workspaceDir, storageDir: stateDir, planId: plan.id }) }),
      runs: new FileRunStore(path.join(stateDir, 'runs'), reportCorruptState(log, 'run')),
      changes: changeStore,
      globalConcurrency: concurrency,
      perPlanConcurrency: perPlan,
      taskContext: workspaceContext(workspaceDir, log, graph),
      reviewContext: createReviewContextHook(graph),
      ...(values.review ? { review: { enabled: true, maxRounds: reviewRounds } } : {}),
      ...(verify ? { verify } : {}),
      onEvent: logPipelineEvent(log, Boolean(values.review || verify)),
    });
    late.pipeline = pipeline;
    const scheduler = pipeline.scheduler;
    if (metrics) scheduler.onEvent(metrics.onSchedulerEvent);
    const seen = new Map<string, string>();
    scheduler.onEvent(({ planId, run }) => {
      for (const [taskId, t] of Object.entries(run.tasks)) {
        const key = `${planId}/${taskId}`;
        if (seen.get(key) === t.status) continue;
        seen.set(key, t.status);
        if (t.status === 'running') log(`▶ ${key} ${t.attempts > 1 ? `(attempt ${t.attempts}) ` : ''}`);
        if (t.status === 'done') log(`✓ ${key} ${t.model ?? ''} — ${t.reason ?? ''} — ${t.usage ? totalTokens(t.usage) : 0} tok $${(t.costUsd ?? 0).toFixed(4)}${t.review ? ` — review: ${t.review.verdict}, ${t.review.rounds} round(s)` : ''}${t.integration ? ` — ${describeIntegration(t.integration)}` : ''}`);
        if (t.status === 'failed') log(`✗ ${key} ${t.error?.reason ?? ''}: ${t.error?.message ?? ''}`);
        if (t.status === 'skipped') log(`– ${key} skipped (${t.blockedBy ? `${t.blockedBy} failed` : t.error?.reason ?? ''})`);
      }
    });
    const started = Date.now();
    // Ctrl-C, SIGTERM, SIGHUP: abort the calls in flight (their reservations released, `claude` and
    // verify process groups killed), wait for them, save, exit. The next run resumes.
    const stop = stopOnSignals(async (signal) => {
      log(`${signal}: stopping — aborting the calls in flight; finished tasks are kept and the next run resumes where this one stopped.`);
      const aborted = await scheduler.interrupt();
      const unknown = governor.view().records.filter((r) => r.usageUnknown && Date.parse(r.ts) >= started).length;
      log(`stopped: ${aborted} call(s) aborted, ${unknown > 0 ? `${aborted - unknown} reservation(s) released, ${unknown} kept as usage unknown (the process outlived SIGKILL)` : 'their budget released'}.`);
    });
    for (const plan of plans) await scheduler.addPlan(plan);
    await scheduler.whenIdle();
    await stop.settled();
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
    const reviewed = values.review || apply || verify ? await reviewedChanges(stateDir, plans, scheduler) : undefined;
    const integration = plans.map((p) => integrationJson(p, scheduler.runOf(p.id)!, pipeline.branchInfo(p.id)));
    // Without `--apply` nothing is written to the workspace: the plan's result stays in `--state` (and its branch).
    const applied = apply ? await landPlans(workspaceDir, plans, pipeline, reviewed ?? [], changeStore, log) : undefined;
    if (values.json) {
      process.stdout.write(`${JSON.stringify({
        plans: summary, seconds: (Date.now() - started) / 1000, integration,
        ...(reviewed ? { changes: reviewed.map(changeJson) } : {}), ...(applied ? { applied } : {}),
      }, null, 2)}\n`);
    } else if (reviewed) process.stdout.write(reviewed.map(describeChange).join(''));
    if (!values.json) {
      for (const s of summary) process.stdout.write(`${s.planId}: ${s.done} done, ${s.failed} failed, ${s.skipped} skipped · ${s.tokens} tokens · $${s.costUsd.toFixed(4)}\n`);
      for (const i of integration) if (i.branch) process.stdout.write(`${i.planId}: plan branch ${i.branch} (worktree ${i.worktree})\n`);
    }
    pipeline.dispose();
    unwatchBudget();
    governor.dispose();
    // Releases of aborted calls reach the board before the process ends (else their leases hold the room).
    await board.idle();
    const landed = !applied || Object.values(applied).every((a) => a.conflicts.length === 0 && a.refused === undefined);
    if (stop.signal) return SIGNAL_EXIT[stop.signal];
    return summary.every((s) => s.failed === 0 && s.skipped === 0) && landed ? 0 : 1;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await Promise.all(locks.map((l) => l.release()));
    unhookSignals();
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

async function loadOrDecompose(
  input: string, client: LlmClient, stateDir: string, log: (l: string) => void, maxOutputTokens: number,
  prdRun: { readonly replan: boolean; readonly locks: PlanRunLock[]; readonly workspaceDir: string },
): Promise<Plan> {
  const bytes = await readInputFile(input, input.endsWith('.json') ? 'plan' : 'plan or PRD');
  // Validated like the Architect's output (ids, dependencies, cycles, paths): a cycle must never reach the scheduler.
  if (input.endsWith('.json')) return planFromJson(bytes.toString('utf8'), input);
  // The PRD's stored plan is resumed when its hash matches; a changed PRD needs --replan (prdPlan.ts).
  const prd = readPrd(prdPathOf(input, prdRun.workspaceDir), bytes);
  return planForPrd(prd, { client, stateDir, maxOutputTokens, log, replan: prdRun.replan, locks: prdRun.locks });
}

/**
 * Reads a workspace file for the agents; a path that leaves the workspace — by `..` or through a
 * symlink — reads as missing, so nothing outside it reaches a prompt, a cache or a store.
 */
async function readWorkspaceFile(root: string, relative: string): Promise<string | undefined> {
  if (pathProblem(relative)) return undefined;
  try {
    return await readInside(root, normalizeWorkspacePath(relative));
  } catch (error) {
    // Said, not swallowed: the Coder is told the file was left out (and may not create it).
    if (isHeliosError(error, 'path_outside_workspace')) throw error;
    return undefined;
  }
}

/** Review and integration progress on stderr; a review that failed says why (the change is kept, unreviewed). */
function logPipelineEvent(log: (line: string) => void, reviewOn: boolean) {
  return (event: PipelineEvent): void => {
    if (logRestoreEvent(log, event)) return;
    if (event.kind === 'branch_failed') return log(`  plan branch for ${event.plan.id} not kept (${event.error}); the result stays in --state`);
    if (event.kind === 'integration') {
      const key = `${event.plan.id}/${event.task.id}`;
      const e = event.event;
      if (e.kind === 'rebasing') log(`  rebase ${key}: its edits overlap the plan's tree in ${e.overlaps.map((o) => o.path).join(', ')}; re-running once on the merged tree`);
      else if (e.kind === 'conflicted') log(`  conflict ${key}: still overlaps after the rebase in ${e.overlaps.map((o) => o.path).join(', ')}; both versions kept, nothing merged`);
      else if (e.kind === 'integrated' && e.merged.length > 0) log(`  merged ${key}: ${e.merged.join(', ')} merged line by line with the plan's tree`);
      return;
    }
    if (event.kind !== 'review' || !reviewOn) return;
    const { plan, task } = event;
    const e = event.event;
    const key = `${plan.id}/${task.id}`;
    if (e.kind === 'reviewed') {
      const blockers = e.review.findings.filter((f) => f.severity === 'blocker').length;
      log(`  review ${key} round ${e.round}: ${e.review.verdict} (${e.review.findings.length} finding(s), ${blockers} blocker(s))`);
    } else if (e.kind === 'review_failed') log(`  review ${key} failed (${e.reason}); the change is kept unreviewed`);
    else if (e.kind === 'rework_failed') log(`  rework ${key} failed (${e.reason}); the previous change is kept`);
    else if (e.kind === 'verified') log(`  verify ${key}: ${e.verification.status}${e.verification.failedTests ? ` (${e.verification.failedTests} failing tests)` : ''}${e.verification.reason ? ` (${e.verification.reason})` : ''}${e.verification.violations.length > 0 ? ` — stopped: ${e.verification.violations.join(', ')}` : ''}`);
  };
}

interface PlanLandingJson {
  /** Files written (new, fast-forward or merged with the user's own edits). */
  readonly written: readonly string[];
  readonly merged: readonly string[];
  /** Files the user changed on the same lines as the plan: nothing of the plan was written. */
  readonly conflicts: readonly string[];
  /** Why nothing was written, when the plan holds a change the user would not accept. */
  readonly refused?: string;
}

/**
 * `--apply`: lands each plan's integrated tree on the workspace, three-way merged with whatever
 * changed on disk since the plan read it: all files or none, confined to the workspace. A file
 * edited on the same lines is a conflict — reported, never overwritten. A plan holding a change the
 * Reviewer did not approve or whose verification failed is not landed.
 */
async function landPlans(
  root: string, plans: readonly Plan[], pipeline: RunPipeline, changes: readonly ProposedChange[], store: FileChangeStore, log: (l: string) => void,
): Promise<Record<string, PlanLandingJson>> {
  const outcome: Record<string, PlanLandingJson> = {};
  for (const plan of plans) {
    const mine = changes.filter((c) => c.planId === plan.id);
    const blocked = mine.filter((c) => (c.review && c.review.verdict !== 'approve') || c.verification?.status === 'failed');
    if (blocked.length > 0) {
      const refused = `not landed: ${blocked.map((c) => `${c.taskId} ${c.verification?.status === 'failed' ? 'failed verification' : 'was not approved'}`).join(', ')}`;
      outcome[plan.id] = { written: [], merged: [], conflicts: [], refused };
      log(`  apply ${plan.id}: ${refused}`);
      continue;
    }
    const tree = await pipeline.tree(plan);
    const landing = await planLanding(tree.changedFiles(), (p) => tree.baseOf(p), (p) => readWorkspaceFile(root, p));
    const conflicts = landing.conflicts.map((c) => c.path);
    if (conflicts.length === 0 && landing.writes.length > 0) {
      try {
        await applyToDisk(root, landing.writes);
      } catch (error) {
        outcome[plan.id] = { written: [], merged: [], conflicts, refused: error instanceof Error ? error.message : String(error) };
        log(`  apply ${plan.id}: refused (${outcome[plan.id]!.refused})`);
        continue;
      }
    }
    const written = conflicts.length === 0 ? landing.writes.map((w) => w.path) : [];
    if (conflicts.length === 0) {
      // Landed: every integrated task's change is now on disk.
      for (const record of tree.records()) await store.update(plan.id, record.taskId, (c) => ({ ...c, state: 'applied' }));
    }
    outcome[plan.id] = { written, merged: conflicts.length === 0 ? landing.writes.filter((w) => w.kind === 'merged').map((w) => w.path) : [], conflicts };
    log(`  apply ${plan.id}: ${conflicts.length > 0 ? `${conflicts.length} conflict(s), nothing written: ${conflicts.join(', ')}` : `${written.length} file(s) written, 0 conflicts`}`);
  }
  return outcome;
}

/** Per plan: each task's integration status and where the plan's result lives. */
function integrationJson(plan: Plan, run: PlanRun, branch: PlanBranchInfo | undefined) {
  const tasks: Record<string, string> = {};
  for (const t of plan.graph.tasks) {
    const r = run.tasks[t.id];
    tasks[t.id] = r?.integration?.status ?? (r?.error?.reason === 'integration_conflict' ? 'conflicted' : r?.status ?? 'pending');
  }
  return {
    planId: plan.id, tasks,
    ...(branch?.kind === 'git' ? { branch: branch.branch, worktree: branch.worktree, baseCommit: branch.baseCommit } : {}),
  };
}

function describeIntegration(i: TaskIntegration): string {
  return i.rebaseCostUsd !== undefined ? `${i.status} (rebase $${i.rebaseCostUsd.toFixed(4)})` : i.status;
}

/** The stored change of every done task, read back from `--state` (resumed tasks included). */
async function reviewedChanges(stateDir: string, plans: readonly Plan[], scheduler: Scheduler): Promise<ProposedChange[]> {
  const store = new FileChangeStore(stateDir, { onCorrupt: reportCorruptState((l) => process.stderr.write(`${l}\n`), 'change') });
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
