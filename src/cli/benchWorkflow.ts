import { intFlag, numberFlag, parseFlags } from './cliArgs';
import { runCoder } from '../core/agents/coder';
import { CachedLlmClient } from '../core/cache/cachedLlmClient';
import { ExactCache } from '../core/cache/exactCache';
import { decomposePrd } from '../core/agents/architect';
import { readPrd } from '../core/agents/prdInput';
import { DEFAULT_BUDGET, type BudgetConfig } from '../core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../core/governor/budgetSnapshot';
import { Governor } from '../core/governor/governor';
import { isHeliosError } from '../core/errors/heliosError';
import { planLanding } from '../core/integration/landPlan';
import type { BaseReader, TreeState } from '../core/integration/planTree';
import { createPlan } from '../core/plan/plan';
import { topologicalOrder } from '../core/plan/validateTaskGraph';
import { buildCallChain, createRunPipeline, type RunPipelineOptions } from '../core/pipeline/runPipeline';
import type { PlanRun } from '../core/scheduler/runState';
import type { SharedFilesPolicy, TaskExecutor } from '../core/scheduler/scheduler';
import { costOfUsage } from '../core/usage/cost';
import type { UsageLedger, UsageRecord } from '../core/usage/usageLedger';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../simulator/simulator';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan, Task } from '../shared/taskGraph';
import type { LlmClient, LlmRequest, TextPart } from '../core/llm/llmClient';
import { buildContext, fullFileContextTokens } from '../core/context/contextBuilder';
import { buildMemoryGraph } from '../core/context/lightScanner';
import { estimateTokens } from '../core/context/tokenEstimate';
import {
  billedTokenEquivalents, BLOCKING_TARGETS, contextTargets, dependencyClosure, formatContextTable, formatTable, integrationMetrics, l1ReadShare, lowerBound,
  ratios, summarizeContext, summarizeUsage, targets, taskKey, type ContextMetrics, type ContextSample, type ModeMetrics, type PlanHistory, type WorkflowRatios,
} from './benchWorkflowMetrics';
import { makeWorkflowPrd, planSpecs } from './benchWorkflowPrds';

export interface WorkflowBenchOptions {
  /** Plans of the default workload to run (12 by default; more cycle the shapes). */
  readonly plans?: number;
  /** Simulator latency divisor: simulated seconds = wall seconds × speedUp. */
  readonly speedUp?: number;
  readonly seed?: number;
  /** Helios's global and per-plan concurrency. */
  readonly concurrency?: number;
  readonly perPlan?: number;
  /** The governor's cap per 5-hour window, in weighted tokens (the same for both modes). */
  readonly cap?: number;
  readonly log?: (line: string) => void;
}

export interface WorkflowBenchResult {
  readonly baseline: ModeMetrics;
  /** The headline: helios with the default shared-files policy (`merge`). */
  readonly helios: ModeMetrics;
  /** The same plans through helios with `sharedFiles: 'wait'`, to measure the choice. */
  readonly helios_wait: ModeMetrics;
  readonly ratios: WorkflowRatios;
  /** The context builder in helios mode against full-file context (the baseline's whole workspace). */
  readonly context: ContextMetrics;
  readonly targets: Record<string, boolean>;
  readonly workload: { readonly plans: number; readonly tasks: number; readonly speed_up: number; readonly seed: number; readonly cap: number };
}

export const WORKFLOW_DEFAULTS = { plans: 12, speedUp: 40, seed: 1, concurrency: 16, perPlan: 4, cap: 20_000_000 } as const;

const BASELINE_MODEL = 'claude-opus-5-5';
/** Rate limits are not what this bench measures (and a wall-clock window means nothing at a speed-up). */
const HIGH_LIMITS = { requestsPerMinute: 1_000_000, inputTokensPerMinute: 1e12, outputTokensPerMinute: 1e12 };
/** Every plan starts from nothing: its base is an empty workspace. */
const EMPTY_WORKSPACE: BaseReader = { read: () => Promise.resolve(undefined) };

