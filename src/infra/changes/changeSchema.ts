import { z } from 'zod';
import { normalizeWorkspacePath, pathProblem } from '../../core/changes/paths';
import type { ProposedChange } from '../../shared/proposedChange';

/**
 * The stored proposed-change file (version 1). A file that does not match is reported as corrupt
 * and never reaches the UI, so a hand edit cannot crash a tree view or a diff editor. Objects are
 * loose: a field a newer Helios added survives a read-modify-write by this one.
 */

const sha = z.string().regex(/^[0-9a-f]{64}$/);

const WorkspacePath = z.string().refine((p) => p === normalizeWorkspacePath(p) && pathProblem(p) === undefined, {
  message: 'not a normalized workspace-relative path',
});

const FileChangeSchema = z.looseObject({
  path: WorkspacePath,
  action: z.enum(['create', 'replace', 'edit']),
  baseSha256: sha.nullable(),
  content: z.string().optional(),
  hunks: z.array(z.object({ search: z.string(), replace: z.string() })).optional(),
  proposedContent: z.string(),
  proposedSha256: sha,
  linesAdded: z.number().int().nonnegative(),
  linesRemoved: z.number().int().nonnegative(),
  /** The base text, once captured (see core/changes/decisions.ts). */
  baseContent: z.string().optional(),
});

const FileDecisionsSchema = z.looseObject({
  hunks: z.array(z.enum(['pending', 'accepted', 'rejected'])),
  appliedSha256: sha.optional(),
  conflict: z.boolean().optional(),
});

const FindingSchema = z.looseObject({
  id: z.string(),
  path: z.string(),
  startLine: z.number().int().positive(),
  endLine: z.number().int().positive(),
  severity: z.enum(['blocker', 'major', 'minor', 'nit']),
  message: z.string(),
  replacement: z.string().optional(),
  status: z.enum(['open', 'resolved', 'applied']),
  replies: z.array(z.looseObject({ author: z.enum(['user', 'reviewer']), body: z.string(), at: z.string() })),
}).refine((f) => f.startLine <= f.endLine, { message: 'a finding ends before it starts' });

const ReviewSchema = z.looseObject({
  verdict: z.enum(['approve', 'request_changes']),
  summary: z.string(),
  findings: z.array(FindingSchema),
  model: z.string(),
  reviewedAt: z.string(),
  costUsd: z.number().nonnegative(),
  tokens: z.number().int().nonnegative(),
});

const VerificationSchema = z.looseObject({
  status: z.enum(['passed', 'failed', 'unavailable', 'skipped', 'error']),
  command: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  failedTests: z.number().int().nonnegative().optional(),
  output: z.string(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
  violations: z.array(z.string()),
  reason: z.string().optional(),
});

export const ProposedChangeSchema = z
  .looseObject({
    version: z.literal(1),
    planId: z.string().regex(/^[\w.-]+$/),
    taskId: z.string().regex(/^[\w.-]+$/),
    state: z.enum(['proposed', 'accepted', 'rejected', 'conflicted', 'applied']),
    createdAt: z.string(),
    model: z.string(),
    summary: z.string(),
    files: z.array(FileChangeSchema),
    decisions: z.record(z.string(), FileDecisionsSchema).optional(),
    review: ReviewSchema.optional(),
    reviewRounds: z.number().int().nonnegative().optional(),
    verification: VerificationSchema.optional(),
    // A key that is not a SHA-256 is dropped, not a reason to lose the change.
    cacheKey: z.string().regex(/^[0-9a-f]{64}$/).optional().catch(undefined),
    integration: z.object({
      status: z.enum(['integrated', 'merged', 'rebased', 'conflicted', 'stale']),
      overlaps: z.array(z.object({ path: z.string(), conflicts: z.number().int().nonnegative() })).optional(),
      runs: z.number().int().positive().optional(),
      rebaseCostUsd: z.number().nonnegative().optional(),
    }).optional(),
  })
  .refine((c) => new Set(c.files.map((f) => f.path)).size === c.files.length, { message: 'a file appears twice' });

export function parseProposedChange(value: unknown): ProposedChange {
  return ProposedChangeSchema.parse(value);
}
