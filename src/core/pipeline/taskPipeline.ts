import type { GovernorState } from '../../shared/budget';
import type { ModelFamily } from '../../shared/models';
import type { ProposedChange } from '../../shared/proposedChange';
import type { ReviewRecord } from '../../shared/review';
import type { Plan, Task } from '../../shared/taskGraph';
import { addUsage, totalTokens, ZERO_USAGE } from '../../shared/usage';
import type { VerificationResult } from '../../shared/verification';
import { runCoder, shouldEscalate, type CoderResult, type CoderWorkspace } from '../agents/coder';
import type { CoderRework } from '../agents/coderPrompt';
import { runReviewer, type ReviewerResult } from '../agents/reviewer';
import { HeliosError, isHeliosError } from '../errors/heliosError';
import type { LlmClient, LlmResponse } from '../llm/llmClient';
import { describeRoute } from '../router/describeRoute';
import { opusShareOf, routerTaskOf, routeTask, type EscalationCause, type RouteDecision } from '../router/router';
import type { RouterSettings } from '../router/routerSettings';
import { costOfUsage } from '../usage/cost';
import type { TaskExecutor, TaskResult } from '../scheduler/scheduler';
import type { IntegratedTask, IntegrateResult, PlanTree, StoredTaskOutcome } from '../integration/planTree';
import type { IntegrationOverlap, TaskIntegration } from '../../shared/integration';
import type { TreeView } from '../context/contextHook';

/** Failures that say nothing about the task: it goes back to the queue. */
const RETRYABLE: ReadonlySet<string> = new Set(['provider_rate_limited', 'provider_overloaded', 'provider_unavailable', 'provider_timeout']);

export interface ReviewLoopOptions {
  readonly enabled: boolean;
  /** Coder → Reviewer rounds in total; 2 = at most one rework. */
  readonly maxRounds: number;
}

export const DEFAULT_REVIEW_ROUNDS = 2;

/** Runs the workspace's verify command against a change in a sandbox (implemented in infra). */
/**
 * `integrated`, when given, is every file the plan's tree changed with this change merged in: the
 * scratch copy gets those instead of the change alone, so the task is verified with its
 * dependencies' work in place.
 */
export type VerifyHook = (plan: Plan, task: Task, change: ProposedChange, signal: AbortSignal, integrated?: ReadonlyMap<string, string>) => Promise<VerificationResult>;

/** What happened in the review part of a task, for logs and progress. */
export type ReviewEvent =
  | { readonly kind: 'verified'; readonly verification: VerificationResult }
  | { readonly kind: 'review_routed'; readonly decision: RouteDecision }
  | { readonly kind: 'reviewed'; readonly round: number; readonly review: ReviewRecord }
  | { readonly kind: 'rework_failed'; readonly reason: string; readonly message: string }
  /** The Reviewer could not review (invalid output after its repair, provider trouble): the change is saved unreviewed. */
  | { readonly kind: 'review_failed'; readonly reason: string; readonly message: string };

export interface CoderExecutorDeps {
  /** The governed client: every call is admitted and settled by the governor. */
  readonly client: LlmClient;
  /** The budget as the router needs it, read before each task. */
  readonly budget: () => { readonly state: GovernorState; readonly byFamily: Readonly<Record<ModelFamily, { readonly units: number }>> };
  /** The bare workspace; used only when the plan has no integrated tree (`tree` absent). */
  readonly workspace: (plan: Plan) => CoderWorkspace;
  /**
   * The plan's integrated tree: every agent reads through it, and each finished change is merged
   * into it. Without it a task sees the bare workspace and nothing is integrated.
   */
  readonly tree?: (plan: Plan) => Promise<PlanTree>;
  readonly routerSettings?: RouterSettings;
  /** The minimal context for a task (code analysis), when available; else the Coder selects files itself. */
  readonly context?: (plan: Plan, task: Task, tree?: TreeView) => Promise<string | undefined>;
  /** The Reviewer's context for a change (signatures it touches, impact set); none when absent. */
  readonly reviewContext?: (plan: Plan, task: Task, change: ProposedChange) => Promise<string | undefined>;
  /** Stores the proposed change (nothing is applied to the workspace behind the user's back). */
  readonly saveChange: (change: ProposedChange) => Promise<void>;
  /** A change stored earlier (a resume after a crash between storing and integrating it). */
  readonly loadChange?: (planId: string, taskId: string) => Promise<ProposedChange | undefined>;
  readonly onRouted?: (plan: Plan, task: Task, decision: RouteDecision) => void;
  /** Review after coding; off when absent. */
  readonly review?: ReviewLoopOptions;
  /** Verify each change before review; a failure gets one Coder retry with the output. */
  readonly verify?: VerifyHook;
  readonly onReview?: (plan: Plan, task: Task, event: ReviewEvent) => void;
  /**
   * Inside the tree's integration lock, in integration order: mirror the task to the plan branch.
   * True when it was recorded there (the tree may then drop its copy of the task's files).
   */
  readonly onIntegrated?: (plan: Plan, task: Task, record: IntegratedTask) => Promise<boolean>;
  readonly onIntegration?: (plan: Plan, task: Task, event: IntegrationEvent) => void;
}

