import type { GovernorState } from '../../shared/budget';
import { DEFAULT_MODEL_BY_FAMILY, findModel, MODELS, priceTierFor, type ModelFamily, type ModelInfo } from '../../shared/models';
import type { Task, TaskType } from '../../shared/taskGraph';
import { DEFAULT_ROUTER_SETTINGS, type RouterSettings } from './routerSettings';

/**
 * The Economic Router: picks a model family per task, and says why. Pure: the same input always
 * gives the same decision, so decisions can be tested, persisted and explained.
 *
 * Order of rules: escalation (attempt 1) → per-task / per-type override → default map →
 * trivial → Haiku → cost-benefit one tier up → budget (throttled, Opus share) → Sonnet.
 */

export interface RouterTask {
  readonly taskType: TaskType;
  readonly descriptionChars: number;
  readonly files: number;
  /** The Architect's estimate of output tokens. */
  readonly estimatedTokens: number;
  /** Input tokens of the prompt, when known (the built context); otherwise estimated. */
  readonly inputTokens?: number;
  /** A per-task flag: this task needs Opus whatever the budget says. */
  readonly requiresOpus?: boolean;
}

/** The router's view of a plan task. */
export function routerTaskOf(task: Task, extra: { readonly inputTokens?: number; readonly requiresOpus?: boolean } = {}): RouterTask {
  return {
    taskType: task.taskType,
    descriptionChars: task.description.length,
    files: task.files.length,
    estimatedTokens: task.estimatedTokens,
    ...(extra.inputTokens === undefined ? {} : { inputTokens: extra.inputTokens }),
    ...(extra.requiresOpus === undefined ? {} : { requiresOpus: extra.requiresOpus }),
  };
}

export type EscalationCause = 'validation' | 'review';

export interface RouteInput {
  readonly task: RouterTask;
  /** Number of transitive dependants in the DAG (see `dependantCounts`). */
  readonly fanOut: number;
  readonly governorState: GovernorState;
  /** Opus's share of the window's usage, 0–1. */
  readonly opusShare: number;
  /** 0 = first attempt; 1 = retry after failed validation or review. */
  readonly attempt?: 0 | 1;
  /** The family of the failed attempt (attempt 1); defaults to what attempt 0 would pick. */
  readonly previousFamily?: ModelFamily;
  readonly escalationCause?: EscalationCause;
  /**
   * The task is re-run because its base moved (a sibling's overlapping edits were integrated
   * first): same model as before, the work is not harder — only its starting point changed.
   */
  readonly rebaseOf?: ModelFamily;
  readonly settings?: RouterSettings;
  readonly models?: readonly ModelInfo[];
}

/** Why the router chose a model: a code the extension localizes, with its parameters. */
export type RouteReason =
  | { readonly code: 'default_map'; readonly params: { readonly taskType: TaskType; readonly family: ModelFamily } }
  | { readonly code: 'override'; readonly params: { readonly taskType: TaskType; readonly family: ModelFamily; readonly source: 'settings' | 'task' } }
  | { readonly code: 'trivial_to_haiku'; readonly params: { readonly taskType: TaskType; readonly family: 'haiku' } }
  | { readonly code: 'complex_up'; readonly params: { readonly taskType: TaskType; readonly from: ModelFamily; readonly family: ModelFamily; readonly complexity: number; readonly fanOut: number } }
  | { readonly code: 'throttled_to_sonnet'; readonly params: { readonly state: 'throttled' | 'paused'; readonly family: 'sonnet' } }
  | { readonly code: 'opus_share_to_sonnet'; readonly params: { readonly sharePercent: number; readonly limitPercent: number; readonly family: 'sonnet' } }
  | { readonly code: 'escalated'; readonly params: { readonly from: ModelFamily; readonly family: ModelFamily; readonly cause: EscalationCause } }
  | { readonly code: 'rebase'; readonly params: { readonly family: ModelFamily } };

export type RouteReasonCode = RouteReason['code'];

export interface RouteDecision {
  readonly model: string;
  readonly family: ModelFamily;
  readonly reason: RouteReason;
  /** Expected cost of one call on the chosen model, from the price table. */
  readonly expectedCostUsd: number;
  /** 0–1; what the cost-benefit rule weighed. */
  readonly complexity: number;
}

