import { findModel } from '../shared/models';
import type { ProposedChange } from '../shared/proposedChange';
import type { Plan } from '../shared/taskGraph';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../shared/usage';
import { lineHunksOf } from '../core/changes/lineHunks';
import type { IntegratedTask } from '../core/integration/planTree';
import type { SharedFilesPolicy } from '../core/scheduler/scheduler';
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
  /** Helios's policy for tasks of a plan that declare the same file; null for the baseline. */
  readonly shared_files: SharedFilesPolicy | null;
  /** Tasks whose Coder read a file a (transitive) dependency had changed without that dependency's content. */
  readonly tasks_stale_base: number;
  /** Integrations merged line by line with a sibling's edits to the same files. */
  readonly merges: number;
  /** Integrations that overlapped a sibling's and were re-run once on the merged tree. */
  readonly rebases: number;
  /** What the rebases' re-runs cost (also counted in `cost_usd`), conflicted tasks' included. */
  readonly rebase_cost_usd: number;
  /** Tasks that still overlapped after their rebase: failed `integration_conflict`, left to the user. */
  readonly conflicts: number;
  /** Every plan's final tree lands on its (empty) workspace with no conflict (`planLanding`). */
  readonly final_tree_applies: boolean;
  /** Added line blocks of integrated changes missing from the final tree (and removed by no later task that saw them). */
  readonly lost_edits: number;
  /** Added line blocks checked for `lost_edits`. */
  readonly edits_checked: number;
  /** Added line blocks a later task read and then changed: not in the final tree, and rightly not. */
  readonly edits_superseded: number;
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

/** One integration into a plan's tree, in order: the files as the task left them there. */
export interface IntegrationStep {
  readonly taskId: string;
  readonly status: IntegratedTask['status'];
  readonly files: Readonly<Record<string, string>>;
  readonly rebaseCostUsd?: number;
}

/**
 * What one plan's run left behind, for the integration checks; either mode fills it. The plans
 * start from an empty workspace, so before the first integration that writes a file it has none.
 */
export interface PlanHistory {
  readonly plan: Plan;
  readonly integrations: readonly IntegrationStep[];
  /** The last change stored per task id (integrated or conflicted). */
  readonly changes: ReadonlyMap<string, ProposedChange>;
  /** The plan's final tree: every file it changed. */
  readonly final: ReadonlyMap<string, string>;
  /** Tasks that started before every (transitive) dependency was in the tree. */
  readonly startedEarly: ReadonlySet<string>;
  /** Tasks failed with `integration_conflict`, and what their rebases cost. */
  readonly conflicts: number;
  readonly conflictRebaseCostUsd: number;
  /** The final tree lands on the plan's base with no conflict. */
  readonly applies: boolean;
}

export type IntegrationMetrics = Pick<ModeMetrics,
  'tasks_stale_base' | 'merges' | 'rebases' | 'rebase_cost_usd' | 'conflicts' | 'final_tree_applies' | 'lost_edits' | 'edits_checked' | 'edits_superseded'>;

export function integrationMetrics(histories: readonly PlanHistory[]): IntegrationMetrics {
  const sum = (f: (h: PlanHistory) => number) => histories.reduce((n, h) => n + f(h), 0);
  const steps = histories.flatMap((h) => h.integrations);
  const edits = histories.map(lostEdits);
  return {
    tasks_stale_base: sum((h) => staleTasks(h).length),
    merges: steps.filter((s) => s.status === 'merged').length, rebases: steps.filter((s) => s.status === 'rebased').length,
    rebase_cost_usd: steps.reduce((n, s) => n + (s.rebaseCostUsd ?? 0), 0) + sum((h) => h.conflictRebaseCostUsd),
    conflicts: sum((h) => h.conflicts), final_tree_applies: histories.every((h) => h.applies),
    lost_edits: edits.reduce((n, e) => n + e.lost, 0), edits_checked: edits.reduce((n, e) => n + e.checked, 0),
    edits_superseded: edits.reduce((n, e) => n + e.superseded, 0),
  };
}

/** Each task's dependencies, transitively. */
export function dependencyClosure(plan: Plan): Map<string, Set<string>> {
  const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
  const closure = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = closure.get(id);
    if (known) return known;
    const all = new Set<string>();
    for (const d of byId.get(id)?.dependsOn ?? []) {
      all.add(d);
      for (const x of visit(d)) all.add(x);
    }
    closure.set(id, all);
    return all;
  };
  for (const t of plan.graph.tasks) visit(t.id);
  return closure;
}

