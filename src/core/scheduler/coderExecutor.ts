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
import type { TaskExecutor, TaskResult } from './scheduler';

/** Failures that say nothing about the task: it goes back to the queue. */
const RETRYABLE: ReadonlySet<string> = new Set(['provider_rate_limited', 'provider_overloaded', 'provider_unavailable', 'provider_timeout']);

export interface ReviewLoopOptions {
  readonly enabled: boolean;
  /** Coder → Reviewer rounds in total; 2 = at most one rework. */
  readonly maxRounds: number;
}

export const DEFAULT_REVIEW_ROUNDS = 2;

/** Runs the workspace's verify command against a change in a sandbox (implemented in infra). */
export type VerifyHook = (plan: Plan, task: Task, change: ProposedChange, signal: AbortSignal) => Promise<VerificationResult>;

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
  readonly workspace: (plan: Plan) => CoderWorkspace;
  readonly routerSettings?: RouterSettings;
  /** The minimal context for a task (code analysis), when available; else the Coder selects files itself. */
  readonly context?: (plan: Plan, task: Task) => Promise<string | undefined>;
  /** The Reviewer's context for a change (signatures it touches, impact set); none when absent. */
  readonly reviewContext?: (plan: Plan, task: Task, change: ProposedChange) => Promise<string | undefined>;
  /** Stores the proposed change (nothing is applied to the workspace behind the user's back). */
  readonly saveChange: (change: ProposedChange) => Promise<void>;
  readonly onRouted?: (plan: Plan, task: Task, decision: RouteDecision) => void;
  /** Review after coding; off when absent. */
  readonly review?: ReviewLoopOptions;
  /** Verify each change before review; a failure gets one Coder retry with the output. */
  readonly verify?: VerifyHook;
  readonly onReview?: (plan: Plan, task: Task, event: ReviewEvent) => void;
}

/**
 * One task, end to end: the router picks the model (and says why), the Coder proposes edits, the
 * change is verified and reviewed when those are on, and stored. An invalid Coder answer after its
 * own repair is retried once on the next stronger model (escalation); a failed verification gets
 * one Coder retry with the output; a review with blockers sends the task back to the Coder while
 * rounds are left. Provider trouble is handed back to the scheduler to retry later.
 */
export function createCoderExecutor(deps: CoderExecutorDeps): TaskExecutor {
  return async ({ plan, task, fanOut, signal }): Promise<TaskResult> => {
    const route = (attempt: 0 | 1, previous?: RouteDecision, cause: EscalationCause = 'validation') => {
      const budget = deps.budget();
      return routeTask({
        task: routerTaskOf(task), fanOut, governorState: budget.state, opusShare: opusShareOf(budget.byFamily),
        ...(deps.routerSettings ? { settings: deps.routerSettings } : {}),
        ...(attempt === 1 && previous ? { attempt, previousFamily: previous.family, escalationCause: cause } : {}),
      });
    };
    let decision = route(0);
    deps.onRouted?.(plan, task, decision);
    const calls: LlmResponse[] = [];
    const reviewCalls: LlmResponse[] = [];
    const context = await deps.context?.(plan, task);
    const code = async (rework?: CoderRework): Promise<CoderResult> => {
      return runCoder(task, {
        client: deps.client, model: decision.model, workspace: deps.workspace(plan), planId: plan.id, signal,
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
      const verification = await deps.verify(plan, task, change, signal);
      deps.onReview?.(plan, task, { kind: 'verified', verification });
      return verification;
    };
    try {
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
              readBase: (path) => deps.workspace(plan).read(path),
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
      await deps.saveChange({
        ...change,
        ...(finalReview ? { review: finalReview, reviewRounds: rounds } : {}),
        ...(verification ? { verification } : {}),
      });
      const all = [...calls, ...reviewCalls];
      const rateLimit = [...all].reverse().find((c) => c.rateLimit)?.rateLimit;
      return {
        ok: true, model: change.model, reasonCode: decision.reason.code, reason: describeRoute(decision.reason),
        usage: all.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE), costUsd: sumCost(all), calls: all.length,
        ...(rateLimit ? { rateLimit } : {}),
        ...(finalReview ? {
          review: {
            verdict: finalReview.verdict, blockers: finalReview.findings.filter((f) => f.severity === 'blocker').length,
            findings: finalReview.findings.length, rounds, costUsd: reviewCost,
          },
        } : {}),
        ...(verification ? { verification: { status: verification.status, ...(verification.failedTests !== undefined ? { failedTests: verification.failedTests } : {}) } } : {}),
      };
    } catch (error) {
      const reason = isHeliosError(error) ? error.reason : 'unexpected';
      return {
        ok: false,
        retryable: RETRYABLE.has(reason),
        error: { reason, message: error instanceof Error ? error.message : String(error) },
        model: decision.model,
        ...(error instanceof HeliosError && reason === 'provider_rate_limited' ? { retryAfterMs: 5_000 } : {}),
      };
    }
  };
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