const TIERS: readonly ModelFamily[] = ['haiku', 'sonnet', 'opus', 'fable'];

/** How hard each task type tends to be (0–1). */
const TYPE_WEIGHT: Readonly<Record<TaskType, number>> = {
  architectural_reasoning: 0.9,
  high_level_planning: 0.8,
  code_review: 0.7,
  bug_fix: 0.55,
  code_generation: 0.5,
  refactoring: 0.5,
  integration_test: 0.45,
  unit_test: 0.35,
  boilerplate_generation: 0.2,
  documentation: 0.15,
};

/** The complexity a family handles reliably; above it, the failure probability grows. */
const CAPABILITY: Readonly<Record<ModelFamily, number>> = { haiku: 0.3, sonnet: 0.6, opus: 0.85, fable: 0.95 };

/** A task is trivial when all of these hold. */
export const TRIVIAL = { maxDescriptionChars: 200, maxFiles: 1, maxEstimatedTokens: 1_500, maxComplexity: 0.3 } as const;

/** Each blocked dependant adds this much weight to the cost of a failure. */
const FAN_OUT_WEIGHT = 0.25;

const sat = (x: number, full: number) => Math.max(0, Math.min(1, x / full));

/**
 * 0–1 from the task type, the description's length, the number of files, the fan-out and the size.
 * Weights: type 35 %, description 20 %, fan-out 20 %, files 15 %, size 10 %.
 */
export function complexityScore(task: RouterTask, fanOut: number): number {
  const score =
    0.35 * TYPE_WEIGHT[task.taskType] +
    0.2 * sat(task.descriptionChars, 1_500) +
    0.2 * sat(fanOut, 8) +
    0.15 * sat(task.files - 1, 5) +
    0.1 * sat(task.estimatedTokens, 16_000);
  return Math.round(score * 1000) / 1000;
}

/** Input tokens when the caller doesn't know them: system prompt, task text, files in context. */
export function estimatedInputTokens(task: RouterTask): number {
  return task.inputTokens ?? 1_500 + Math.ceil(task.descriptionChars / 4) + 1_200 * Math.max(1, task.files);
}

/** One call's expected cost on a model: estimated input and output tokens × the table's price tier. */
export function expectedCostUsd(task: RouterTask, model: ModelInfo | undefined): number {
  if (!model) return 0;
  const input = estimatedInputTokens(task);
  const tier = priceTierFor(model, input);
  return (input * tier.inputPerMTok + task.estimatedTokens * tier.outputPerMTok) / 1_000_000;
}

/** The failure probability of a family on a task of this complexity (floor 2 %, cap 95 %). */
export function failureProbability(family: ModelFamily, complexity: number): number {
  return Math.min(0.95, Math.max(0.02, 2 * (complexity - CAPABILITY[family])));
}

export function nextStronger(family: ModelFamily, fableEnabled: boolean): ModelFamily {
  const next = TIERS[TIERS.indexOf(family) + 1];
  if (!next || (next === 'fable' && !fableEnabled)) return family;
  return next;
}

interface Ctx {
  readonly settings: RouterSettings;
  readonly models: readonly ModelInfo[];
  readonly task: RouterTask;
}

function modelIdOf(ctx: Ctx, family: ModelFamily): string {
  return ctx.settings.modelByFamily[family] ?? DEFAULT_MODEL_BY_FAMILY[family];
}

function costOn(ctx: Ctx, family: ModelFamily): number {
  const id = modelIdOf(ctx, family);
  return expectedCostUsd(ctx.task, findModel(id, ctx.models) ?? findModel(DEFAULT_MODEL_BY_FAMILY[family], ctx.models));
}

/**
 * Expected spend of starting on `family`: its own call, plus — with the failure probability — the
 * escalated retry, weighted by how many dependants a failure would hold up.
 */
function expectedSpend(ctx: Ctx, family: ModelFamily, complexity: number, fanOut: number): number {
  const retry = costOn(ctx, nextStronger(family, ctx.settings.fableEnabled));
  return costOn(ctx, family) + failureProbability(family, complexity) * retry * (1 + FAN_OUT_WEIGHT * fanOut);
}

