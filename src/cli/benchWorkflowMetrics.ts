import { findModel } from '../shared/models';
import type { Plan } from '../shared/taskGraph';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../shared/usage';
import { costOfUsage } from '../core/usage/cost';
import type { UsageRecord } from '../core/usage/usageLedger';

/**
 * The workflow benchmark's numbers, computed from what was measured: the provider-reported usage
 * of every Coder call (the governor's ledger) and each task's measured duration.
 */

export interface ModeMetrics {
  readonly mode: 'baseline' | 'helios';
  readonly plans: number;
  readonly tasks: number;
  readonly tasks_done: number;
  readonly tasks_failed: number;
  readonly calls: number;
  readonly calls_by_model: Readonly<Record<string, number>>;
  readonly cost_usd: number;
  /** input + 5 × output + 1.25 × cache writes + 0.1 × cache reads (Sonnet input-token units). */
  readonly billed_token_equivalents: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_write_tokens: number;
  readonly cache_read_tokens: number;
  /** Provider prompt-cache (L1) reads ÷ all prompt tokens (input + writes + reads), on plans of 10+ tasks. */
  readonly l1_read_share_10plus: number;
  /** The cache facade's counters (helios mode runs through it; the baseline does not). */
  readonly cache: { readonly l2_hits: number; readonly l3_hits: number; readonly l1_saved_usd: number; readonly saved_usd: number } | null;
  /** Opus's share of the cost, 0–1. */
  readonly opus_share: number;
  readonly concurrency: number;
  readonly makespan_s: number;
  /** max(critical path, total work ÷ concurrency), from the measured task durations. */
  readonly lower_bound_s: number;
  readonly critical_path_s: number;
  readonly work_s: number;
  readonly makespan_over_lower_bound: number;
  /** The governor's fullest reading of used ÷ cap during the run. */
  readonly peak_window_usage: number;
  /** Weighted tokens settled past the cap (0 = never). */
  readonly overshoot: number;
  readonly wall_s: number;
  /** The ledger's usage equals the simulator's own request log, token for token. */
  readonly usage_matches_provider_log: boolean | null;
}

/** Billed-token-equivalents: every token weighted by Sonnet's price ratios, in Sonnet input tokens. */
export function billedTokenEquivalents(u: TokenUsage): number {
  return u.inputTokens + 5 * u.outputTokens + 1.25 * u.cacheCreationInputTokens + 0.1 * u.cacheReadInputTokens;
}

export interface UsageSummary {
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly opusShare: number;
  readonly callsByModel: Record<string, number>;
  readonly calls: number;
}

export function summarizeUsage(records: readonly UsageRecord[]): UsageSummary {
  let usage = ZERO_USAGE;
  let costUsd = 0;
  let opusUsd = 0;
  const callsByModel: Record<string, number> = {};
  for (const r of records) {
    usage = addUsage(usage, r.usage);
    const cost = costOfUsage(r.model, r.usage) ?? 0;
    costUsd += cost;
    if (findModel(r.model)?.family === 'opus') opusUsd += cost;
    callsByModel[r.model] = (callsByModel[r.model] ?? 0) + 1;
  }
  return { usage, costUsd, opusShare: costUsd > 0 ? opusUsd / costUsd : 0, callsByModel, calls: records.length };
}

/**
 * The DAG lower bound over all plans run together: no schedule beats the longest dependency chain
 * (with the measured durations), nor the total work spread over every slot.
 */
export function lowerBound(plans: readonly Plan[], durationMs: ReadonlyMap<string, number>, concurrency: number): { boundMs: number; criticalPathMs: number; workMs: number } {
  let criticalPathMs = 0;
  let workMs = 0;
  for (const plan of plans) {
    const finish = new Map<string, number>();
    const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
    const visit = (id: string): number => {
      const known = finish.get(id);
      if (known !== undefined) return known;
      const task = byId.get(id)!;
      // Architect graphs point backwards only, so recursion depth is at most the chain length.
      const start = Math.max(0, ...task.dependsOn.map(visit));
      const end = start + (durationMs.get(taskKey(plan.id, id)) ?? 0);
      finish.set(id, end);
      return end;
    };
    for (const t of plan.graph.tasks) {
      criticalPathMs = Math.max(criticalPathMs, visit(t.id));
      workMs += durationMs.get(taskKey(plan.id, t.id)) ?? 0;
    }
  }
  return { boundMs: Math.max(criticalPathMs, workMs / Math.max(1, concurrency)), criticalPathMs, workMs };
}

/** L1 reads ÷ all prompt tokens over the Coder calls of plans with at least `minTasks` tasks. */
export function l1ReadShare(plans: readonly Plan[], records: readonly UsageRecord[], minTasks = 10): number {
  const big = new Set(plans.filter((p) => p.graph.tasks.length >= minTasks).map((p) => p.id));
  let reads = 0;
  let all = 0;
  for (const r of records) {
    if (r.planId === null || r.planId === undefined || !big.has(r.planId)) continue;
    reads += r.usage.cacheReadInputTokens;
    all += r.usage.inputTokens + r.usage.cacheCreationInputTokens + r.usage.cacheReadInputTokens;
  }
  return all > 0 ? reads / all : 0;
}