/**
 * The same plans, three runs, each on its own fresh simulator (no prompt cache leaks between runs),
 * its own governor and in-memory ledger:
 *  - baseline: Opus for every task, one at a time in plan order, every file of the plan's
 *    workspace in full as context, no prompt-cache breakpoints; each change is applied to the
 *    plan's virtual workspace in turn (sequential, so it never conflicts: the no-integration reference);
 *  - helios, twice (`sharedFiles` 'merge', the headline, then 'wait'): `createRunPipeline`, the one
 *    assembly `helios run` and the extension use — router, Hybrid Scheduler, Coder, and each plan's
 *    integrated tree (in memory, over an empty workspace) that every task reads and merges into.
 * Then each run's integration is checked: stale bases, lost edits, conflicts, and whether the final
 * trees land.
 */
export async function runWorkflowBench(options: WorkflowBenchOptions = {}): Promise<WorkflowBenchResult> {
  const o = { ...WORKFLOW_DEFAULTS, ...stripUndefined(options) };
  const log = options.log ?? (() => undefined);
  const plans = await decomposeWorkload(o.plans, o.seed);
  const tasks = plans.reduce((n, p) => n + p.graph.tasks.length, 0);
  const done = (name: string, m: ModeMetrics) =>
    `${name}: ${m.makespan_s.toFixed(0)} s simulated in ${m.wall_s.toFixed(1)} s, ${m.merges} merged, ${m.rebases} rebased, ${m.conflicts} conflicted`;
  log(`${plans.length} plans, ${tasks} tasks; baseline…`);
  const { metrics: baseline } = await runMode('baseline', plans, o);
  log(`${done('baseline', baseline)}; helios (shared files: merge)…`);
  const { metrics: helios, contextSamples } = await runMode('helios', plans, o, 'merge');
  log(`${done('helios', helios)}; helios (shared files: wait)…`);
  const { metrics: heliosWait } = await runMode('helios', plans, o, 'wait');
  log(done('helios (wait)', heliosWait));
  const context = summarizeContext(contextSamples, baseline, helios);
  return {
    baseline, helios, helios_wait: heliosWait, ratios: ratios(baseline, helios), context,
    targets: { ...targets(baseline, helios, [heliosWait]), ...contextTargets(context) },
    workload: { plans: plans.length, tasks, speed_up: o.speedUp, seed: o.seed, cap: o.cap },
  };
}

/** PRDs → plans with the simulator's Architect, once, outside both measurements (no latency). */
async function decomposeWorkload(count: number, seed: number): Promise<Plan[]> {
  const sim = await ClaudeSimulator.start({ speedUp: Infinity, limits: HIGH_LIMITS });
  try {
    const client = new AnthropicLlmClient({ apiKey: 'bench', baseURL: sim.url, provider: 'simulator' });
    const plans: Plan[] = [];
    for (const spec of planSpecs(count)) {
      const prd = readPrd(`prd/${spec.name}.md`, Buffer.from(makeWorkflowPrd(spec, seed)));
      const result = await decomposePrd(prd, { client, model: BASELINE_MODEL });
      const plan = createPlan({ prd, result, provider: client.provider, now: new Date(0) });
      plans.push({ ...plan, id: `${spec.name}-${spec.shape}-${spec.lang}` });
    }
    return plans;
  } finally {
    await sim.stop();
  }
}

type Mode = ModeMetrics['mode'];
type ResolvedOptions = Required<Omit<WorkflowBenchOptions, 'log'>>;

/** What running one mode's plans gave, before the usage is read from the ledger. */
interface ModeRun {
  readonly concurrency: number;
  readonly done: number;
  readonly failed: number;
  readonly histories: readonly PlanHistory[];
}

interface ModeHarness {
  readonly plans: readonly Plan[];
  readonly o: ResolvedOptions;
  /** Wraps an executor to time each task (and sample the governor). */
  readonly timed: (executor: TaskExecutor) => TaskExecutor;
  readonly contextSamples: ContextSample[];
}

