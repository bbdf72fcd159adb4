import { z } from 'zod';

/**
 * The Reviewer's structured output (schema title `ReviewFindings`), sent as `output_config.format`.
 * Whether a finding's path and lines exist in the change is Helios's own rule (reviewer.ts): the
 * schema stays flat so every model can follow it.
 */
export const FindingSchema = z.object({
  path: z.string().min(1).describe('Workspace-relative path of a file of the change, as shown in the diff'),
  startLine: z.number().int().describe('First line, 1-based, in the PROPOSED content (the numbers shown in the diff)'),
  endLine: z.number().int().describe('Last line, inclusive, in the proposed content; equal to startLine for one line'),
  severity: z.enum(['blocker', 'major', 'minor', 'nit']).describe('blocker: must be fixed before merging; major: should be fixed; minor: worth fixing; nit: style'),
  message: z.string().min(1).describe('What is wrong and why, in one to three sentences'),
  replacement: z.string().optional().describe('Replacement text for lines startLine..endLine, when there is a concrete fix'),
});

export const ReviewFindingsSchema = z
  .object({
    verdict: z.enum(['approve', 'request_changes']).describe('request_changes only when at least one finding must be fixed'),
    summary: z.string().describe('One or two sentences: the overall assessment'),
    findings: z.array(FindingSchema),
  })
  .meta({ title: 'ReviewFindings', description: "A code review of one task's proposed change" });

export type ReviewFindings = z.infer<typeof ReviewFindingsSchema>;

/** JSON Schema for the API's structured outputs (no `$schema` key). */
export function reviewFindingsJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(ReviewFindingsSchema) as Record<string, unknown>;
  return schema;
}
