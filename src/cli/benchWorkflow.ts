import { parseArgs } from 'node:util';
import { runCoder } from '../core/agents/coder';
import { planOverview, withSharedContext } from '../core/agents/coderPrompt';
import { CachedLlmClient } from '../core/cache/cachedLlmClient';
import { ExactCache } from '../core/cache/exactCache';
import { decomposePrd } from '../core/agents/architect';
import { readPrd } from '../core/agents/prdInput';
import { DEFAULT_BUDGET, type BudgetConfig } from '../core/governor/budgetPlans';
import { buildBudgetSnapshot } from '../core/governor/budgetSnapshot';
import { GovernedLlmClient } from '../core/governor/governedLlmClient';
import { Governor } from '../core/governor/governor';
import { isHeliosError } from '../core/errors/heliosError';
import { createPlan } from '../core/plan/plan';
import { topologicalOrder } from '../core/plan/validateTaskGraph';
import { createCoderExecutor } from '../core/scheduler/coderExecutor';
import type { PlanRun, RunStore } from '../core/scheduler/runState';
import { Scheduler, type TaskExecutor } from '../core/scheduler/scheduler';
import { costOfUsage } from '../core/usage/cost';
import type { UsageLedger, UsageRecord } from '../core/usage/usageLedger';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../infra/simulator/simulator';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan } from '../shared/taskGraph';
import type { LlmClient, LlmRequest, TextPart } from '../core/llm/llmClient';
import { buildContext, fullFileContextTokens } from '../core/context/contextBuilder';
import { buildMemoryGraph } from '../core/context/lightScanner';
import { estimateTokens } from '../core/context/tokenEstimate';
import type { Task } from '../shared/taskGraph';
import {
  billedTokenEquivalents, contextTargets, formatContextTable, formatTable, l1ReadShare, lowerBound, ratios, summarizeContext, summarizeUsage, targets, taskKey,
  type ContextMetrics, type ContextSample, type ModeMetrics, type WorkflowRatios,
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
  readonly helios: ModeMetrics;
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

/**
 * The same plans, two ways, each on its own fresh simulator (no prompt cache leaks between modes),
 * its own governor and in-memory ledger, and its own virtual workspace per plan:
 *  - baseline: Opus for every task, one at a time in plan order, every file of the plan's
 *    workspace in full as context, no prompt-cache breakpoints;
 *  - helios: the router, the Hybrid Scheduler (global and per-plan limits, critical path first),
 *    the Coder executor with the task's own files as context, and the Coder's cached system prompt.
 * Each finished task's proposed change is applied to the virtual workspace so later tasks see the
 * files earlier ones wrote (for measurement only: the product never applies edits by itself).
 */
export async function runWorkflowBench(options: WorkflowBenchOptions = {}): Promise<WorkflowBenchResult> {
  const o = { ...WORKFLOW_DEFAULTS, ...stripUndefined(options) };
  const log = options.log ?? (() => undefined);
  const plans = await decomposeWorkload(o.plans, o.seed);
  const tasks = plans.reduce((n, p) => n + p.graph.tasks.length, 0);
  log(`${plans.length} plans, ${tasks} tasks; baseline…`);
  const { metrics: baseline } = await runMode('baseline', plans, o);
  log(`baseline: ${baseline.makespan_s.toFixed(0)} s simulated in ${baseline.wall_s.toFixed(1)} s; helios…`);
  const { metrics: helios, contextSamples } = await runMode('helios', plans, o);
  log(`helios: ${helios.makespan_s.toFixed(0)} s simulated in ${helios.wall_s.toFixed(1)} s`);
  const context = summarizeContext(contextSamples, baseline, helios);
  return {
    baseline, helios, ratios: ratios(baseline, helios), context, targets: { ...targets(baseline, helios), ...contextTargets(context) },
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

async function runMode(mode: Mode, plans: readonly Plan[], o: ResolvedOptions): Promise<{ metrics: ModeMetrics; contextSamples: ContextSample[] }> {
  const origin = Date.now();
  // The simulator's clock runs at the speed-up too, so prompt-cache TTLs are simulated minutes.
  const sim = await ClaudeSimulator.start({ speedUp: o.speedUp, limits: HIGH_LIMITS, clock: () => origin + (Date.now() - origin) * o.speedUp });
  const ledger = memoryLedger();
  const config: BudgetConfig = { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: o.cap, windowMessages: 0 };
  const governor = await Governor.create({ ledger, config });
  const sdk = new AnthropicLlmClient({ apiKey: 'bench', baseURL: sim.url, provider: 'simulator' });
  const governed = new GovernedLlmClient(sdk, governor, { workspace: `bench-${mode}`, now: () => new Date() });
  // Helios's path is router → cache → governor → provider: the facade plans L1 breakpoints and
  // would serve repeats from L2 (none occur on a first run of unique tasks).
  const cached = new CachedLlmClient(governed, { exact: new ExactCache() });
  const workspaces = new VirtualWorkspaces();
  const durations = new Map<string, number>();
  let peak = 0;
  const sample = () => {
    const v = governor.view();
    peak = Math.max(peak, v.cap.units > 0 ? v.used / v.cap.units : 0);
  };
  const timed = (executor: TaskExecutor): TaskExecutor => async (job) => {
    const t0 = performance.now();
    try {
      return await executor(job);
    } finally {
      const key = taskKey(job.plan.id, job.task.id);
      durations.set(key, (durations.get(key) ?? 0) + performance.now() - t0);
      sample();
    }
  };

  let concurrency: number;
  let done = 0;
  let failed = 0;
  const started = performance.now();
  try {
    if (mode === 'baseline') {
      concurrency = 1;
      const executor = timed(baselineExecutor(new NoPromptCacheClient(governed), workspaces));
      ({ done, failed } = await runInPlanOrder(plans, executor));
    } else {
      concurrency = o.concurrency;
      const scheduler = new Scheduler({
        store: new MemoryRunStore(),
        globalConcurrency: o.concurrency,
        perPlanConcurrency: o.perPlan,
        executor: timed(createCoderExecutor({
          client: cached,
          budget: () => {
            const s = buildBudgetSnapshot(governor.view(), sdk.provider);
            return { state: s.state, byFamily: s.byFamily };
          },
          workspace: (plan) => workspaces.reader(plan.id),
          // The plan overview is the plan-wide prefix every task of the plan shares (L1 reads).
          context: async (plan, task) => withSharedContext(planOverview(plan), await workspaces.builtContext(plan.id, task)),
          saveChange: (change) => Promise.resolve(workspaces.apply(change)),
        })),
      });
      for (const plan of plans) await scheduler.addPlan(plan);
      await scheduler.whenIdle();
      for (const plan of plans) {
        const run = scheduler.runOf(plan.id);
        for (const t of Object.values(run?.tasks ?? {})) {
          if (t.status === 'done') done++;
          else failed++;
        }
      }
      scheduler.dispose();
    }
  } finally {
    governor.dispose();
    await sim.stop();
  }
  const wallMs = performance.now() - started;
  sample();
  const records = ledger.records.filter((r) => r.agent === 'coder');
  const usage = summarizeUsage(records);
  const bound = lowerBound(plans, durations, concurrency);
  const simS = (ms: number) => (ms / 1000) * o.speedUp;
  const used = governor.view().used;
  const cacheStats = mode === 'helios' ? await cached.stats() : undefined;
  const metrics: ModeMetrics = {
    mode,
    plans: plans.length,
    tasks: plans.reduce((n, p) => n + p.graph.tasks.length, 0),
    tasks_done: done,
    tasks_failed: failed,
    calls: usage.calls,
    calls_by_model: usage.callsByModel,
    cost_usd: usage.costUsd,
    billed_token_equivalents: billedTokenEquivalents(usage.usage),
    input_tokens: usage.usage.inputTokens,
    output_tokens: usage.usage.outputTokens,
    cache_write_tokens: usage.usage.cacheCreationInputTokens,
    cache_read_tokens: usage.usage.cacheReadInputTokens,
    l1_read_share_10plus: l1ReadShare(plans, records),
    cache: cacheStats ? { l2_hits: cacheStats.L2.hits, l3_hits: cacheStats.L3.hits, l1_saved_usd: cacheStats.L1.savedUsd, saved_usd: cacheStats.savedUsd } : null,
    opus_share: usage.opusShare,
    concurrency,
    makespan_s: simS(wallMs),
    lower_bound_s: simS(bound.boundMs),
    critical_path_s: simS(bound.criticalPathMs),
    work_s: simS(bound.workMs),
    makespan_over_lower_bound: bound.boundMs > 0 ? wallMs / bound.boundMs : 0,
    peak_window_usage: peak,
    overshoot: Math.max(0, used - o.cap),
    wall_s: wallMs / 1000,
    usage_matches_provider_log: matchesProviderLog(sim, usage.usage),
  };
  return { metrics, contextSamples: workspaces.contextSamples };
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
      const context = workspaces.fullContext(plan.id);
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

/** One in-memory file tree per plan; proposed changes are applied after each task (measurement only). */
class VirtualWorkspaces {
  private readonly trees = new Map<string, Map<string, string>>();
  /** One per context built (helios mode): built vs full-file tokens, and the imported-symbol check. */
  readonly contextSamples: ContextSample[] = [];

  private tree(planId: string): Map<string, string> {
    let t = this.trees.get(planId);
    if (!t) this.trees.set(planId, (t = new Map<string, string>()));
    return t;
  }

  reader(planId: string): { read(path: string): Promise<string | undefined> } {
    const tree = this.tree(planId);
    return { read: (path) => Promise.resolve(tree.get(path)) };
  }

  apply(change: ProposedChange): void {
    const tree = this.tree(change.planId);
    for (const f of change.files) tree.set(f.path, f.proposedContent);
  }

  /**
   * The context builder over the plan's tree as it stands: the task's files in full, the declarations
   * they import, a repo map of up to REPO_MAP_TOKENS. The graph is rebuilt per task (the tree
   * changes after every task; a plan has at most a few dozen files, so this is a millisecond).
   */
  async builtContext(planId: string, task: Task): Promise<string | undefined> {
    const tree = this.tree(planId);
    if (tree.size === 0) return undefined;
    const graph = await buildMemoryGraph(tree);
    const present = task.files.filter((f) => tree.has(f));
    const taskTokens = present.reduce((n, f) => n + estimateTokens(fenceOf(f, tree.get(f)!)), 0);
    const built = await buildContext(graph, { task: `${task.title}\n${task.description}`, files: task.files, budgetTokens: taskTokens + REPO_MAP_TOKENS });
    const missing = built.symbols.filter((s) => s.declaredIn === undefined || !(task.files.includes(s.declaredIn) || built.text.includes(s.name)));
    this.contextSamples.push({
      builtTokens: built.tokens,
      workspaceTokens: estimateTokens(this.fullContext(planId) ?? ''),
      fullFileTokens: await fullFileContextTokens(graph, present),
      importedSymbols: built.symbols.length,
      missingSymbols: missing.map((s) => `${planId}/${task.id} ${s.importer}: ${s.name} from ${s.specifier}`),
    });
    return built.text.length > 0 ? built.text : undefined;
  }

  /** Every file in full, in the context builder's fenced form (what the Coder shows as context). */
  fullContext(planId: string): string | undefined {
    const files = [...this.tree(planId)].sort(([a], [b]) => a.localeCompare(b));
    if (files.length === 0) return undefined;
    return files.map(([path, text]) => fenceOf(path, text)).join('\n\n');
  }
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

class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, PlanRun>();
  load(planId: string): Promise<PlanRun | undefined> {
    return Promise.resolve(this.runs.get(planId));
  }
  save(run: PlanRun): Promise<void> {
    this.runs.set(run.planId, run);
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
    const { values } = parseArgs({
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
    const num = (v: string | undefined) => (v === undefined || !Number.isFinite(Number(v)) || Number(v) <= 0 ? undefined : Number(v));
    const result = await runWorkflowBench({
      ...optional('plans', num(values.plans)), ...optional('speedUp', num(values['speed-up'])), ...optional('seed', num(values.seed)),
      ...optional('concurrency', num(values.concurrency)), ...optional('perPlan', num(values['per-plan'])), ...optional('cap', num(values.cap)),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatTable(result.baseline, result.helios, result.workload.speed_up)}${formatContextTable(result.context)}`);
    const broken = result.helios.overshoot > 0 || result.baseline.overshoot > 0 || !result.targets.all_tasks_done;
    return broken ? 1 : 0;
  },
};

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