export type IntegrationEvent =
  | { readonly kind: 'integrated'; readonly record: IntegratedTask; readonly merged: readonly string[] }
  | { readonly kind: 'rebasing'; readonly overlaps: readonly IntegrationOverlap[] }
  | { readonly kind: 'conflicted'; readonly overlaps: readonly IntegrationOverlap[] }
  | { readonly kind: 'resumed'; readonly record: IntegratedTask };

/**
 * One task, end to end: code → integrate (preview) → verify → review → integrate. The router picks
 * the model (and says why); the Coder reads the plan's integrated tree, so it sees its dependencies'
 * work; the change is verified on that tree with the change merged in, reviewed against the base it
 * read, and merged into the tree. Edits that overlap a sibling's (integrated meanwhile) make the task
 * run once more on the merged tree — a rebase, its cost kept apart — and if it still overlaps, the
 * change is stored as conflicted (nothing overwritten) and the task fails. An invalid Coder answer
 * after its own repair escalates once; a failed verification gets one Coder retry with the output;
 * a review with blockers sends the task back while rounds are left. Provider trouble goes back to
 * the scheduler to retry later. A task found integrated already (a resume) is not run again.
 */
export function createCoderExecutor(deps: CoderExecutorDeps): TaskExecutor {
  return async ({ plan, task, fanOut, signal }): Promise<TaskResult> => {
    const tree = deps.tree ? await deps.tree(plan) : undefined;
    const resumed = tree ? await resumeIntegrated(deps, plan, task, tree) : undefined;
    if (resumed) return resumed;
    const reader: CoderWorkspace = tree ? { read: (p) => tree.read(p) } : deps.workspace(plan);
    const view: TreeView | undefined = tree ? { read: (p) => tree.read(p), changed: () => tree.changedFiles() } : undefined;
    const route = (attempt: 0 | 1, previous?: RouteDecision, cause: EscalationCause = 'validation') => {
      const budget = deps.budget();
      return routeTask({
        task: routerTaskOf(task), fanOut, governorState: budget.state, opusShare: opusShareOf(budget.byFamily),
        ...(deps.routerSettings ? { settings: deps.routerSettings } : {}),
        ...(attempt === 1 && previous ? { attempt, previousFamily: previous.family, escalationCause: cause } : {}),
      });
    };
    let decision = route(0);
    /** The last route that chose the model for a reason of its own: a rebase keeps it, so its `✓` line says why. */
    let explained = decision;
    deps.onRouted?.(plan, task, decision);
    const calls: LlmResponse[] = [];
    const reviewCalls: LlmResponse[] = [];
    /** Calls of the rebase run (a subset of `calls` and `reviewCalls`): the extra cost integration took. */
    let rebaseFrom: number | undefined;
    let context = await deps.context?.(plan, task, view);
    const code = async (rework?: CoderRework): Promise<CoderResult> => {
      return runCoder(task, {
        client: deps.client, model: decision.model, workspace: reader, planId: plan.id, signal,
        ...(context ? { context } : {}), ...(rework ? { rework } : {}),
        // Collected per call so a failed attempt (escalated or not) still counts.
        onCall: (c) => void calls.push(c),
      });
    };
    /** A second Coder pass (verify failure or review): routed as attempt 1; a failure keeps the previous change. */
    const redo = async (cause: EscalationCause, rework: CoderRework): Promise<CoderResult | undefined> => {
      decision = route(1, decision, cause);
      deps.onRouted?.(plan, task, decision);
      try {
        return await code(rework);
      } catch (error) {
        if (!shouldEscalate(error)) throw error;
        deps.onReview?.(plan, task, { kind: 'rework_failed', ...describe(error) });
        return undefined;
      }
    };
    const verify = async (change: ProposedChange): Promise<VerificationResult | undefined> => {
      if (!deps.verify) return undefined;
      // On the integrated tree: the plan's files so far with this change merged in.
      const integrated = tree ? await integratedFiles(tree, change) : undefined;
      const verification = await deps.verify(plan, task, change, signal, integrated);
      deps.onReview?.(plan, task, { kind: 'verified', verification });
      return verification;
    };
    /** Code (escalating once on invalid output), then verify with one retry. */
    const codeAndVerify = async (): Promise<{ change: ProposedChange; verification: VerificationResult | undefined }> => {
      let result: CoderResult;
      try {
        result = await code();
      } catch (error) {
        if (!shouldEscalate(error)) throw error;
        const escalated = route(1, decision);
        if (escalated.family === decision.family) throw error;
        decision = escalated;
        deps.onRouted?.(plan, task, decision);
        result = await code();
      }
      let change = result.change;
      let verification = await verify(change);
      if (verification?.status === 'failed') {
        const retried = await redo('validation', { previous: change, verification });
        if (retried) {
          change = retried.change;
          verification = await verify(change);
        }
      }
      return { change, verification };
    };
    let releaseRebase: (() => void) | undefined;
    const rebase = async (overlaps: readonly IntegrationOverlap[], change: ProposedChange): Promise<boolean> => {
      if (!tree || rebaseFrom !== undefined) return false;
      deps.onIntegration?.(plan, task, { kind: 'rebasing', overlaps });
      // Hold the files while re-running, so the rebased change integrates without another overlap.
      releaseRebase = await tree.reserve(task.id, new Set([...task.files, ...change.files.map((f) => f.path)]));
      rebaseFrom = calls.length + reviewCalls.length;
      explained = decision;
      decision = routeTask({
        task: routerTaskOf(task), fanOut, governorState: deps.budget().state, opusShare: opusShareOf(deps.budget().byFamily),
        ...(deps.routerSettings ? { settings: deps.routerSettings } : {}), rebaseOf: decision.family,
      });
      deps.onRouted?.(plan, task, decision);
      context = await deps.context?.(plan, task, view);
      return true;
    };
    const conflicted = async (change: ProposedChange, overlaps: readonly IntegrationOverlap[]): Promise<TaskResult> => {
      deps.onIntegration?.(plan, task, { kind: 'conflicted', overlaps });
      await deps.saveChange({ ...change, state: 'conflicted', integration: { status: 'conflicted', overlaps, runs: 2, rebaseCostUsd: rebaseCost() } });
      throw new HeliosError('integration_conflict', `${task.id}'s edits overlap the plan's tree after a rebase: ${overlaps.map((o) => o.path).join(', ')}`, {
        taskId: task.id, paths: overlaps.map((o) => o.path),
      });
    };
    const rebaseCost = () => (rebaseFrom === undefined ? 0 : sumCost([...calls, ...reviewCalls].slice(rebaseFrom)));
    try {
      for (;;) {
        let { change, verification } = await codeAndVerify();
        if (tree) {
          // Overlaps found now are cheaper than after the review: rebase before reviewing.
          const preview = await tree.preview(change);
          if (!preview.ok) {
            if (await rebase(preview.overlaps, change)) continue;
            return await conflicted(change, preview.overlaps);
          }
        }

        let review: ReviewRecord | undefined;
        let rounds = 0;
        if (deps.review?.enabled) {
          const maxRounds = Math.max(1, Math.floor(deps.review.maxRounds));
          const reviewerRoute = routeReviewer(deps, task, fanOut);
          deps.onReview?.(plan, task, { kind: 'review_routed', decision: reviewerRoute });
          for (;;) {
            let reviewed: ReviewerResult;
            try {
              const reviewContext = await deps.reviewContext?.(plan, task, change);
              reviewed = await runReviewer(task, change, {
                client: deps.client, model: reviewerRoute.model, planId: plan.id, signal, onCall: (c) => void reviewCalls.push(c),
                readBase: (path) => reader.read(path),
                ...(reviewContext ? { context: reviewContext } : {}),
                ...(verification ? { verification } : {}),
                ...(review ? { previous: review } : {}),
              });
            } catch (error) {
              if (isHeliosError(error, 'cancelled')) throw error;
              // The Coder's change is worth more than the review: keep it, unreviewed, and say why.
              deps.onReview?.(plan, task, { kind: 'review_failed', ...describe(error) });
              review = undefined;
              break;
            }
            rounds++;
            review = reviewed.review;
            deps.onReview?.(plan, task, { kind: 'reviewed', round: rounds, review });
            const blockers = review.findings.filter((f) => f.severity === 'blocker');
            if (review.verdict !== 'request_changes' || blockers.length === 0 || rounds >= maxRounds) break;
            const reworked = await redo('review', { previous: change, findings: review.findings });
            if (!reworked) break;
            change = reworked.change;
            verification = await verify(change);
          }
        }

        const reviewCost = sumCost(reviewCalls);
        const reviewUsage = reviewCalls.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE);
        const finalReview = review ? { ...review, costUsd: reviewCost, tokens: totalTokens(reviewUsage) } : undefined;
        const all = [...calls, ...reviewCalls];
        const rateLimit = [...all].reverse().find((c) => c.rateLimit)?.rateLimit;
        const outcome: StoredTaskOutcome = {
          model: change.model, reasonCode: (decision.reason.code === 'rebase' ? explained : decision).reason.code,
          reason: describeRoute((decision.reason.code === 'rebase' ? explained : decision).reason),
          usage: all.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE), costUsd: sumCost(all), calls: all.length,
          ...(finalReview ? {
            review: {
              verdict: finalReview.verdict, blockers: finalReview.findings.filter((f) => f.severity === 'blocker').length,
              findings: finalReview.findings.length, rounds, costUsd: reviewCost,
            },
          } : {}),
          ...(verification ? { verification: { status: verification.status, ...(verification.failedTests !== undefined ? { failedTests: verification.failedTests } : {}) } } : {}),
          ...(rebaseFrom !== undefined ? { rebaseCostUsd: rebaseCost() } : {}),
        };
        const stored: ProposedChange = {
          ...change,
          ...(finalReview ? { review: finalReview, reviewRounds: rounds } : {}),
          ...(verification ? { verification } : {}),
        };
        // Stored before it is integrated: a crash in between integrates the stored change on resume.
        await deps.saveChange(tree ? { ...stored, outcome } : stored);
        let integration: TaskIntegration | undefined;
        if (tree) {
          const integrated = await integrate(deps, plan, task, tree, stored, rebaseFrom === undefined ? 'fresh' : 'rebased', outcome);
          if (!integrated.ok) {
            if (await rebase(integrated.overlaps, stored)) continue;
            return await conflicted(stored, integrated.overlaps);
          }
          integration = integrationOf(integrated.record);
        }
        return { ok: true, ...outcome, ...(rateLimit ? { rateLimit } : {}), ...(integration ? { integration } : {}) };
      }
    } catch (error) {
      const reason = isHeliosError(error) ? error.reason : 'unexpected';
      return {
        ok: false,
        retryable: RETRYABLE.has(reason),
        error: { reason, message: error instanceof Error ? error.message : String(error), ...(isHeliosError(error) ? { details: error.details } : {}) },
        model: decision.model,
        ...(error instanceof HeliosError && reason === 'provider_rate_limited' ? { retryAfterMs: 5_000 } : {}),
      };
    } finally {
      releaseRebase?.();
    }
  };
}

