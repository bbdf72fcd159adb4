import type { Decision, FileDecisions, LineHunk, ProposedChange, ProposedChangeState, ProposedFileChange } from '../../shared/proposedChange';
import { HeliosError } from '../errors/heliosError';
import { contentWith, lineHunksOf, remainingProposal, type RemainingProposal } from './lineHunks';
import { sha256Hex } from './proposedChange';

/**
 * The user's decisions on a proposed change, as pure state transitions. Hunk indices refer to
 * `lineHunksOf(base, proposed)` of the file's *original* base, so they stay stable across partial
 * applies. That needs the base text after the first write has replaced it on disk: it is kept in
 * the stored change as `baseContent` (captured the first time the file is seen unchanged).
 *
 * Invariants: an accepted hunk is on disk (accepts go through `planApply`), so it is final — undo
 * is the editor's job; task- and file-level decisions touch only pending hunks; nothing is written
 * for a file that changed since it was read (or since the last partial apply).
 */

export type ChangeTarget =
  | { readonly kind: 'task' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'hunk'; readonly path: string; readonly index: number };

/** A file change as stored: the shared shape plus the base text once it is known. */
export type StoredFileChange = ProposedFileChange & { readonly baseContent?: string };

export type ReadCurrent = (path: string) => Promise<string | undefined>;

/** The file's original base as far as the change itself knows it: `known: false` needs the disk. */
export function knownBase(file: ProposedFileChange): { readonly known: true; readonly base: string | undefined } | { readonly known: false } {
  if (file.action === 'create') return { known: true, base: undefined };
  const stored = (file as StoredFileChange).baseContent;
  return stored === undefined ? { known: false } : { known: true, base: stored };
}

/** The file's line hunks, or undefined while its base is unknown (see `captureBases`). */
export function fileHunks(file: ProposedFileChange): LineHunk[] | undefined {
  const b = knownBase(file);
  return b.known ? lineHunksOf(b.base, file.proposedContent) : undefined;
}

/**
 * Records the base text of every file the workspace still has unchanged, so hunk decisions work
 * after a reload and after partial applies. Call it when a change is first shown.
 */
export async function captureBases(change: ProposedChange, readCurrent: ReadCurrent): Promise<ProposedChange> {
  let changed = false;
  const files: ProposedFileChange[] = [];
  for (const file of change.files) {
    if (knownBase(file).known || change.decisions?.[file.path]?.appliedSha256 !== undefined) {
      files.push(file);
      continue;
    }
    const current = await readCurrent(file.path);
    if (current !== undefined && sha256Hex(current) === file.baseSha256) {
      files.push({ ...file, baseContent: current });
      changed = true;
    } else files.push(file);
  }
  return changed ? { ...change, files } : change;
}

export interface FileView {
  readonly hunks: readonly LineHunk[];
  /** One per hunk. */
  readonly decisions: readonly Decision[];
  /** What the diff editor shows: the current file ↔ current + pending hunks. */
  readonly remaining: RemainingProposal;
}

/**
 * Everything the diff editor and the comments need for one file, from the stored change alone;
 * undefined while the base is unknown (run `captureBases` first; still unknown = a conflict).
 * Findings map with `mapProposedLine(view.hunks, view.decisions, line)`.
 */
export function viewOf(change: ProposedChange, path: string): FileView | undefined {
  const file = change.files.find((f) => f.path === path);
  const b = file && knownBase(file);
  if (!file || !b?.known) return undefined;
  const hunks = lineHunksOf(b.base, file.proposedContent);
  const decisions = decisionsOf(change, file);
  return { hunks, decisions, remaining: remainingProposal(b.base, file.proposedContent, hunks, decisions) };
}

function hunkCount(file: ProposedFileChange, decisions: FileDecisions | undefined): number {
  return fileHunks(file)?.length ?? decisions?.hunks.length ?? 1;
}

function decisionsOf(change: ProposedChange, file: ProposedFileChange): Decision[] {
  const stored = change.decisions?.[file.path];
  return Array.from({ length: hunkCount(file, stored) }, (_, i) => stored?.hunks[i] ?? 'pending');
}

/** conflicted while any file is; applied / rejected once every hunk is decided; else proposed. */
export function stateOf(change: ProposedChange): ProposedChangeState {
  let allDecided = true;
  let anyAccepted = false;
  for (const file of change.files) {
    if (change.decisions?.[file.path]?.conflict) return 'conflicted';
    for (const d of decisionsOf(change, file)) {
      if (d === 'pending') allDecided = false;
      if (d === 'accepted') anyAccepted = true;
    }
  }
  if (!allDecided) return 'proposed';
  return anyAccepted ? 'applied' : 'rejected';
}