async function runMode(mode: Mode, plans: readonly Plan[], o: ResolvedOptions, sharedFiles?: SharedFilesPolicy): Promise<{ metrics: ModeMetrics; contextSamples: ContextSample[] }> {
  const origin = Date.now();
  // The simulator's clock runs at the speed-up too, so prompt-cache TTLs are simulated minutes.
  const sim = await ClaudeSimulator.start({ speedUp: o.speedUp, limits: HIGH_LIMITS, clock: () => origin + (Date.now() - origin) * o.speedUp });
  const ledger = memoryLedger();
  const config: BudgetConfig = { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: o.cap, windowMessages: 0 };
  const governor = await Governor.create({ ledger, config });
  const sdk = new AnthropicLlmClient({ apiKey: 'bench', baseURL: sim.url, provider: 'simulator' });
  // Helios's path is router → cache → governor → provider: the facade plans L1 breakpoints and
  // would serve repeats from L2 (none occur on a first run of unique tasks).
  const { governed, client: cached } = await buildCallChain({
    provider: sdk, governor, governed: { workspace: `bench-${mode}${sharedFiles ? `-${sharedFiles}` : ''}`, now: () => new Date() },
    cache: (g) => new CachedLlmClient(g, { exact: new ExactCache() }),
  });
  const durations = new Map<string, number>();
  let peak = 0;
  const sample = () => {
    const v = governor.view();
    peak = Math.max(peak, v.cap.units > 0 ? v.used / v.cap.units : 0);
  };
  const harness: ModeHarness = {
    plans, o, contextSamples: [],
    timed: (executor) => async (job) => {
      const t0 = performance.now();
      try {
        return await executor(job);
      } finally {
        const key = taskKey(job.plan.id, job.task.id);
        durations.set(key, (durations.get(key) ?? 0) + performance.now() - t0);
        sample();
      }
    },
  };
  const budget = () => {
    const s = buildBudgetSnapshot(governor.view(), sdk.provider);
    return { state: s.state, byFamily: s.byFamily };
  };

  let run: ModeRun;
  const started = performance.now();
  try {
    run = mode === 'baseline' ? await runBaseline(harness, new NoPromptCacheClient(governed)) : await runHelios(harness, cached, budget, sharedFiles ?? 'merge');
  } finally {
    governor.dispose();
    await sim.stop();
  }
  const wallMs = performance.now() - started;
  sample();
  const records = ledger.records.filter((r) => r.agent === 'coder');
  const usage = summarizeUsage(records);
  const bound = lowerBound(plans, durations, run.concurrency);
  const simS = (ms: number) => (ms / 1000) * o.speedUp;
  const used = governor.view().used;
  const cacheStats = mode === 'helios' ? await cached.stats() : undefined;
  const metrics: ModeMetrics = {
    mode, plans: plans.length, tasks: plans.reduce((n, p) => n + p.graph.tasks.length, 0), tasks_done: run.done, tasks_failed: run.failed,
    calls: usage.calls, calls_by_model: usage.callsByModel, cost_usd: usage.costUsd, billed_token_equivalents: billedTokenEquivalents(usage.usage),
    input_tokens: usage.usage.inputTokens, output_tokens: usage.usage.outputTokens,
    cache_write_tokens: usage.usage.cacheCreationInputTokens, cache_read_tokens: usage.usage.cacheReadInputTokens,
    l1_read_share_10plus: l1ReadShare(plans, records),
    cache: cacheStats ? { l2_hits: cacheStats.L2.hits, l3_hits: cacheStats.L3.hits, l1_saved_usd: cacheStats.L1.savedUsd, saved_usd: cacheStats.savedUsd } : null,
    opus_share: usage.opusShare, concurrency: run.concurrency,
    makespan_s: simS(wallMs), lower_bound_s: simS(bound.boundMs), critical_path_s: simS(bound.criticalPathMs), work_s: simS(bound.workMs),
    makespan_over_lower_bound: bound.boundMs > 0 ? wallMs / bound.boundMs : 0,
    peak_window_usage: peak, overshoot: Math.max(0, used - o.cap), wall_s: wallMs / 1000,
    usage_matches_provider_log: matchesProviderLog(sim, usage.usage),
    shared_files: mode === 'helios' ? (sharedFiles ?? 'merge') : null,
    ...integrationMetrics(run.histories),
  };
  return { metrics, contextSamples: harness.contextSamples };
}

/**
 * Helios as `helios run` runs it: `createRunPipeline` with an in-memory tree per plan over an empty
 * workspace, the context builder over the plan's tree, and every stored change kept (the last per
 * task) for the integration checks. A task that starts before its dependencies are all in its
 * plan's tree is noted: everything its Coder reads would lack their work.
 */