/** Merges a stored change into the tree, mirrors it (branch) and records its status on the change. */
async function integrate(
  deps: CoderExecutorDeps, plan: Plan, task: Task, tree: PlanTree, change: ProposedChange, status: 'fresh' | 'rebased', outcome: StoredTaskOutcome,
): Promise<IntegrateResult> {
  const result = await tree.integrate(change, status, outcome, deps.onIntegrated ? (record) => deps.onIntegrated!(plan, task, record) : undefined);
  if (!result.ok) return result;
  deps.onIntegration?.(plan, task, { kind: 'integrated', record: result.record, merged: result.merged });
  // Best effort: the tree is the truth, and a resume marks the stored change if this write failed.
  await deps.saveChange(markIntegrated(change, result.record)).catch(() => undefined);
  return result;
}

/** The stored change as integrated: its outcome and how it reached the tree. */
function markIntegrated(change: ProposedChange, record: IntegratedTask): ProposedChange {
  const { outcome } = record;
  return {
    ...change, outcome,
    integration: { status: record.status, runs: record.status === 'rebased' ? 2 : 1, ...(outcome.rebaseCostUsd !== undefined ? { rebaseCostUsd: outcome.rebaseCostUsd } : {}) },
  };
}

/**
 * A resume: a task the tree already integrated returns its stored outcome (no call, no charge);
 * a change stored but not yet integrated (a crash in between) is integrated now.
 */