function targetFiles(change: ProposedChange, target: ChangeTarget): ProposedFileChange[] {
  if (target.kind === 'task') return [...change.files];
  const file = change.files.find((f) => f.path === target.path);
  if (!file) throw new HeliosError('change_target_invalid', `no file ${target.path} in ${change.planId}/${change.taskId}`, { path: target.path });
  return [file];
}

/**
 * The change with `decision` recorded for the target. Task and file targets decide every pending
 * hunk; a hunk target may also revisit a rejected hunk. Accepted hunks never change. Rejecting a
 * whole file clears its conflict: the user chose to keep their version.
 */
export function decide(change: ProposedChange, target: ChangeTarget, decision: Decision): ProposedChange {
  const decisions: Record<string, FileDecisions> = { ...change.decisions };
  for (const file of targetFiles(change, target)) {
    const hunks = decisionsOf(change, file);
    if (target.kind === 'hunk') {
      // Before its base is captured a file's hunk count is unknown: keep the decision, the count
      // is applied once the base is known (see decisionsOf).
      // A diff has at most one hunk per proposed line, plus one.
      const bound = file.proposedContent.split('\n').length + 1;
      if (!knownBase(file).known && Number.isInteger(target.index) && target.index < bound) while (hunks.length <= target.index) hunks.push('pending');
      if (!Number.isInteger(target.index) || target.index < 0 || target.index >= hunks.length) {
        throw new HeliosError('change_target_invalid', `no hunk ${target.index} in ${file.path}`, { path: file.path, index: target.index });
      }
      if (hunks[target.index] !== 'accepted') hunks[target.index] = decision;
    } else {
      hunks.forEach((d, i) => {
        if (d === 'pending') hunks[i] = decision;
      });
    }
    const prev = decisions[file.path];
    const clearConflict = target.kind !== 'hunk' && decision === 'rejected';
    decisions[file.path] = {
      hunks,
      ...(prev?.appliedSha256 !== undefined ? { appliedSha256: prev.appliedSha256 } : {}),
      ...(prev?.conflict && !clearConflict ? { conflict: true } : {}),
    };
  }
  const next = { ...change, decisions };
  return { ...next, state: stateOf(next) };
}

export type ConflictReason = 'changed' | 'missing' | 'exists' | 'base_unknown';

/** What the three-way choice shows; `base` is undefined for a create, or when it was never captured. */
export interface FileConflict {
  readonly reason: ConflictReason;
  readonly base: string | undefined;
  readonly current: string | undefined;
  readonly proposed: string;
}

export interface FileApply {
  readonly path: string;
  /** The SHA-256 the workspace file must still have when it is written; null: it must not exist. */
  readonly expectedSha256: string | null;
  readonly conflict?: FileConflict;
  /** The full new file content (absent when in conflict). */
  readonly content?: string;
}

export interface ApplyPlan {
  /** False when any file conflicts: then nothing of the task is written. */
  readonly ok: boolean;
  readonly files: readonly FileApply[];
  /** The change to store once the writes succeeded (ok), or with the conflicts flagged (not ok). */
  readonly next: ProposedChange;
}

/**
 * Accepting `target`: which files to write with which content, checked against what the workspace
 * has now. A file is affected when the accept newly accepts one of its hunks.
 */
