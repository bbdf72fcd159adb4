import type { EditHunk, FileAction, ProposedFileChange } from '../../shared/proposedChange';
import { applyHunks, lineDelta, type HunkProblem } from '../changes/hunks';
import { normalizeWorkspacePath, pathProblem, type PathProblem } from '../changes/paths';
import { sha256Hex } from '../changes/proposedChange';

/**
 * Helios's rules for the Coder's edits, beyond what the JSON Schema can say. Every problem is
 * returned (not just the first) so one repair round trip can fix them all; each is
 * machine-readable and also rendered as a sentence for the model.
 */

/** A file edit as the model wrote it (the `CoderEdits` schema's item). */
export interface FileEditInput {
  readonly path: string;
  readonly action: FileAction;
  readonly content?: string | undefined;
  readonly hunks?: readonly EditHunk[] | undefined;
}

export type EditIssue =
  | { readonly code: 'no_files' }
  | { readonly code: 'unsafe_path'; readonly path: string; readonly problem: PathProblem }
  | { readonly code: 'duplicate_path'; readonly path: string }
  | { readonly code: 'create_exists'; readonly path: string }
  | { readonly code: 'missing_file'; readonly path: string; readonly action: 'replace' | 'edit' }
  | { readonly code: 'missing_content'; readonly path: string; readonly action: 'create' | 'replace' }
  | { readonly code: 'no_hunks'; readonly path: string }
  | ({ readonly path: string } & HunkProblem);

export type EditValidation =
  | { readonly ok: true; readonly files: readonly ProposedFileChange[] }
  | { readonly ok: false; readonly issues: readonly EditIssue[] };

/** The paths the edits name, normalized, that are safe to read from the workspace. */
export function readablePaths(edits: readonly FileEditInput[]): string[] {
  return [...new Set(edits.map((e) => normalizeWorkspacePath(e.path)).filter((p) => pathProblem(p) === undefined))];
}

/**
 * Checks the edits against the workspace as read: `bases` maps each (normalized) path to its
 * content, or undefined when the file does not exist. On success returns the proposed files.
 */
export function validateEdits(edits: readonly FileEditInput[], bases: ReadonlyMap<string, string | undefined>): EditValidation {
  if (edits.length === 0) return { ok: false, issues: [{ code: 'no_files' }] };
  const issues: EditIssue[] = [];
  const files: ProposedFileChange[] = [];
  const seen = new Set<string>();
  for (const edit of edits) {
    const path = normalizeWorkspacePath(edit.path);
    const problem = pathProblem(path);
    if (problem) {
      issues.push({ code: 'unsafe_path', path: edit.path, problem });
      continue;
    }
    if (seen.has(path)) {
      issues.push({ code: 'duplicate_path', path });
      continue;
    }
    seen.add(path);
    const base = bases.get(path);
    const checked = checkFile(path, edit, base);
    if ('issues' in checked) issues.push(...checked.issues);
    else files.push(checked.file);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, files };
}

function checkFile(path: string, edit: FileEditInput, base: string | undefined): { file: ProposedFileChange } | { issues: EditIssue[] } {
  const baseSha256 = base === undefined ? null : sha256Hex(base);
  const done = (proposedContent: string, delta: { added: number; removed: number }, extra: Partial<ProposedFileChange>) => ({
    file: {
      path, action: edit.action, baseSha256, ...extra, proposedContent, proposedSha256: sha256Hex(proposedContent),
      linesAdded: delta.added, linesRemoved: delta.removed,
    },
  });
  switch (edit.action) {
    case 'create':
    case 'replace': {
      const issues: EditIssue[] = [];
      if (edit.action === 'create' && base !== undefined) issues.push({ code: 'create_exists', path });
      if (edit.action === 'replace' && base === undefined) issues.push({ code: 'missing_file', path, action: 'replace' });
      if (edit.content === undefined) issues.push({ code: 'missing_content', path, action: edit.action });
      if (issues.length > 0 || edit.content === undefined) return { issues };
      return done(edit.content, lineDelta(base ?? '', edit.content), { content: edit.content });
    }
    case 'edit': {
      if (base === undefined) return { issues: [{ code: 'missing_file', path, action: 'edit' }] };
      const hunks = edit.hunks ?? [];
      if (hunks.length === 0) return { issues: [{ code: 'no_hunks', path }] };
      const applied = applyHunks(base, hunks);
      if (!applied.ok) return { issues: applied.problems.map((p) => ({ path, ...p })) };
      return done(applied.content, { added: applied.linesAdded, removed: applied.linesRemoved }, { hunks: hunks.map((h) => ({ search: h.search, replace: h.replace })) });
    }
  }
}

const PATH_PROBLEM: Readonly<Record<PathProblem, string>> = {
  empty: 'is empty or names a folder',
  nul: 'contains a NUL character',
  absolute: 'is absolute; use a workspace-relative path',
  parent: 'contains ".."; stay inside the workspace folder',
};

/** The issues as sentences for the repair prompt (and developer logs). Hunks are numbered from 1. */
export function describeEditIssues(issues: readonly EditIssue[]): string[] {
  return issues.map((i) => {
    switch (i.code) {
      case 'no_files':
        return 'Your answer changes no file; the task needs at least one file change.';
      case 'unsafe_path':
        return `The path ${JSON.stringify(i.path)} ${PATH_PROBLEM[i.problem]}.`;
      case 'duplicate_path':
        return `${i.path} appears more than once; put all changes to one file in one entry.`;
      case 'create_exists':
        return `${i.path} already exists, so it cannot be created; use "edit" (or "replace") for it.`;
      case 'missing_file':
        return `${i.path} does not exist, so it cannot be ${i.action === 'edit' ? 'edited' : 'replaced'}; use "create" with the full content.`;
      case 'missing_content':
        return `${i.path}: "${i.action}" needs the full file in "content".`;
      case 'no_hunks':
        return `${i.path}: "edit" needs at least one hunk.`;
      case 'empty_search':
        return `${i.path}, hunk ${i.hunk + 1}: the search text is empty.`;
      case 'search_not_unique':
        return i.matches === 0
          ? `${i.path}, hunk ${i.hunk + 1}: the search text was not found in the file; copy it exactly from the file as shown, whitespace included.`
          : `${i.path}, hunk ${i.hunk + 1}: the search text matches ${i.matches >= 10 ? '10 or more' : i.matches} places; include more surrounding lines so it matches exactly once.`;
      case 'overlapping_hunks':
        return `${i.path}, hunk ${i.hunk + 1} overlaps hunk ${i.other + 1}; merge them into one hunk.`;
    }
  });
}