/**
 * Tasks coded on a stale base. A task is fresh when, for every file it changed that a dependency
 * had changed, the base it read is the tree's content of that file at some point between its last
 * dependency's integration and its own: the tree is replayed from the integrations (each step's
 * files are what the task left there). A task that started before its dependencies were all
 * integrated read everything without them, so it is stale whatever it changed.
 */
export function staleTasks(h: PlanHistory): string[] {
  const order = new Map(h.integrations.map((s, i) => [s.taskId, i + 1]));
  const writes = new Map<string, { order: number; text: string }[]>();
  h.integrations.forEach((s, i) => {
    for (const [path, text] of Object.entries(s.files)) {
      let list = writes.get(path);
      if (!list) writes.set(path, (list = []));
      list.push({ order: i + 1, text });
    }
  });
  /** The file after the first `k` integrations. */
  const contentAt = (path: string, k: number): string | undefined => {
    let text: string | undefined;
    for (const w of writes.get(path) ?? []) {
      if (w.order > k) break;
      text = w.text;
    }
    return text;
  };
  const closure = dependencyClosure(h.plan);
  const stale: string[] = [];
  for (const task of h.plan.graph.tasks) {
    const change = h.changes.get(task.id);
    if (!change) continue;
    const deps = [...(closure.get(task.id) ?? [])];
    const depOrders = deps.map((d) => order.get(d));
    if (h.startedEarly.has(task.id) || depOrders.some((o) => o === undefined)) {
      stale.push(task.id);
      continue;
    }
    const ready = Math.max(0, ...(depOrders as number[]));
    const until = (order.get(task.id) ?? h.integrations.length + 1) - 1;
    const touched = new Set(deps.flatMap((d) => Object.keys(h.integrations[order.get(d)! - 1]!.files)));
    const fresh = change.files.every((f) => {
      if (!touched.has(f.path)) return true;
      const base = f.action === 'create' ? undefined : f.baseContent;
      for (let k = ready; k <= until; k++) if (contentAt(f.path, k) === base) return true;
      return false;
    });
    if (!fresh) stale.push(task.id);
  }
  return stale;
}

/**
 * The lost-edit check: every block of lines an integrated task's change added (its line hunks,
 * base → proposal) is in the plan's final tree, file by file, its lines in order and the blocks in
 * order (later tasks may insert lines between them). A block that is not there is lost unless a
 * later integrated task read it and changed it itself (superseded, e.g. the comma on a JSON line).
 */
export function lostEdits(h: PlanHistory): { checked: number; lost: number; superseded: number } {
  let checked = 0;
  let lost = 0;
  let superseded = 0;
  h.integrations.forEach((step, i) => {
    const change = h.changes.get(step.taskId);
    if (!change) throw new Error(`${h.plan.id}/${step.taskId} was integrated but no change was stored for it`);
    for (const f of change.files) {
      const final = linesOf(h.final.get(f.path) ?? '');
      let cursor = 0;
      for (const hunk of lineHunksOf(f.action === 'create' ? undefined : f.baseContent, f.proposedContent)) {
        if (hunk.added.length === 0) continue;
        checked++;
        const end = endOfSubsequence(final, hunk.added, cursor);
        if (end >= 0) cursor = end;
        else if (h.integrations.slice(i + 1).some((later) => changedKnowingly(h.changes.get(later.taskId), f.path, hunk.added))) superseded++;
        else lost++;
      }
    }
  });
  return { checked, lost, superseded };
}

/** The change read `block` in `path` and its proposal no longer has it. */
function changedKnowingly(change: ProposedChange | undefined, path: string, block: readonly string[]): boolean {
  const f = change?.files.find((x) => x.path === path);
  return f !== undefined && endOfSubsequence(linesOf(f.baseContent ?? ''), block, 0) >= 0 && endOfSubsequence(linesOf(f.proposedContent), block, 0) < 0;
}

const linesOf = (text: string): string[] => text.split(/\r?\n/);

