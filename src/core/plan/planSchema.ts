import { z } from 'zod';
import type { Plan } from '../../shared/taskGraph';
import { TaskGraphSchema } from './taskGraphSchema';

const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheCreationInputTokens: z.number().int().nonnegative(),
  cacheReadInputTokens: z.number().int().nonnegative(),
  cacheCreation5mTokens: z.number().int().nonnegative(),
  cacheCreation1hTokens: z.number().int().nonnegative(),
});

/** The stored plan file's shape; a file that does not match is reported as corrupt, never used. */
export const PlanSchema = z.object({
  version: z.literal(1),
  id: z.string().min(1),
  createdAt: z.string(),
  prdPath: z.string(),
  prdSha256: z.string(),
  plannedBy: z.string(),
  provider: z.string(),
  graph: TaskGraphSchema,
  status: z.record(z.string(), z.enum(['pending', 'ready', 'running', 'done', 'failed', 'skipped'])),
  usage: UsageSchema,
  costUsd: z.number().nonnegative(),
  repairs: z.number().int().nonnegative(),
});

export { UsageSchema };

export function parsePlan(value: unknown): Plan {
  return PlanSchema.parse(value);
}