export function taskKey(planId: string, taskId: string): string {
  return `${planId}/${taskId}`;
}

export interface WorkflowRatios {
  /** helios ÷ baseline. */
  readonly cost: number;
  readonly billed_token_equivalents: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly makespan: number;
  /** baseline ÷ helios makespan. */
  readonly speedup: number;
}

export function ratios(baseline: ModeMetrics, helios: ModeMetrics): WorkflowRatios {
  const r = (h: number, b: number) => (b > 0 ? h / b : 0);
  return {
    cost: r(helios.cost_usd, baseline.cost_usd),
    billed_token_equivalents: r(helios.billed_token_equivalents, baseline.billed_token_equivalents),
    input_tokens: r(helios.input_tokens, baseline.input_tokens),
    output_tokens: r(helios.output_tokens, baseline.output_tokens),
    makespan: r(helios.makespan_s, baseline.makespan_s),
    speedup: r(baseline.makespan_s, helios.makespan_s),
  };
}

/** The issue's targets, each checked on the measured numbers. */
export function targets(baseline: ModeMetrics, helios: ModeMetrics): Record<string, boolean> {
  const q = ratios(baseline, helios);
  return {
    cost_at_least_50pct_lower: q.cost <= 0.5,
    makespan_at_least_2x_shorter: q.speedup >= 2,
    opus_share_below_50pct: helios.opus_share < 0.5,
    makespan_within_15pct_of_lower_bound: helios.makespan_over_lower_bound <= 1.15,
    overshoot_zero: helios.overshoot === 0 && baseline.overshoot === 0,
    l1_reads_at_least_half_of_input_on_10plus_plans: helios.l1_read_share_10plus >= 0.5,
    all_tasks_done: helios.tasks_failed === 0 && baseline.tasks_failed === 0 && helios.tasks_done === helios.tasks && baseline.tasks_done === baseline.tasks,
  };
}

function money(x: number): string {
  return `$${x.toFixed(2)}`;
}

function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/** The human table: one column per mode, then helios ÷ baseline. */
export function formatTable(baseline: ModeMetrics, helios: ModeMetrics, speedUp: number): string {
  const q = ratios(baseline, helios);
  const rows: Array<[string, string, string, string]> = [
    ['plans / tasks', `${baseline.plans} / ${baseline.tasks}`, `${helios.plans} / ${helios.tasks}`, ''],
    ['tasks done / failed', `${baseline.tasks_done} / ${baseline.tasks_failed}`, `${helios.tasks_done} / ${helios.tasks_failed}`, ''],
    ['Coder calls', int(baseline.calls), int(helios.calls), ''],
    ['total cost', money(baseline.cost_usd), money(helios.cost_usd), `${q.cost.toFixed(3)}×`],
    ['billed-token-equivalents', int(baseline.billed_token_equivalents), int(helios.billed_token_equivalents), `${q.billed_token_equivalents.toFixed(3)}×`],
    ['input tokens (uncached)', int(baseline.input_tokens), int(helios.input_tokens), `${q.input_tokens.toFixed(3)}×`],
    ['cache write / read tokens', `${int(baseline.cache_write_tokens)} / ${int(baseline.cache_read_tokens)}`, `${int(helios.cache_write_tokens)} / ${int(helios.cache_read_tokens)}`, ''],
    ['L1 reads ÷ prompt tokens (plans 10+)', pct(baseline.l1_read_share_10plus), pct(helios.l1_read_share_10plus), ''],
    ['cache L2 / L3 hits; saved', '—', helios.cache ? `${helios.cache.l2_hits} / ${helios.cache.l3_hits}; ${money(helios.cache.saved_usd)}` : '—', ''],
    ['output tokens', int(baseline.output_tokens), int(helios.output_tokens), `${q.output_tokens.toFixed(3)}×`],
    ['Opus share of cost', pct(baseline.opus_share), pct(helios.opus_share), ''],
    ['concurrency (global)', String(baseline.concurrency), String(helios.concurrency), ''],
    ['makespan (simulated s)', baseline.makespan_s.toFixed(1), helios.makespan_s.toFixed(1), `${q.makespan.toFixed(3)}× (${q.speedup.toFixed(1)}× faster)`],
    ['critical path (s)', baseline.critical_path_s.toFixed(1), helios.critical_path_s.toFixed(1), ''],
    ['total work (s)', baseline.work_s.toFixed(1), helios.work_s.toFixed(1), ''],
    ['DAG lower bound (s)', baseline.lower_bound_s.toFixed(1), helios.lower_bound_s.toFixed(1), ''],
    ['makespan ÷ lower bound', baseline.makespan_over_lower_bound.toFixed(3), helios.makespan_over_lower_bound.toFixed(3), ''],
    ['peak window usage', pct(baseline.peak_window_usage), pct(helios.peak_window_usage), ''],
    ['overshoot (weighted tokens)', int(baseline.overshoot), int(helios.overshoot), ''],
    ['usage = simulator log', String(baseline.usage_matches_provider_log ?? 'n/a'), String(helios.usage_matches_provider_log ?? 'n/a'), ''],
    ['wall time (s)', baseline.wall_s.toFixed(1), helios.wall_s.toFixed(1), ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['', 'baseline', 'helios', 'helios ÷ baseline'][c]!.length));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const checks = Object.entries(targets(baseline, helios)).map(([k, ok]) => `${ok ? '✓' : '✗'} ${k.replace(/_/g, ' ')}`);
  return [
    `Workflow benchmark · simulator speed-up ${speedUp}× · times in simulated seconds`,
    '',
    line(['', 'baseline', 'helios', 'helios ÷ baseline']),
    ...rows.map(line),
    '',
    ...checks,
    '',
  ].join('\n');
}

