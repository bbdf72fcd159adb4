import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySuggestionToProposal, replyToFinding, setFindingStatus } from '../../src/core/changes/findings';
import { sha256Hex } from '../../src/core/changes/proposedChange';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { ReviewFinding } from '../../src/shared/review';

const BASE = 'const a = 1;\nconst b = 2;\n';
const PROPOSED = 'const a = 1;\nconst b = 2;\nvar c = a + b;\nconsole.log(c);\nexport { c };\n';

function finding(over: Partial<ReviewFinding>): ReviewFinding {
  return { id: 'f1', path: 'src/a.ts', startLine: 3, endLine: 3, severity: 'minor', message: 'Use const', replacement: 'const c = a + b;', status: 'open', replies: [], ...over };
}

function change(findings: ReviewFinding[], decisions?: ProposedChange['decisions']): ProposedChange {
  return {
    version: 1, planId: 'p', taskId: 'T1', state: 'proposed', createdAt: '', model: 'm', summary: 's',
    files: [{ path: 'src/a.ts', action: 'replace', baseSha256: sha256Hex(BASE), content: PROPOSED, proposedContent: PROPOSED, proposedSha256: sha256Hex(PROPOSED), linesAdded: 3, linesRemoved: 0 }],
    review: { verdict: 'approve', summary: '', findings, model: 'claude-opus-5-5', reviewedAt: '', costUsd: 0, tokens: 0 },
    ...(decisions ? { decisions } : {}),
  };
}

describe('review findings', () => {
  it('applies a suggested fix to the proposal and keeps later findings on their code', () => {
    const c = change([finding({}), finding({ id: 'f2', startLine: 4, endLine: 5, replacement: undefined, message: 'Remove the log' })]);
    const next = applySuggestionToProposal(c, 'f1');
    const file = next.files[0]!;
    assert.equal(file.proposedContent, 'const a = 1;\nconst b = 2;\nconst c = a + b;\nconsole.log(c);\nexport { c };\n');
    assert.equal(file.proposedSha256, sha256Hex(file.proposedContent));
    assert.equal(next.review!.findings[0]!.status, 'applied');
    assert.deepEqual([next.review!.findings[1]!.startLine, next.review!.findings[1]!.endLine], [4, 5]);

    const longer = applySuggestionToProposal(change([finding({ replacement: 'const c =\n  a + b;' }), finding({ id: 'f2', startLine: 4, endLine: 4 })]), 'f1');
    assert.equal(longer.files[0]!.proposedContent.split('\n')[3], '  a + b;');
    assert.equal(longer.review!.findings[1]!.startLine, 5, 'the finding below moved down one line');
  });

  it('keeps CRLF line ends when applying a fix', () => {
    const crlf = PROPOSED.replace(/\n/g, '\r\n');
    const c = change([finding({})]);
    const next = applySuggestionToProposal({ ...c, files: [{ ...c.files[0]!, proposedContent: crlf }] }, 'f1');
    assert.equal(next.files[0]!.proposedContent, crlf.replace('var c', 'const c'));
  });

  it('refuses a fix on a file the user already decided part of, or without a suggestion', () => {
    const decided = change([finding({})], { 'src/a.ts': { hunks: ['accepted'] } });
    assert.throws(() => applySuggestionToProposal(decided, 'f1'), (e) => isHeliosError(e, 'finding_not_applicable'));
    assert.throws(() => applySuggestionToProposal(change([finding({ replacement: undefined })]), 'f1'), (e) => isHeliosError(e, 'finding_not_applicable'));
    assert.throws(() => applySuggestionToProposal(change([finding({ startLine: 9, endLine: 9 })]), 'f1'), (e) => isHeliosError(e, 'finding_not_applicable'));
    assert.throws(() => setFindingStatus(change([]), 'f9', 'resolved'), (e) => isHeliosError(e, 'finding_not_found'));
  });

  it('keeps replies with the finding and resolves or reopens it', () => {
    let c = replyToFinding(change([finding({})]), 'f1', '  Done in the next commit  ', '2026-11-24T10:00:00Z');
    c = replyToFinding(c, 'f1', '   ', '2026-11-24T10:01:00Z');
    assert.deepEqual(c.review!.findings[0]!.replies, [{ author: 'user', body: 'Done in the next commit', at: '2026-11-24T10:00:00Z' }]);
    c = setFindingStatus(c, 'f1', 'resolved');
    assert.equal(c.review!.findings[0]!.status, 'resolved');
    assert.equal(setFindingStatus(c, 'f1', 'open').review!.findings[0]!.status, 'open');
  });
});
