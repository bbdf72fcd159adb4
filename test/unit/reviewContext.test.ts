import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMemoryGraph } from '../../src/core/context/lightScanner';
import { buildReviewContext } from '../../src/core/context/reviewContext';
import type { ProposedChange, ProposedFileChange } from '../../src/shared/proposedChange';

function change(files: Array<Pick<ProposedFileChange, 'path' | 'action'>>): ProposedChange {
  return {
    version: 1, planId: 'p', taskId: 'T1', state: 'proposed', createdAt: '', model: 'm', summary: 's',
    files: files.map((f) => ({ ...f, baseSha256: null, proposedContent: '', proposedSha256: '', linesAdded: 0, linesRemoved: 0 })),
  };
}

describe('the Reviewer\'s context', () => {
  it('lists the edited file\'s signatures and every file that depends on it', async () => {
    const workspace = await buildMemoryGraph(new Map([
      ['src/math.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\nexport const ZERO = 0;\n'],
      ['src/sum.ts', "import { add } from './math';\nexport const sum = (xs: number[]) => xs.reduce(add, 0);\n"],
      ['src/report.ts', "import { sum } from './sum';\nexport function report(xs: number[]): string { return String(sum(xs)); }\n"],
      ['src/other.ts', 'export const other = 1;\n'],
    ]));
    const text = await buildReviewContext(workspace, change([{ path: 'src/math.ts', action: 'edit' }, { path: 'src/new.ts', action: 'create' }]));
    assert.ok(text);
    assert.match(text, /src\/math\.ts:\n {2}export function add\(a: number, b: number\): number/);
    assert.match(text, /impact set, 2\): src\/report\.ts, src\/sum\.ts/);
    assert.doesNotMatch(text, /other\.ts|new\.ts/);
  });

  it('says nothing for a change that only creates files, and stays within its budget', async () => {
    const workspace = await buildMemoryGraph(new Map([['src/a.ts', `export function a(): void {}\n${Array.from({ length: 200 }, (_, i) => `export const c${i} = ${i};`).join('\n')}\n`]]));
    assert.equal(await buildReviewContext(workspace, change([{ path: 'src/b.ts', action: 'create' }])), undefined);
    const small = await buildReviewContext(workspace, change([{ path: 'src/a.ts', action: 'edit' }]), 20);
    assert.equal(small, undefined, 'a signature list over budget is left out rather than cut mid-way');
  });
});