/** One context the builder made in helios mode, with what full-file context would have been at that moment. */
export interface ContextSample {
  /** The context builder's text (task files + imported declarations + repo map). */
  readonly builtTokens: number;
  /** Every file of the plan's workspace in full: what the baseline sends. */
  readonly workspaceTokens: number;
  /** The task's files and every local file they import, in full (the core's `fullFileContextTokens`). */
  readonly fullFileTokens: number;
  readonly importedSymbols: number;
  readonly missingSymbols: readonly string[];
}

export interface ContextMetrics {
  /** Contexts built (tasks whose plan workspace had files when they started). */
  readonly tasks: number;
  readonly built_tokens: number;
  readonly full_workspace_tokens: number;
  readonly full_file_tokens: number;
  /** 1 − built ÷ full workspace: the cut against the baseline's full-file context. */
  readonly reduction_vs_full_workspace: number;
  /** 1 − built ÷ (task files + their imports, whole); negative when the repo map adds more than compression saves. */
  readonly reduction_vs_task_files_and_imports: number;
  readonly imported_symbols: number;
  readonly all_imported_symbols_present: boolean;
  readonly missing_symbols: readonly string[];
  /** Uncached Coder input tokens, helios ÷ baseline (from the ledger; includes prompts and repairs). */
  readonly coder_input_tokens_ratio: number;
}

export function summarizeContext(samples: readonly ContextSample[], baseline: ModeMetrics, helios: ModeMetrics): ContextMetrics {
  const sum = (f: (s: ContextSample) => number) => samples.reduce((n, s) => n + f(s), 0);
  const built = sum((s) => s.builtTokens);
  const workspace = sum((s) => s.workspaceTokens);
  const fullFile = sum((s) => s.fullFileTokens);
  const missing = samples.flatMap((s) => s.missingSymbols);
  const allIn = (m: ModeMetrics) => m.input_tokens + m.cache_write_tokens + m.cache_read_tokens;
  return {
    tasks: samples.length,
    built_tokens: built,
    full_workspace_tokens: workspace,
    full_file_tokens: fullFile,
    reduction_vs_full_workspace: workspace > 0 ? 1 - built / workspace : 0,
    reduction_vs_task_files_and_imports: fullFile > 0 ? 1 - built / fullFile : 0,
    imported_symbols: sum((s) => s.importedSymbols),
    all_imported_symbols_present: missing.length === 0,
    missing_symbols: missing.slice(0, 20),
    coder_input_tokens_ratio: allIn(baseline) > 0 ? allIn(helios) / allIn(baseline) : 0,
  };
}

export function contextTargets(c: ContextMetrics): Record<string, boolean> {
  return { context_cut_at_least_60pct: c.reduction_vs_full_workspace >= 0.6, all_imported_symbols_present: c.all_imported_symbols_present };
}

export function formatContextTable(c: ContextMetrics): string {
  return [
    `Context builder (helios, ${c.tasks} contexts): ${int(c.built_tokens)} tokens vs ${int(c.full_workspace_tokens)} full-file (whole workspace) → ${pct(c.reduction_vs_full_workspace)} cut`,
    `  vs task files + their imports in full: ${int(c.full_file_tokens)} (${pct(c.reduction_vs_task_files_and_imports)}); Coder input tokens incl. cache, helios ÷ baseline: ${c.coder_input_tokens_ratio.toFixed(3)}×`,
    `  imported symbols: ${c.imported_symbols}, ${c.all_imported_symbols_present ? 'all present' : `${c.missing_symbols.length}+ missing`}`,
    `${c.reduction_vs_full_workspace >= 0.6 ? '✓' : '✗'} context cut at least 60pct`,
    `${c.all_imported_symbols_present ? '✓' : '✗'} all imported symbols present`,
    '',
  ].join('\n');
}