async function runHelios(h: ModeHarness, client: LlmClient, budget: RunPipelineOptions['budget'], sharedFiles: SharedFilesPolicy): Promise<ModeRun> {
  const changes = new Map<string, ProposedChange>();
  const early = new Map<string, Set<string>>();
  const closures = new Map(h.plans.map((p) => [p.id, dependencyClosure(p)]));
  const pipeline = createRunPipeline({
    client, budget, workspace: EMPTY_WORKSPACE, trees: new MemoryStore<TreeState>(), runs: new MemoryStore<PlanRun>(), keepTaskFiles: true,
    changes: {
      save: (change) => Promise.resolve(void changes.set(taskKey(change.planId, change.taskId), change)),
      load: (planId, taskId) => Promise.resolve(changes.get(taskKey(planId, taskId))),
    },
    globalConcurrency: h.o.concurrency,
    perPlanConcurrency: h.o.perPlan,
    sharedFiles,
    taskContext: treeContext(h.contextSamples),
    wrapExecutor: (executor) => h.timed(async (job) => {
      const tree = await pipeline.tree(job.plan);
      if ([...(closures.get(job.plan.id)?.get(job.task.id) ?? [])].some((d) => !tree.record(d))) {
        let set = early.get(job.plan.id);
        if (!set) early.set(job.plan.id, (set = new Set()));
        set.add(job.task.id);
      }
      return executor(job);
    }),
  });
  let done = 0;
  let failed = 0;
  const histories: PlanHistory[] = [];
  try {
    for (const plan of h.plans) await pipeline.scheduler.addPlan(plan);
    await pipeline.scheduler.whenIdle();
    for (const plan of h.plans) {
      const tasks = Object.values(pipeline.scheduler.runOf(plan.id)?.tasks ?? {});
      done += tasks.filter((t) => t.status === 'done').length;
      failed += tasks.filter((t) => t.status !== 'done').length;
      const conflicted = plan.graph.tasks.filter((t) => pipeline.scheduler.runOf(plan.id)?.tasks[t.id]?.error?.reason === 'integration_conflict');
      const tree = await pipeline.tree(plan);
      const final = tree.changedFiles();
      const landing = await planLanding(final, (p) => tree.baseOf(p), (p) => EMPTY_WORKSPACE.read(p));
      histories.push({
        plan,
        integrations: tree.records().map((r) => {
          // Without a plan branch the tree keeps every task's files: the replay the checks need.
          if (!r.files) throw new Error(`${plan.id}/${r.taskId}: the tree dropped the task's files`);
          return { taskId: r.taskId, status: r.status, files: r.files, ...(r.outcome.rebaseCostUsd !== undefined ? { rebaseCostUsd: r.outcome.rebaseCostUsd } : {}) };
        }),
        changes: new Map(plan.graph.tasks.flatMap((t) => {
          const c = changes.get(taskKey(plan.id, t.id));
          return c ? [[t.id, c] as const] : [];
        })),
        final,
        startedEarly: early.get(plan.id) ?? new Set(),
        conflicts: conflicted.length,
        conflictRebaseCostUsd: conflicted.reduce((n, t) => n + (changes.get(taskKey(plan.id, t.id))?.integration?.rebaseCostUsd ?? 0), 0),
        applies: landing.conflicts.length === 0,
      });
    }
  } finally {
    pipeline.dispose();
  }
  return { concurrency: h.o.concurrency, done, failed, histories };
}

/** The old way: one task at a time, each change applied to the plan's virtual workspace in turn. */
async function runBaseline(h: ModeHarness, client: LlmClient): Promise<ModeRun> {
  const workspaces = new VirtualWorkspaces();
  const { done, failed } = await runInPlanOrder(h.plans, h.timed(baselineExecutor(client, workspaces)));
  const histories: PlanHistory[] = [];
  for (const plan of h.plans) {
    const final = workspaces.files(plan.id);
    const landing = await planLanding(final, (p) => EMPTY_WORKSPACE.read(p), (p) => EMPTY_WORKSPACE.read(p));
    const steps = workspaces.applied(plan.id);
    histories.push({
      plan,
      integrations: steps.map((c) => ({ taskId: c.taskId, status: 'integrated', files: Object.fromEntries(c.files.map((f) => [f.path, f.proposedContent])) })),
      changes: new Map(steps.map((c) => [c.taskId, c])),
      final, startedEarly: new Set(), conflicts: 0, conflictRebaseCostUsd: 0, applies: landing.conflicts.length === 0,
    });
  }
  return { concurrency: 1, done, failed, histories };
}

