import type { Plan, TaskStatus } from '../../shared/taskGraph';
import type { DecomposeResult } from '../agents/architect';
import type { PrdDocument } from '../agents/prdInput';
import { costOfUsage } from '../usage/cost';

/** Where plans live. The extension stores them in workspace storage; tests use a temp folder. */
export interface PlanStore {
  save(plan: Plan): Promise<void>;
  /** The most recently saved plan, or undefined when there is none (or it is unreadable). */
  latest(): Promise<Plan | undefined>;
  /** Every readable stored plan, newest first. */
  list(): Promise<Plan[]>;
}

export function createPlan(args: {
  readonly prd: PrdDocument;
  readonly result: DecomposeResult;
  readonly provider: string;
  readonly now: Date;
}): Plan {
  const { prd, result, provider, now } = args;
  const status: Record<string, TaskStatus> = {};
  for (const t of result.graph.tasks) status[t.id] = t.dependsOn.length === 0 ? 'ready' : 'pending';
  const costUsd = result.calls.reduce((sum, c) => sum + (costOfUsage(c.model, c.usage) ?? 0), 0);
  return {
    version: 1,
    id: `plan-${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${prd.sha256.slice(0, 8)}`,
    createdAt: now.toISOString(),
    prdPath: prd.path,
    prdSha256: prd.sha256,
    plannedBy: result.model,
    provider,
    graph: result.graph,
    status,
    usage: result.usage,
    costUsd,
    repairs: result.repairs,
  };
}