/** Where `block` ends as a subsequence of `lines` from `from` (leftmost), or -1. */
function endOfSubsequence(lines: readonly string[], block: readonly string[], from: number): number {
  let j = 0;
  for (let i = from; i < lines.length; i++) if (lines[i] === block[j] && ++j === block.length) return i + 1;
  return block.length === 0 ? from : -1;
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

/**
 * The issue's targets, each checked on the measured numbers: the ratios on the headline helios
 * run, the integration checks on every mode run (`others`: helios under the other policy).
 */
export function targets(baseline: ModeMetrics, helios: ModeMetrics, others: readonly ModeMetrics[] = []): Record<string, boolean> {
  const q = ratios(baseline, helios);
  const modes = [baseline, helios, ...others];
  return {
    cost_at_least_50pct_lower: q.cost <= 0.5,
    makespan_at_least_2x_shorter: q.speedup >= 2,
    opus_share_below_50pct: helios.opus_share < 0.5,
    makespan_within_15pct_of_lower_bound: helios.makespan_over_lower_bound <= 1.15,
    overshoot_zero: helios.overshoot === 0 && baseline.overshoot === 0,
    l1_reads_at_least_half_of_input_on_10plus_plans: helios.l1_read_share_10plus >= 0.5,
    all_tasks_done: helios.tasks_failed === 0 && baseline.tasks_failed === 0 && helios.tasks_done === helios.tasks && baseline.tasks_done === baseline.tasks,
    no_stale_base: modes.every((m) => m.tasks_stale_base === 0),
    no_lost_edits: modes.every((m) => m.lost_edits === 0),
    no_unresolved_conflicts: modes.every((m) => m.conflicts === 0 && m.final_tree_applies),
  };
}

/** The targets whose failure makes `bench workflow` exit non-zero: broken runs, not missed ratios. */
export const BLOCKING_TARGETS = ['overshoot_zero', 'all_tasks_done', 'no_stale_base', 'no_lost_edits', 'no_unresolved_conflicts'] as const;

function money(x: number): string {
  return `$${x.toFixed(2)}`;
}

function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function integrationRows(m: ModeMetrics): string[] {
  return [
    `${m.merges} / ${m.rebases}`, money(m.rebase_cost_usd), String(m.conflicts), String(m.tasks_stale_base),
    `${m.lost_edits} of ${int(m.edits_checked)}${m.edits_superseded > 0 ? ` (${m.edits_superseded} superseded)` : ''}`, m.final_tree_applies ? 'yes' : 'no',
  ];
}

const INTEGRATION_LABELS = [
  'integrations merged / rebased', 'rebase cost', 'conflicts (left to the user)', 'tasks coded on a stale base',
  'lost edits (added blocks checked)', 'final trees apply',
] as const;

/**
 * The human table: one column per mode, then helios ÷ baseline; with `wait` (helios under the
 * `wait` shared-files policy), a second table compares the two policies.
 */
export function formatTable(baseline: ModeMetrics, helios: ModeMetrics, speedUp: number, wait?: ModeMetrics): string {
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
    ...INTEGRATION_LABELS.map((label, i): [string, string, string, string] => [label, integrationRows(baseline)[i]!, integrationRows(helios)[i]!, '']),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['', 'baseline', 'helios', 'helios ÷ baseline'][c]!.length));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const checks = Object.entries(targets(baseline, helios, wait ? [wait] : [])).map(([k, ok]) => `${ok ? '✓' : '✗'} ${k.replace(/_/g, ' ')}`);
  return [
    `Workflow benchmark · simulator speed-up ${speedUp}× · times in simulated seconds`,
    '',
    line(['', 'baseline', 'helios', 'helios ÷ baseline']),
    ...rows.map(line),
    '',
    ...(wait ? [formatPolicyTable(helios, wait), ''] : []),
    ...checks,
    '',
  ].join('\n');
}

/** Helios under both shared-files policies: what running siblings side by side (and merging) buys. */
export function formatPolicyTable(merge: ModeMetrics, wait: ModeMetrics): string {
  const rows: Array<[string, string, string]> = [
    ['tasks done / failed', `${merge.tasks_done} / ${merge.tasks_failed}`, `${wait.tasks_done} / ${wait.tasks_failed}`],
    ['total cost', money(merge.cost_usd), money(wait.cost_usd)],
    ['makespan (simulated s)', merge.makespan_s.toFixed(1), wait.makespan_s.toFixed(1)],
    ['makespan ÷ lower bound', merge.makespan_over_lower_bound.toFixed(3), wait.makespan_over_lower_bound.toFixed(3)],
    ...INTEGRATION_LABELS.map((label, i): [string, string, string] => [label, integrationRows(merge)[i]!, integrationRows(wait)[i]!]),
  ];
  const head = ['Shared files (helios)', 'merge', 'wait'];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), head[c]!.length));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
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