async function resumeIntegrated(deps: CoderExecutorDeps, plan: Plan, task: Task, tree: PlanTree): Promise<TaskResult | undefined> {
  const record = tree.record(task.id);
  if (record) {
    // A crash between the tree's write and the change's: the stored change learns it was integrated.
    // Best effort: the tree is the truth, and the task is done either way.
    const stored = await deps.loadChange?.(plan.id, task.id).catch(() => undefined);
    if (stored && stored.state === 'proposed' && !stored.integration) await deps.saveChange(markIntegrated(stored, record)).catch(() => undefined);
    deps.onIntegration?.(plan, task, { kind: 'resumed', record });
    return { ok: true, ...record.outcome, integration: integrationOf(record) };
  }
  const stored = await deps.loadChange?.(plan.id, task.id);
  const outcome = stored?.outcome;
  if (!stored || !outcome || stored.integration || stored.state !== 'proposed') return undefined;
  const integrated = await integrate(deps, plan, task, tree, stored, outcome.rebaseCostUsd !== undefined ? 'rebased' : 'fresh', outcome);
  return integrated.ok ? { ok: true, ...outcome, integration: integrationOf(integrated.record) } : undefined;
}

function integrationOf(record: IntegratedTask): TaskIntegration {
  return { status: record.status, ...(record.outcome.rebaseCostUsd !== undefined ? { rebaseCostUsd: record.outcome.rebaseCostUsd } : {}) };
}

