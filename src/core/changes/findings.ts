import type { ProposedChange, ProposedFileChange } from '../../shared/proposedChange';
import type { FindingReply, FindingStatus, ReviewFinding } from '../../shared/review';
import { HeliosError } from '../errors/heliosError';
import { knownBase } from './decisions';
import { lineDelta } from './hunks';
import { sha256Hex } from './proposedChange';

/**
 * What the user does with a review finding: reply, resolve or reopen, and apply its suggested fix
 * to the proposal. Pure: each returns the new change, which the caller stores.
 */

export function findingOf(change: ProposedChange, id: string): ReviewFinding {
  const finding = change.review?.findings.find((f) => f.id === id);
  if (!finding) throw new HeliosError('finding_not_found', `No finding ${id} on ${change.planId}/${change.taskId}`, { id });
  return finding;
}

function withFinding(change: ProposedChange, id: string, update: (f: ReviewFinding) => ReviewFinding): ProposedChange {
  const review = change.review;
  findingOf(change, id);
  return { ...change, review: { ...review!, findings: review!.findings.map((f) => (f.id === id ? update(f) : f)) } };
}

export function replyToFinding(change: ProposedChange, id: string, body: string, at: string): ProposedChange {
  const text = body.trim();
  if (text.length === 0) return change;
  const reply: FindingReply = { author: 'user', body: text, at };
  return withFinding(change, id, (f) => ({ ...f, replies: [...f.replies, reply] }));
}

export function setFindingStatus(change: ProposedChange, id: string, status: FindingStatus): ProposedChange {
  return withFinding(change, id, (f) => ({ ...f, status }));
}

/** Splits keeping the line ends, so a file's `\r\n` and its final newline survive an edit. */
function splitLines(text: string): string[] {
  return text.length === 0 ? [] : text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Replaces the finding's lines in the proposed content with its suggested text. Only for a file
 * nothing of which was decided yet: its line diff changes, so any per-hunk decision would point at
 * the wrong lines. The finding is marked `applied`; other findings on later lines of the same file
 * shift by the line-count difference so they stay on their code.
 */
export function applySuggestionToProposal(change: ProposedChange, id: string): ProposedChange {
  const finding = findingOf(change, id);
  if (finding.replacement === undefined) throw new HeliosError('finding_not_applicable', `Finding ${id} has no suggested fix`, { id });
  if (change.decisions?.[finding.path]?.hunks.some((d) => d !== 'pending')) {
    throw new HeliosError('finding_not_applicable', `Part of ${finding.path} was already decided`, { id, path: finding.path });
  }
  const file = change.files.find((f) => f.path === finding.path);
  if (!file) throw new HeliosError('finding_not_found', `Finding ${id} is on ${finding.path}, which the change does not touch`, { id });
  const lines = splitLines(file.proposedContent);
  if (finding.startLine < 1 || finding.endLine > lines.length || finding.startLine > finding.endLine) {
    throw new HeliosError('finding_not_applicable', `Finding ${id} points at lines ${finding.startLine}-${finding.endLine} of ${lines.length}`, { id });
  }
  const eol = lines[finding.endLine - 1]!.endsWith('\r\n') ? '\r\n' : lines[finding.endLine - 1]!.endsWith('\n') ? '\n' : '';
  const replacementLines = splitLines(finding.replacement.replace(/\r?\n$/, '').replace(/\r?\n/g, eol || '\n') + eol);
  const next = [...lines.slice(0, finding.startLine - 1), ...replacementLines, ...lines.slice(finding.endLine)].join('');
  const shift = replacementLines.length - (finding.endLine - finding.startLine + 1);
  const known = knownBase(file);
  const before = known.known ? known.base ?? '' : undefined;
  const updated: ProposedFileChange = {
    ...file,
    action: file.action === 'create' ? 'create' : 'replace',
    content: next,
    proposedContent: next,
    proposedSha256: sha256Hex(next),
    ...countsAgainst(file, next, before),
  };
  const { hunks: _hunks, ...withoutHunks } = updated;
  const files = change.files.map((f) => (f.path === file.path ? (updated.action === 'replace' ? withoutHunks : updated) : f));
  const findings = change.review!.findings.map((f) => {
    if (f.id === id) return { ...f, status: 'applied' as const };
    if (f.path !== finding.path || f.startLine <= finding.endLine) return f;
    return { ...f, startLine: f.startLine + shift, endLine: f.endLine + shift };
  });
  const { [file.path]: _dropped, ...decisions } = change.decisions ?? {};
  return { ...change, files, review: { ...change.review!, findings }, decisions };
}

/** Added / removed line counts stay an estimate relative to the old proposal's counts. */
function countsAgainst(file: ProposedFileChange, next: string, base: string | undefined): { linesAdded: number; linesRemoved: number } {
  if (base !== undefined) {
    const d = lineDelta(base, next);
    return { linesAdded: d.added, linesRemoved: d.removed };
  }
  const delta = lineDelta(file.proposedContent, next);
  return { linesAdded: file.linesAdded + delta.added, linesRemoved: file.linesRemoved + delta.removed };
}