/** The old way's queue: plan after plan, each task after the one before, in dependency order. */
async function runInPlanOrder(plans: readonly Plan[], executor: TaskExecutor): Promise<{ done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  for (const plan of plans) {
    const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
    const lost = new Set<string>();
    for (const id of topologicalOrder(plan.graph)) {
      const task = byId.get(id)!;
      if (task.dependsOn.some((d) => lost.has(d))) {
        lost.add(id);
        failed++;
        continue;
      }
      const result = await executor({ plan, task, attempt: 1, fanOut: 0, signal: new AbortController().signal });
      if (result.ok) done++;
      else {
        lost.add(id);
        failed++;
      }
    }
  }
  return { done, failed };
}

/** One fixed model, the whole workspace as context, no router, no escalation. */
function baselineExecutor(client: LlmClient, workspaces: VirtualWorkspaces): TaskExecutor {
  return async ({ plan, task, signal }) => {
    try {
      const context = fullContextOf(workspaces.files(plan.id));
      const result = await runCoder(task, {
        client, model: BASELINE_MODEL, workspace: workspaces.reader(plan.id), planId: plan.id, signal,
        ...(context ? { context } : {}),
      });
      workspaces.apply(result.change);
      const costUsd = result.calls.reduce((sum, c) => sum + (costOfUsage(c.model, c.usage) ?? 0), 0);
      return { ok: true, model: result.model, reasonCode: 'fixed', reason: 'baseline: fixed model', usage: result.usage, costUsd, calls: result.calls.length };
    } catch (error) {
      return { ok: false, retryable: false, error: { reason: isHeliosError(error) ? error.reason : 'unexpected', message: String(error) } };
    }
  };
}

/** The baseline's file tree per plan; each change is applied after its task, in order (measurement only). */
class VirtualWorkspaces {
  private readonly trees = new Map<string, Map<string, string>>();
  private readonly changes = new Map<string, ProposedChange[]>();

  files(planId: string): Map<string, string> {
    let t = this.trees.get(planId);
    if (!t) this.trees.set(planId, (t = new Map<string, string>()));
    return t;
  }

  /** The changes applied to the plan's tree, in order. */
  applied(planId: string): readonly ProposedChange[] {
    return this.changes.get(planId) ?? [];
  }

  reader(planId: string): { read(path: string): Promise<string | undefined> } {
    const tree = this.files(planId);
    return { read: (path) => Promise.resolve(tree.get(path)) };
  }

  apply(change: ProposedChange): void {
    const tree = this.files(change.planId);
    for (const f of change.files) tree.set(f.path, f.proposedContent);
    this.changes.set(change.planId, [...this.applied(change.planId), change]);
  }
}

/**
 * Helios's `taskContext`: the context builder over the plan's integrated tree as it stands (the
 * task's files in full, the declarations they import, a repo map of up to REPO_MAP_TOKENS), with a
 * sample per context for the context metrics. The graph is rebuilt per task (the tree changes
 * after every integration; a plan has at most a few dozen files, so this is a millisecond).
 */
function treeContext(samples: ContextSample[]): NonNullable<RunPipelineOptions['taskContext']> {
  return async (plan: Plan, task: Task, view) => {
    const tree = view?.changed() ?? new Map<string, string>();
    if (tree.size === 0) return undefined;
    const graph = await buildMemoryGraph(tree);
    const present = task.files.filter((f) => tree.has(f));
    const taskTokens = present.reduce((n, f) => n + estimateTokens(fenceOf(f, tree.get(f)!)), 0);
    const built = await buildContext(graph, { task: `${task.title}\n${task.description}`, files: task.files, budgetTokens: taskTokens + REPO_MAP_TOKENS });
    const missing = built.symbols.filter((s) => s.declaredIn === undefined || !(task.files.includes(s.declaredIn) || built.text.includes(s.name)));
    samples.push({
      builtTokens: built.tokens,
      workspaceTokens: estimateTokens(fullContextOf(tree) ?? ''),
      fullFileTokens: await fullFileContextTokens(graph, present),
      importedSymbols: built.symbols.length,
      missingSymbols: missing.map((s) => `${plan.id}/${task.id} ${s.importer}: ${s.name} from ${s.specifier}`),
    });
    return built.text.length > 0 ? built.text : undefined;
  };
}

