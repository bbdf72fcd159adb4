import { z } from 'zod';
import { TASK_TYPES } from '../../shared/taskGraph';

/**
 * The Architect's structured output. The JSON Schema sent as `output_config.format` is generated
 * from this zod schema, so the wire format and the parser cannot drift apart. Semantic rules the
 * schema cannot express (unique ids, known dependencies, no cycles) live in validateTaskGraph.ts.
 */
export const TaskSchema = z.object({
  id: z.string().min(1).max(64).describe('Short stable id such as "T1"'),
  title: z.string().min(1).max(200),
  description: z.string().min(1),
  taskType: z.enum(TASK_TYPES),
  dependsOn: z.array(z.string()).describe('Ids of tasks that must finish first'),
  files: z.array(z.string()).describe('Workspace-relative paths the task is expected to create or change'),
  priority: z.number().int().min(1).max(5).describe('1 is the most important'),
  estimatedTokens: z.number().int().min(1).describe('Estimated output tokens to implement the task'),
});

export const TaskGraphSchema = z
  .object({ tasks: z.array(TaskSchema) })
  .meta({ title: 'TaskGraph', description: 'A plan as a directed acyclic graph of tasks' });

export type TaskGraphOutput = z.infer<typeof TaskGraphSchema>;

/** JSON Schema for the API's structured outputs (no `$schema` key; the API does not need it). */
export function taskGraphJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(TaskGraphSchema) as Record<string, unknown>;
  return schema;
}