/** The plan's changed files with the change merged in (for verification on the integrated tree). */
async function integratedFiles(tree: PlanTree, change: ProposedChange): Promise<ReadonlyMap<string, string> | undefined> {
  const preview = await tree.preview(change);
  const files = tree.changedFiles();
  if (preview.ok) for (const [path, text] of preview.files) files.set(path, text);
  else for (const f of change.files) files.set(f.path, f.proposedContent);
  return files;
}

/**
 * The Reviewer's model comes from the router like any other: the task seen as `code_review` work
 * (Opus in the default map, demoted by the budget like any Opus route), so the reason is explained.
 */
export function routeReviewer(deps: Pick<CoderExecutorDeps, 'budget' | 'routerSettings'>, task: Task, fanOut: number): RouteDecision {
  const budget = deps.budget();
  return routeTask({
    task: { ...routerTaskOf(task), taskType: 'code_review' }, fanOut, governorState: budget.state, opusShare: opusShareOf(budget.byFamily),
    ...(deps.routerSettings ? { settings: deps.routerSettings } : {}),
  });
}

function sumCost(calls: readonly LlmResponse[]): number {
  return calls.reduce((sum, c) => sum + (costOfUsage(c.model, c.usage) ?? 0), 0);
}

function describe(error: unknown): { reason: string; message: string } {
  return { reason: isHeliosError(error) ? error.reason : 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
