import { diffArrays } from 'diff';
import type { Decision, LineHunk } from '../../shared/proposedChange';

/**
 * Line hunks of a proposed file (base → proposed) and what partial acceptance does with them.
 *
 * Lines are compared without their line ends, so a CRLF file the model answered in LF does not
 * turn into one giant hunk; the final-newline state *is* compared (the last line carries a marker
 * when the file does not end with a newline), so "add a newline at the end" is a hunk of its own.
 * When text is rebuilt, untouched base lines keep their own bytes and lines taken from the
 * proposal get the base file's line end: a CRLF file round-trips byte-identically.
 */

interface Line {
  readonly text: string;
  /** `\n`, `\r\n`, or '' for a last line without a newline. */
  readonly eol: string;
}

const NO_FINAL_NEWLINE = '\u0000no-final-newline';

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r?\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

function key(line: Line): string {
  return line.eol === '' ? line.text + NO_FINAL_NEWLINE : line.text;
}

/** The line end most lines of `text` use; LF for a text without any. */
export function dominantEol(text: string): '\n' | '\r\n' {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/**
 * The hunks of a line diff base → proposed, without context lines, in order. 1-based; a pure
 * insertion has `baseLines` 0 and `baseStart` = the base line it goes before (jsdiff's own
 * `structuredPatch` uses the same convention, see the tests). A `create` (base undefined) is
 * always exactly one hunk, even for an empty file, so it can be accepted or rejected.
 */
export function lineHunksOf(base: string | undefined, proposed: string): LineHunk[] {
  const added = splitLines(proposed);
  if (base === undefined) {
    return [{ baseStart: 1, baseLines: 0, proposedStart: 1, proposedLines: added.length, removed: [], added: added.map((l) => l.text) }];
  }
  const removed = splitLines(base);
  const before = removed.map(key);
  const after = added.map(key);
  const changes = diffArrays(before, after, { maxEditLength: MAX_EDIT_LENGTH }) ?? wholeChange(before, after);
  const hunks: LineHunk[] = [];
  let b = 0;
  let p = 0;
  let open: { baseStart: number; proposedStart: number; baseLines: number; proposedLines: number } | undefined;
  const close = (): void => {
    if (!open) return;
    hunks.push({
      ...open,
      removed: removed.slice(open.baseStart - 1, open.baseStart - 1 + open.baseLines).map((l) => l.text),
      added: added.slice(open.proposedStart - 1, open.proposedStart - 1 + open.proposedLines).map((l) => l.text),
    });
    open = undefined;
  };
  for (const c of changes) {
    if (!c.added && !c.removed) {
      close();
      b += c.count;
      p += c.count;
      continue;
    }
    open ??= { baseStart: b + 1, proposedStart: p + 1, baseLines: 0, proposedLines: 0 };
    if (c.removed) {
      open.baseLines += c.count;
      b += c.count;
    } else {
      open.proposedLines += c.count;
      p += c.count;
    }
  }
  close();
  return hunks;
}

/**
 * Myers' diff is O(N·D): a file rewritten from top to bottom took 1.1 s at 2,000 lines and 18 s at
 * 10,000. Past this many edited lines the diff gives up (about 90 ms) and the changed middle
 * becomes one hunk — hunk-by-hunk review of a rewrite is not useful anyway. A line limit rather
 * than jsdiff's `timeout`, because hunk indices must come out the same on every call.
 */
const MAX_EDIT_LENGTH = 1000;

/** Common leading and trailing lines kept, everything between as one change. */
function wholeChange(before: readonly string[], after: readonly string[]): Array<{ added: boolean; removed: boolean; count: number }> {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return [
    { added: false, removed: false, count: head },
    { added: false, removed: true, count: before.length - head - tail },
    { added: true, removed: false, count: after.length - head - tail },
    { added: false, removed: false, count: tail },
  ].filter((c) => c.count > 0);
}

function decisionOf(decisions: readonly Decision[] | undefined, i: number): Decision {
  return decisions?.[i] ?? 'pending';
}

/**
 * Rebuilds the base with the hunks for which `take(i)` holds replaced by their proposed lines.
 * Proposed lines are read from `proposed` (not from the hunk) so the final-newline state comes along.
 */
function rebuild(base: string, proposed: string, hunks: readonly LineHunk[], take: (i: number) => boolean): string {
  const baseLines = splitLines(base);
  const proposedLines = splitLines(proposed);
  const eol = base.includes('\n') ? dominantEol(base) : dominantEol(proposed);
  let out = '';
  let cursor = 0;
  hunks.forEach((h, i) => {
    const from = h.baseStart - 1;
    for (; cursor < from; cursor++) out += baseLines[cursor]!.text + baseLines[cursor]!.eol;
    if (take(i)) {
      // A line replacing a base line keeps that line's end (mixed files stay as they were).
      proposedLines.slice(h.proposedStart - 1, h.proposedStart - 1 + h.proposedLines).forEach((l, j) => {
        out += l.text + (l.eol === '' ? '' : baseLines[from + j]?.eol || eol);
      });
    } else {
      for (const l of baseLines.slice(from, from + h.baseLines)) out += l.text + l.eol;
    }
    cursor = from + h.baseLines;
  });
  for (; cursor < baseLines.length; cursor++) out += baseLines[cursor]!.text + baseLines[cursor]!.eol;
  return out;
}

/**
 * The file with only the accepted hunks applied (pending and rejected ones stay as in the base):
 * what is written on a partial accept. `undefined` for a `create` whose hunk is not accepted —
 * the file is not created.
 */
export function contentWith(
  base: string | undefined,
  proposed: string,
  hunks: readonly LineHunk[],
  decisions: readonly Decision[] | undefined,
): string | undefined {
  if (base === undefined) return decisionOf(decisions, 0) === 'accepted' ? proposed : undefined;
  return rebuild(base, proposed, hunks, (i) => decisionOf(decisions, i) === 'accepted');
}

/** A still-pending hunk as the user sees it after a partial accept, positioned on the current file. */
export interface RemainingHunk extends LineHunk {
  /** The hunk's index in `lineHunksOf(base, proposed)`: what a decision on it refers to. */
  readonly index: number;
}

export interface RemainingProposal {
  /** The workspace file as it is now (base + accepted hunks); undefined when not created yet. */
  readonly current: string | undefined;
  /** `current` with the pending hunks applied: the right side of the diff editor. */
  readonly content: string;
  /** The pending hunks, `baseStart` in `current`, `proposedStart` in `content`. */
  readonly hunks: readonly RemainingHunk[];
}

/**
 * What the diff editor shows after a partial accept: the current file on the left, the current
 * file plus the still-pending hunks on the right (rejected hunks drop out of the proposal).
 */
export function remainingProposal(
  base: string | undefined,
  proposed: string,
  hunks: readonly LineHunk[],
  decisions: readonly Decision[] | undefined,
): RemainingProposal {
  const current = contentWith(base, proposed, hunks, decisions);
  if (base === undefined) {
    const pending = decisionOf(decisions, 0) === 'pending';
    return { current, content: pending || current !== undefined ? proposed : '', hunks: pending ? [{ ...hunks[0]!, index: 0 }] : [] };
  }
  const content = rebuild(base, proposed, hunks, (i) => decisionOf(decisions, i) !== 'rejected');
  const remaining: RemainingHunk[] = [];
  // Shift of each side relative to the base: accepted hunks move both, pending ones only the right.
  let currentShift = 0;
  let contentShift = 0;
  hunks.forEach((h, i) => {
    const d = decisionOf(decisions, i);
    const delta = h.proposedLines - h.baseLines;
    if (d === 'pending') {
      remaining.push({ ...h, index: i, baseStart: h.baseStart + currentShift, proposedStart: h.baseStart + contentShift });
      contentShift += delta;
    } else if (d === 'accepted') {
      currentShift += delta;
      contentShift += delta;
    }
  });
  return { current, content, hunks: remaining };
}

/**
 * Where a line of the proposed content (1-based, as the Reviewer's findings count) is now.
 * `onto: 'current'` (default): in the workspace file after the accepted hunks; undefined when the
 * line was added by a hunk that is pending or rejected. `onto: 'remaining'`: in the remaining
 * proposal's content; undefined only for lines of rejected hunks.
 */
export function mapProposedLine(
  hunks: readonly LineHunk[],
  decisions: readonly Decision[] | undefined,
  proposedLine: number,
  onto: 'current' | 'remaining' = 'current',
): number | undefined {
  const shown = (d: Decision): boolean => d === 'accepted' || (onto === 'remaining' && d === 'pending');
  let shift = 0;
  for (let i = 0; i < hunks.length; i++) {
    const h = hunks[i]!;
    if (proposedLine < h.proposedStart) break;
    const shownHere = shown(decisionOf(decisions, i));
    if (proposedLine < h.proposedStart + h.proposedLines) return shownHere ? proposedLine + shift : undefined;
    if (!shownHere) shift += h.baseLines - h.proposedLines;
  }
  return proposedLine + shift;
}

/**
 * A finding's line range (proposed content, 1-based, inclusive) where it is now: from its first to
 * its last line that `mapProposedLine` places; undefined when none is (the whole range belongs to
 * hunks that are not shown there). Lines of the range that are not shown are simply skipped, so a
 * comment on "lines 4–9" still lands when lines 6–7 were a rejected insertion.
 */
export function mapProposedRange(
  hunks: readonly LineHunk[],
  decisions: readonly Decision[] | undefined,
  startLine: number,
  endLine: number,
  onto: 'current' | 'remaining' = 'current',
): { readonly startLine: number; readonly endLine: number } | undefined {
  let first: number | undefined;
  let last: number | undefined;
  for (let line = startLine; line <= endLine; line++) {
    const mapped = mapProposedLine(hunks, decisions, line, onto);
    if (mapped === undefined) continue;
    first ??= mapped;
    last = mapped;
  }
  return first === undefined || last === undefined ? undefined : { startLine: first, endLine: last };
}
