import { z } from 'zod';

/**
 * The Coder's structured output (schema title `CoderEdits`). The JSON Schema sent as
 * `output_config.format` is generated from this zod schema. Which fields an action needs, and
 * whether search texts match, are Helios's own rules (editValidation.ts): the schema stays flat
 * so every model can follow it.
 */
export const EditHunkSchema = z.object({
  search: z.string().describe('Text copied exactly from the current file, occurring exactly once in it'),
  replace: z.string().describe('The text that replaces it'),
});

export const FileEditSchema = z.object({
  path: z.string().min(1).describe('Workspace-relative path with forward slashes'),
  action: z.enum(['create', 'replace', 'edit']).describe('create: a new file; replace: rewrite an existing file; edit: search-and-replace hunks in an existing file'),
  content: z.string().optional().describe('The full file content, for create and replace'),
  hunks: z.array(EditHunkSchema).optional().describe('For edit: the hunks, each search located in the current file'),
});

export const CoderEditsSchema = z
  .object({
    summary: z.string().describe('One sentence: what the change does'),
    files: z.array(FileEditSchema),
  })
  .meta({ title: 'CoderEdits', description: "A coding task's edits to the workspace" });

export type CoderEdits = z.infer<typeof CoderEditsSchema>;

/** JSON Schema for the API's structured outputs (no `$schema` key). */
export function coderEditsJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(CoderEditsSchema) as Record<string, unknown>;
  return schema;
}
