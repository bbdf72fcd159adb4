import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HeliosError } from '../../core/errors/heliosError';
import type { TreeState, TreeStore } from '../../core/integration/planTree';
import { UsageSchema } from '../../core/plan/planSchema';
import { readJsonFile, writeFileAtomic } from './atomicFile';

const OutcomeSchema = z.object({
  model: z.string(),
  reasonCode: z.string(),
  reason: z.string(),
  usage: UsageSchema,
  costUsd: z.number().nonnegative(),
  calls: z.number().int().nonnegative(),
  review: z.object({
    verdict: z.enum(['approve', 'request_changes']), blockers: z.number(), findings: z.number(), rounds: z.number(), costUsd: z.number(),
  }).optional(),
  verification: z.object({ status: z.enum(['passed', 'failed', 'error', 'skipped', 'unavailable']), failedTests: z.number().optional() }).optional(),
  rebaseCostUsd: z.number().optional(),
});

const TreeStateSchema = z.object({
  version: z.literal(1),
  planId: z.string().min(1),
  createdAt: z.string(),
  base: z.record(z.string(), z.string().nullable()),
  files: z.record(z.string(), z.string()),
  tasks: z.record(z.string(), z.object({
    taskId: z.string(),
    status: z.enum(['integrated', 'merged', 'rebased']),
    order: z.number().int().positive(),
    at: z.string(),
    paths: z.array(z.string()),
    files: z.record(z.string(), z.string()).optional(),
    outcome: OutcomeSchema,
  })),
});

/**
 * Each plan's integrated tree as one JSON file (`<dir>/<planId>.json`), written atomically. A file
 * that cannot be read is moved aside (`*.corrupt-<time>`) and reported: the tree holds integrated
 * work, so it is never silently replaced by an empty one.
 */
export class FileTreeStore implements TreeStore {
  constructor(private readonly dir: string) {}

  async load(planId: string): Promise<TreeState | undefined> {
    const file = this.file(planId);
    const read = await readJsonFile(file, (v) => TreeStateSchema.parse(v) as TreeState);
    if (read.kind === 'ok') return read.value;
    if (read.kind === 'missing') return undefined;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(file, aside);
    throw new HeliosError('state_corrupt', `The integrated tree of plan ${planId} was unreadable (${read.error}); it was moved to ${aside}`, { path: aside, planId });
  }

  save(state: TreeState): Promise<void> {
    return writeFileAtomic(this.file(state.planId), JSON.stringify(state));
  }

  private file(planId: string): string {
    if (!/^[\w.-]+$/.test(planId)) throw new HeliosError('plan_invalid', `invalid plan id ${planId}`, { planId });
    return path.join(this.dir, `${planId}.json`);
  }
}
