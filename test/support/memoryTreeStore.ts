import { makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';
import type { TreeState, TreeStore } from '../../src/core/integration/planTree';
import type { StoredTaskOutcome } from '../../src/shared/integration';
import type { ProposedChange, ProposedFileChange } from '../../src/shared/proposedChange';
import { ZERO_USAGE } from '../../src/shared/usage';

/** A plan's integrated tree kept in memory (every save kept, for tests that count writes). */
export class MemoryTreeStore implements TreeStore {
  readonly saved: TreeState[] = [];
  constructor(private state?: TreeState) {}
  load(): Promise<TreeState | undefined> {
    return Promise.resolve(this.state && structuredClone(this.state));
  }
  save(state: TreeState): Promise<void> {
    this.state = structuredClone(state);
    this.saved.push(this.state);
    return Promise.resolve();
  }
}

export const OUTCOME: StoredTaskOutcome = { model: 'm', reasonCode: 'default_map', reason: 'code → Sonnet', usage: ZERO_USAGE, costUsd: 0.01, calls: 1 };

/** A change of `taskId` that turns each file from the base it read into the proposed text. */
export function changeOf(taskId: string, files: Record<string, { base: string | undefined; proposed: string }>): ProposedChange {
  const list: ProposedFileChange[] = Object.entries(files).map(([path, { base, proposed }]) => ({
    path, action: base === undefined ? 'create' : 'replace', baseSha256: base === undefined ? null : sha256Hex(base),
    ...(base === undefined ? {} : { baseContent: base }), content: proposed, proposedContent: proposed, proposedSha256: sha256Hex(proposed),
    linesAdded: 0, linesRemoved: 0,
  }));
  return makeProposedChange({ planId: 'p', taskId, model: 'm', summary: taskId, createdAt: '2026-12-02T00:00:00Z' }, list);
}