/** Every file in full, in the context builder's fenced form (what the Coder shows as context). */
function fullContextOf(files: ReadonlyMap<string, string>): string | undefined {
  if (files.size === 0) return undefined;
  return [...files].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => fenceOf(path, text)).join('\n\n');
}

/** Repo-map budget per task on top of the task's own files. */
const REPO_MAP_TOKENS = 600;

function fenceOf(path: string, text: string): string {
  return `### ${path}\n\`\`\`ts\n${text}\n\`\`\``;
}

/** The old way sent no cache breakpoints: drop every `cacheControl` before the request leaves. */
class NoPromptCacheClient implements LlmClient {
  constructor(private readonly inner: LlmClient) {}

  get provider(): string {
    return this.inner.provider;
  }

  complete(request: LlmRequest): ReturnType<LlmClient['complete']> {
    return this.inner.complete(strip(request));
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(strip(request));
  }
}

function strip<R extends Omit<LlmRequest, 'maxTokens'>>(request: R): R {
  const parts = (list: readonly TextPart[]): TextPart[] => list.map((p) => ({ text: p.text }));
  return { ...request, system: parts(request.system), messages: request.messages.map((m) => ({ ...m, content: parts(m.content) })) };
}

/** The mode's ledger, in memory: the governor's window and the bench's usage both read it. */
function memoryLedger(): UsageLedger & { readonly records: UsageRecord[] } {
  const records: UsageRecord[] = [];
  return {
    records,
    append: (record) => Promise.resolve(void records.push(record)),
    readAll: () => Promise.resolve({ records: records.slice(), skipped: 0 }),
  };
}

/** One state per plan id, in memory: the runs (a `RunStore`) or the integrated trees (a `TreeStore`). */
class MemoryStore<S extends { readonly planId: string }> {
  private readonly states = new Map<string, S>();
  load(planId: string): Promise<S | undefined> {
    return Promise.resolve(this.states.get(planId));
  }
  save(state: S): Promise<void> {
    this.states.set(state.planId, state);
    return Promise.resolve();
  }
}

/** Cross-check: the ledger's totals against the simulator's own log (null when the log was trimmed). */
function matchesProviderLog(sim: ClaudeSimulator, usage: UsageRecord['usage']): boolean | null {
  const all = sim.requests;
  if (all.length >= 1_000) return null;
  const served = all.filter((r) => r.method === 'POST' && r.path === '/v1/messages' && r.status === 200 && r.usage);
  const sum = (f: (u: NonNullable<(typeof served)[number]['usage']>) => number) => served.reduce((n, r) => n + f(r.usage!), 0);
  return sum((u) => u.input_tokens) === usage.inputTokens && sum((u) => u.output_tokens) === usage.outputTokens &&
    sum((u) => u.cache_creation_input_tokens) === usage.cacheCreationInputTokens && sum((u) => u.cache_read_input_tokens) === usage.cacheReadInputTokens;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const benchWorkflowCommand = {
  usage: 'bench workflow [--plans N] [--speed-up X] [--seed S] [--concurrency N] [--per-plan N] [--cap T] [--json]',
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags('bench workflow', {
      args: argv,
      options: {
        plans: { type: 'string' },
        'speed-up': { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        'per-plan': { type: 'string' },
        cap: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const int = (name: string, v: string | undefined, min = 1) => intFlag(name, v, { min });
    const speedUp = values['speed-up'] === undefined ? undefined : numberFlag('--speed-up', values['speed-up'], { above: 0, default: 1 });
    const result = await runWorkflowBench({
      ...optional('plans', int('--plans', values.plans)), ...optional('speedUp', speedUp), ...optional('seed', int('--seed', values.seed, 0)),
      ...optional('concurrency', int('--concurrency', values.concurrency)), ...optional('perPlan', int('--per-plan', values['per-plan'])), ...optional('cap', int('--cap', values.cap)),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatTable(result.baseline, result.helios, result.workload.speed_up, result.helios_wait)}${formatContextTable(result.context)}`);
    // A missed ratio is reported; a broken run (a failed task, an overshoot, a stale base, a lost edit, a conflict) fails.
    return BLOCKING_TARGETS.every((t) => result.targets[t]) ? 0 : 1;
  },
};

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