function isTrivial(task: RouterTask, complexity: number): boolean {
  return task.descriptionChars <= TRIVIAL.maxDescriptionChars && task.files <= TRIVIAL.maxFiles &&
    task.estimatedTokens <= TRIVIAL.maxEstimatedTokens && complexity <= TRIVIAL.maxComplexity;
}

/** The first-attempt choice, before the budget has its say. */
function preferred(ctx: Ctx, complexity: number, fanOut: number): { family: ModelFamily; reason: RouteReason } {
  const { task, settings } = ctx;
  const taskType = task.taskType;
  if (task.requiresOpus && TIERS.indexOf(settings.defaultMap[taskType]) < TIERS.indexOf('opus')) {
    return { family: 'opus', reason: { code: 'override', params: { taskType, family: 'opus', source: 'task' } } };
  }
  let family = settings.defaultMap[taskType];
  if (family === 'haiku' && !settings.haikuEnabled) family = 'sonnet';
  if (settings.overriddenTypes.includes(taskType)) {
    return { family, reason: { code: 'override', params: { taskType, family, source: 'settings' } } };
  }
  if (family === 'sonnet' && settings.haikuEnabled && isTrivial(task, complexity) && !task.requiresOpus) {
    return { family: 'haiku', reason: { code: 'trivial_to_haiku', params: { taskType, family: 'haiku' } } };
  }
  if (family === 'sonnet') {
    const up = nextStronger(family, settings.fableEnabled);
    if (up !== family && expectedSpend(ctx, up, complexity, fanOut) < expectedSpend(ctx, family, complexity, fanOut)) {
      return { family: up, reason: { code: 'complex_up', params: { taskType, from: family, family: up, complexity, fanOut } } };
    }
  }
  return { family, reason: { code: 'default_map', params: { taskType, family } } };
}

function requiresOpus(ctx: Ctx): boolean {
  return ctx.task.requiresOpus === true || ctx.settings.requireOpusTypes.includes(ctx.task.taskType);
}

/**
 * Opus's share of the window (0–1) from the budget snapshot's `byFamily` (governor units, so the
 * plan's Opus weight counts). Fable is not counted: the router only ever demotes Opus.
 */
export function opusShareOf(byFamily: Readonly<Record<ModelFamily, { readonly units: number }>>): number {
  const total = byFamily.haiku.units + byFamily.sonnet.units + byFamily.opus.units + byFamily.fable.units;
  return total > 0 ? byFamily.opus.units / total : 0;
}

export function routeTask(input: RouteInput): RouteDecision {
  const ctx: Ctx = { settings: input.settings ?? DEFAULT_ROUTER_SETTINGS, models: input.models ?? MODELS, task: input.task };
  const fanOut = Math.max(0, input.fanOut);
  const complexity = complexityScore(input.task, fanOut);
  const decide = (family: ModelFamily, reason: RouteReason): RouteDecision => ({
    model: modelIdOf(ctx, family), family, reason, expectedCostUsd: costOn(ctx, family), complexity,
  });

  if (input.rebaseOf) return decide(input.rebaseOf, { code: 'rebase', params: { family: input.rebaseOf } });
  let choice = preferred(ctx, complexity, fanOut);
  if (input.attempt === 1) {
    // A retry on the same model tends to fail the same way: escalation outranks the budget
    // preference (the governor's admission still gates the call).
    const from = input.previousFamily ?? choice.family;
    const family = nextStronger(from, ctx.settings.fableEnabled);
    return decide(family, { code: 'escalated', params: { from, family, cause: input.escalationCause ?? 'validation' } });
  }
  if (choice.family === 'opus' && !requiresOpus(ctx)) {
    if (input.governorState !== 'ok') {
      choice = { family: 'sonnet', reason: { code: 'throttled_to_sonnet', params: { state: input.governorState, family: 'sonnet' } } };
    } else if (input.opusShare >= ctx.settings.opusShareLimit) {
      choice = {
        family: 'sonnet',
        reason: {
          code: 'opus_share_to_sonnet',
          params: { sharePercent: Math.round(input.opusShare * 100), limitPercent: Math.round(ctx.settings.opusShareLimit * 100), family: 'sonnet' },
        },
      };
    }
  }
  return decide(choice.family, choice.reason);
}
