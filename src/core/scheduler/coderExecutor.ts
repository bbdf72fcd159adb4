import type { GovernorState } from '../../shared/budget';
import type { ModelFamily } from '../../shared/models';
import type { ProposedChange } from '../../shared/proposedChange';
import type { Plan, Task } from '../../shared/taskGraph';
import { addUsage, ZERO_USAGE } from '../../shared/usage';
import { runCoder, shouldEscalate, type CoderResult, type CoderWorkspace } from '../agents/coder';
import { HeliosError, isHeliosError } from '../errors/heliosError';
import type { LlmClient, RateLimitInfo } from '../llm/llmClient';
import { describeRoute } from '../router/describeRoute';
import { opusShareOf, routerTaskOf, routeTask, type RouteDecision } from '../router/router';
import type { RouterSettings } from '../router/routerSettings';
import { costOfUsage } from '../usage/cost';
import type { TaskExecutor, TaskResult } from './scheduler';

/** Failures that say nothing about the task: it goes back to the queue. */
const RETRYABLE: ReadonlySet<string> = new Set(['provider_rate_limited', 'provider_overloaded', 'provider_unavailable', 'provider_timeout']);

export interface CoderExecutorDeps {
  /** The governed client: every call is admitted and settled by the governor. */
  readonly client: LlmClient;
  /** The budget as the router needs it, read before each task. */
  readonly budget: () => { readonly state: GovernorState; readonly byFamily: Readonly<Record<ModelFamily, { readonly units: number }>> };
  readonly workspace: (plan: Plan) => CoderWorkspace;
  readonly routerSettings?: RouterSettings;
  /** The minimal context for a task (code analysis), when available; else the Coder selects files itself. */
  readonly context?: (plan: Plan, task: Task) => Promise<string | undefined>;
  /** Stores the proposed change (nothing is applied to the workspace behind the user's back). */
  readonly saveChange: (change: ProposedChange) => Promise<void>;
  readonly onRouted?: (plan: Plan, task: Task, decision: RouteDecision) => void;
}

/**
 * One task, end to end: the router picks the model (and says why), the Coder proposes edits, the
 * change is stored. An invalid answer after the Coder's own repair is retried once on the next
 * stronger model (escalation); provider trouble is handed back to the scheduler to retry later.
 */
export function createCoderExecutor(deps: CoderExecutorDeps): TaskExecutor {
  return async ({ plan, task, fanOut, signal }): Promise<TaskResult> => {
    const route = (attempt: 0 | 1, previous?: RouteDecision) => {
      const budget = deps.budget();
      return routeTask({
        task: routerTaskOf(task), fanOut, governorState: budget.state, opusShare: opusShareOf(budget.byFamily),
        ...(deps.routerSettings ? { settings: deps.routerSettings } : {}),
        ...(attempt === 1 && previous ? { attempt, previousFamily: previous.family, escalationCause: 'validation' as const } : {}),
      });
    };
    let decision = route(0);
    deps.onRouted?.(plan, task, decision);
    const results: CoderResult[] = [];
    const context = await deps.context?.(plan, task);
    const attempt = () => runCoder(task, {
      client: deps.client, model: decision.model, workspace: deps.workspace(plan), planId: plan.id, signal,
      ...(context ? { context } : {}),
    });
    try {
      let result: CoderResult;
      try {
        result = await attempt();
      } catch (error) {
        if (!shouldEscalate(error)) throw error;
        const escalated = route(1, decision);
        if (escalated.family === decision.family) throw error;
        decision = escalated;
        deps.onRouted?.(plan, task, decision);
        result = await attempt();
      }
      results.push(result);
      await deps.saveChange(result.change);
      const usage = results.reduce((sum, r) => addUsage(sum, r.usage), ZERO_USAGE);
      const costUsd = results.flatMap((r) => r.calls).reduce((sum, c) => sum + (costOfUsage(c.model, c.usage) ?? 0), 0);
      return {
        ok: true, model: result.model, reasonCode: decision.reason.code, reason: describeRoute(decision.reason),
        usage, costUsd, calls: results.reduce((n, r) => n + r.calls.length, 0),
        ...(lastRateLimit(results) ? { rateLimit: lastRateLimit(results)! } : {}),
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

/** The newest per-minute limits the provider reported, for the scheduler's rate limiter. */
function lastRateLimit(results: readonly CoderResult[]): RateLimitInfo | undefined {
  return results.flatMap((r) => r.calls).reverse().find((c) => c.rateLimit)?.rateLimit;
}