export async function planApply(read: ProposedChange, target: ChangeTarget, readCurrent: ReadCurrent): Promise<ApplyPlan> {
  const change = await captureBases(read, readCurrent);
  const plans: FileApply[] = [];
  // A file whose base is still unknown changed before it was ever captured: its hunks cannot be
  // computed, so it is a conflict before any decision is looked at.
  const lost = targetFiles(change, target).filter((f) => !knownBase(f).known && decisionsOf(change, f).includes('pending'));
  const accepted = lost.length > 0 ? change : decide(change, target, 'accepted');
  const files = new Map(change.files.map((f) => [f.path, f]));
  for (const file of targetFiles(change, target)) {
    const before = decisionsOf(change, file);
    const after = decisionsOf(accepted, file);
    if (!lost.includes(file) && !after.some((d, i) => d === 'accepted' && before[i] !== 'accepted')) continue;
    const prev = change.decisions?.[file.path];
    const expectedSha256 = prev?.appliedSha256 ?? file.baseSha256;
    const current = await readCurrent(file.path);
    let reason: ConflictReason | undefined;
    if (expectedSha256 === null) reason = current === undefined ? undefined : 'exists';
    else if (current === undefined) reason = 'missing';
    else if (sha256Hex(current) !== expectedSha256) reason = 'changed';
    const known = knownBase(file);
    const base = known.known ? known.base : prev?.appliedSha256 === undefined && reason === undefined ? current : undefined;
    if (!reason && !known.known && base === undefined) reason = 'base_unknown';
    if (reason) {
      plans.push({ path: file.path, expectedSha256, conflict: { reason, base, current, proposed: file.proposedContent } });
      continue;
    }
    const content = contentWith(base, file.proposedContent, lineHunksOf(base, file.proposedContent), after)!;
    if (!known.known) files.set(file.path, { ...file, baseContent: base });
    plans.push({ path: file.path, expectedSha256, content });
  }

  const conflicted = plans.filter((p) => p.conflict);
  if (conflicted.length > 0) {
    const decisions: Record<string, FileDecisions> = { ...change.decisions };
    for (const p of conflicted) {
      const file = files.get(p.path)!;
      decisions[p.path] = { ...(decisions[p.path] ?? { hunks: decisionsOf(change, file) }), conflict: true };
    }
    // Atomic per task: a plan with a conflict carries no content at all, so nothing can be written.
    const stripped = plans.map(({ content: _unused, ...p }) => p);
    return { ok: false, files: stripped, next: { ...change, decisions, state: 'conflicted' } };
  }
  const decisions: Record<string, FileDecisions> = { ...accepted.decisions };
  for (const p of plans) decisions[p.path] = { hunks: decisionsOf(accepted, files.get(p.path)!), appliedSha256: sha256Hex(p.content!) };
  const next: ProposedChange = { ...accepted, files: change.files.map((f) => files.get(f.path)!), decisions };
  return { ok: true, files: plans, next: { ...next, state: stateOf(next) } };
}

/**
 * Folds a finished apply into the latest stored change (another window may have decided other
 * hunks meanwhile): the written files take the plan's hashes and accepted hunks, conflicts are
 * flagged, bases the plan captured are kept; every other decision stays as the latest file has it.
 */
export function recordApply(latest: ProposedChange, plan: ApplyPlan): ProposedChange {
  const written = new Set(plan.ok ? plan.files.map((p) => p.path) : []);
  const files = latest.files.map((f) => {
    const planned = plan.next.files.find((n) => n.path === f.path && n.baseSha256 === f.baseSha256);
    return planned && (written.has(f.path) || (!knownBase(f).known && knownBase(planned).known)) ? planned : f;
  });
  const decisions: Record<string, FileDecisions> = { ...latest.decisions };
  for (const p of plan.files) {
    const mine = plan.next.decisions![p.path]!;
    if (p.conflict) {
      decisions[p.path] = { ...mine, ...decisions[p.path], conflict: true };
      continue;
    }
    if (!plan.ok) continue;
    const theirs = latest.decisions?.[p.path]?.hunks ?? [];
    decisions[p.path] = { hunks: mine.hunks.map((d, i) => (d === 'accepted' ? d : theirs[i] ?? d)), appliedSha256: mine.appliedSha256! };
  }
  const next = { ...latest, files, decisions };
  return { ...next, state: stateOf(next) };
}

/**
 * The three-way choice "take the proposal over the file as it is now": the current text becomes
 * the base, the file's decisions start over, the conflict is cleared. A create whose path now
 * exists becomes a replace.
 */
export function rebaseFile(change: ProposedChange, path: string, current: string): ProposedChange {
  const file = targetFiles(change, { kind: 'file', path })[0]!;
  const hunks = lineHunksOf(current, file.proposedContent);
  const rebased: StoredFileChange = {
    ...file,
    action: file.action === 'create' ? 'replace' : file.action,
    baseSha256: sha256Hex(current),
    baseContent: current,
    linesAdded: hunks.reduce((n, h) => n + h.proposedLines, 0),
    linesRemoved: hunks.reduce((n, h) => n + h.baseLines, 0),
  };
  const decisions: Record<string, FileDecisions> = { ...change.decisions };
  delete decisions[path];
  const next = { ...change, files: change.files.map((f) => (f.path === path ? rebased : f)), decisions };
  return { ...next, state: stateOf(next) };
}
