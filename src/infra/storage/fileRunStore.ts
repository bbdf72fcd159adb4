import path from 'node:path';
import { z } from 'zod';
import type { PlanRun, RunStore } from '../../core/scheduler/runState';
import { UsageSchema } from '../../core/plan/planSchema';
import { readJsonFile, writeFileAtomic } from './atomicFile';
import { moveAside } from './corruptFile';

const TaskRunSchema = z.object({
  status: z.enum(['pending', 'ready', 'running', 'done', 'failed', 'skipped']),
  attempts: z.number().int().nonnegative(),
  model: z.string().optional(),
  reasonCode: z.string().optional(),
  reason: z.string().optional(),
  error: z.object({ reason: z.string(), message: z.string() }).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  usage: UsageSchema.optional(),
  costUsd: z.number().optional(),
  earlierCostUsd: z.number().optional(),
  blockedBy: z.string().optional(),
  review: z.object({
    verdict: z.enum(['approve', 'request_changes']), blockers: z.number(), findings: z.number(), rounds: z.number(), costUsd: z.number(),
  }).optional(),
  verification: z.object({ status: z.enum(['passed', 'failed', 'error', 'skipped', 'unavailable']), failedTests: z.number().optional() }).optional(),
  integration: z.object({
    status: z.enum(['integrated', 'merged', 'rebased', 'conflicted', 'stale']), rebaseCostUsd: z.number().optional(),
  }).optional(),
});

const PlanRunSchema = z.object({
  planId: z.string(),
  state: z.enum(['running', 'paused', 'cancelled', 'done']),
  tasks: z.record(z.string(), TaskRunSchema),
  updatedAt: z.string(),
});

/**
 * Plan runs as JSON files (`<dir>/<planId>.json`), written atomically on every transition. A file
 * that cannot be read is moved aside (`*.corrupt-<time>`), reported, and read as missing: the
 * pipeline then rebuilds the finished tasks from the plan's integrated tree instead of re-running them.
 */
export class FileRunStore implements RunStore {
  constructor(
    private readonly dir: string,
    private readonly onCorrupt?: (file: string, error: string, aside: string | undefined) => void,
  ) {}

  async load(planId: string): Promise<PlanRun | undefined> {
    const file = this.file(planId);
    const read = await readJsonFile(file, (v) => PlanRunSchema.parse(v) as PlanRun);
    if (read.kind === 'corrupt') this.onCorrupt?.(file, read.error, await moveAside(file));
    return read.kind === 'ok' ? read.value : undefined;
  }

  save(run: PlanRun): Promise<void> {
    return writeFileAtomic(this.file(run.planId), JSON.stringify(run));
  }

  private file(planId: string): string {
    if (!/^[\w.-]+$/.test(planId)) throw new Error(`invalid plan id ${planId}`);
    return path.join(this.dir, `${planId}.json`);
  }
}
