import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileContext, fileState, groupChanges, taskContext, taskRow } from '../../src/extension/agentDiffs/agentDiffsModel';
import type { ProposedChange, ProposedFileChange } from '../../src/shared/proposedChange';
import type { ReviewFinding } from '../../src/shared/review';

function file(path: string, added = 2, removed = 1): ProposedFileChange {
  return { path, action: 'edit', baseSha256: 'b', proposedContent: 'x\n', proposedSha256: 'p', linesAdded: added, linesRemoved: removed };
}

function finding(id: string, path: string, severity: ReviewFinding['severity'], status: ReviewFinding['status'] = 'open'): ReviewFinding {
  return { id, path, startLine: 1, endLine: 1, severity, message: 'm', status, replies: [] };
}

function change(taskId: string, over: Partial<ProposedChange> = {}): ProposedChange {
  return {
    version: 1, planId: 'p1', taskId, state: 'proposed', createdAt: '2026-11-24T00:00:00Z', model: 'claude-sonnet-5-5',
    summary: `summary of ${taskId}`, files: [file('src/a.ts'), file('src/b.ts', 5, 0)], ...over,
  };
}

describe('Agent Diffs model', () => {
  it('sums lines per task and counts open findings and blockers from the review', () => {
    const row = taskRow({
      planLabel: 'PRD.md', taskTitle: 'Add the API', costUsd: 0.0123,
      change: change('T2', { review: { verdict: 'request_changes', summary: '', model: 'claude-opus-5-5', reviewedAt: '', costUsd: 0.01, tokens: 10,
        findings: [finding('f1', 'src/a.ts', 'blocker'), finding('f2', 'src/a.ts', 'nit'), finding('f3', 'src/b.ts', 'blocker', 'resolved')] } }),
    });
    assert.equal(row.title, 'Add the API');
    assert.deepEqual([row.linesAdded, row.linesRemoved], [7, 1]);
    assert.deepEqual([row.verdict, row.blockers, row.findings], ['request_changes', 1, 2]);
    assert.deepEqual(row.files.map((f) => f.findings), [2, 0]);
    assert.equal(row.costUsd, 0.0123);
    assert.equal(taskContext(row), 'helios.task pending');
  });

  it('derives each file\'s state from its hunk decisions', () => {
    const c = change('T1', { decisions: {
      'src/a.ts': { hunks: ['accepted', 'pending'] },
      'src/b.ts': { hunks: ['rejected'], conflict: true },
    } });
    assert.equal(fileState(c, 'src/a.ts'), 'partial');
    assert.equal(fileState(c, 'src/b.ts'), 'conflict');
    assert.equal(fileState(change('T1', { decisions: { 'src/a.ts': { hunks: ['accepted', 'rejected'] } } }), 'src/a.ts'), 'accepted');
    assert.equal(fileState(change('T1', { decisions: { 'src/a.ts': { hunks: ['rejected', 'rejected'] } } }), 'src/a.ts'), 'rejected');
    assert.equal(fileState(change('T1', { state: 'rejected' }), 'src/a.ts'), 'rejected');
    const row = taskRow({ planLabel: 'PRD.md', change: c });
    assert.equal(row.conflict, true);
    assert.equal(fileContext(row.files[0]!), 'helios.file pending');
    assert.equal(fileContext(row.files[1]!), 'helios.file decided conflict');
  });

  it('a stale task (built on a rejected change) can be re-run or rejected, not accepted', () => {
    const row = taskRow({ planLabel: 'PRD.md', change: change('T2', { integration: { status: 'stale' } }) });
    assert.equal(row.stale, true);
    assert.equal(taskContext(row), 'helios.task stale');
    assert.equal(taskRow({ planLabel: 'PRD.md', change: change('T2', { state: 'rejected', integration: { status: 'stale' } }) }).stale, false, 'once rejected it is decided');
  });

  it('groups by plan with undecided tasks first, in numeric task order', () => {
    const groups = groupChanges([
      { planLabel: 'PRD.md', change: change('T10') },
      { planLabel: 'PRD.md', change: change('T2', { state: 'applied' }) },
      { planLabel: 'PRD.md', change: change('T9') },
      { planLabel: 'other.md', change: { ...change('T1'), planId: 'p2' } },
    ]);
    assert.deepEqual(groups.map((g) => g.label), ['PRD.md', 'other.md']);
    assert.deepEqual(groups[0]!.tasks.map((t) => t.taskId), ['T9', 'T10', 'T2']);
    assert.equal(taskContext(groups[0]!.tasks[2]!), 'helios.task decided');
  });
});
