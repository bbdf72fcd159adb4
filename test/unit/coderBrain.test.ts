import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEdits, type FileEditInput } from '../../src/core/agents/editValidation';
import { taskMessage, type ShownFile } from '../../src/core/agents/coderPrompt';
import { coderEdits, MISSING_ANCHOR, parseCoderTask, uniqueSuffix, type CoderTaskView } from '../../src/infra/simulator/brains/coder';
import { parseFault } from '../../src/infra/simulator/faults';
import type { Task } from '../../src/shared/taskGraph';

const task: Task = {
  id: 'T9', title: 'Config loader', description: 'Load config.', taskType: 'boilerplate_generation',
  dependsOn: [], files: ['src/config.ts', 'src/app.ts', 'config.json', 'docs/notes.md', 'src/big.ts'], priority: 2, estimatedTokens: 1_000,
};
const APP = 'export const app = 1;\n}\n\n}\n';
const shown: ShownFile[] = [
  { path: 'src/config.ts', content: undefined, truncated: false, omitted: false, fullLength: 0 },
  { path: 'src/app.ts', content: APP, truncated: false, omitted: false, fullLength: APP.length },
  { path: 'config.json', content: undefined, truncated: false, omitted: false, fullLength: 0 },
  { path: 'docs/notes.md', content: '# Notes\n', truncated: false, omitted: false, fullLength: 8 },
  { path: 'src/big.ts', content: undefined, truncated: false, omitted: true, fullLength: 1e6 },
];
const bases = new Map<string, string | undefined>([['src/config.ts', undefined], ['src/app.ts', APP], ['config.json', undefined], ['docs/notes.md', '# Notes\n'], ['src/big.ts', 'x']]);

function edits(view: CoderTaskView, invalidEdit = false): { summary: string; files: FileEditInput[] } {
  return coderEdits(view, { invalidEdit }) as unknown as { summary: string; files: FileEditInput[] };
}

describe('the simulator Coder brain', () => {
  const view = parseCoderTask([taskMessage(task, shown, undefined).content[0]!.text])!;

  it('reads the task, its files and their exact content from the Coder prompt', () => {
    assert.equal(view.id, 'T9');
    assert.equal(view.title, 'Config loader');
    assert.equal(view.estimatedTokens, 1_000);
    assert.deepEqual(view.files.map((f) => [f.path, f.exists]), [
      ['src/config.ts', false], ['src/app.ts', true], ['config.json', false], ['docs/notes.md', true], ['src/big.ts', true],
    ]);
    assert.equal(view.shown.get('src/app.ts'), APP);
    assert.equal(parseCoderTask(['no task here']), undefined);
  });

  it('answers valid edits: creates new files, appends to shown ones, skips files it cannot see', () => {
    const out = edits(view);
    assert.deepEqual(out.files.map((f) => [f.path, f.action]), [['src/config.ts', 'create'], ['src/app.ts', 'edit'], ['config.json', 'create'], ['docs/notes.md', 'edit']]);
    const result = validateEdits(out.files, bases);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(JSON.parse(out.files[2]!.content!), { name: 'T9', description: 'Config loader', steps: 13 });
    assert.match(out.summary, /Implements T9 "Config loader"/);
    assert.match(result.files.find((f) => f.path === 'docs/notes.md')!.proposedContent, /^# Notes\n\n## Config loader\n/);
    assert.deepEqual(edits(view), out, 'deterministic');
  });

  it('picks the shortest unique trailing lines as the search text', () => {
    assert.equal(uniqueSuffix(APP), '}\n\n}\n', 'the last "}" alone occurs twice');
    assert.equal(uniqueSuffix('a\nb'), 'b');
    assert.equal(uniqueSuffix('x\nx'), 'x\nx');
  });

  it('the invalid_edit fault edits with a search text that is not there (or a file that does not exist)', () => {
    const out = edits(view, true);
    assert.deepEqual(out.files[0], { path: 'src/config.ts', action: 'edit', hunks: [{ search: MISSING_ANCHOR, replace: '' }] });
    const result = validateEdits(out.files, bases);
    assert.ok(!result.ok);
    const appOnly = parseCoderTask([taskMessage({ ...task, files: ['src/app.ts'] }, [shown[1]!], undefined).content[0]!.text])!;
    const bad = validateEdits(edits(appOnly, true).files, bases);
    assert.ok(!bad.ok);
    assert.deepEqual(bad.issues, [{ path: 'src/app.ts', code: 'search_not_unique', hunk: 0, matches: 0 }]);
    assert.deepEqual(parseFault({ kind: 'invalid_edit', count: 2 }), { kind: 'invalid_edit', count: 2 });
  });

  it('reads file contents from a prebuilt context, replaces empty files, and falls back to a new file', () => {
    const ctx = '### src/app.ts\n```ts\nexport const a = 1;\n```\n\n### Repository map (ranked)\nsrc/x.ts';
    const withCtx = parseCoderTask([taskMessage({ ...task, files: ['src/app.ts', 'src/empty.ts'] }, [
      { path: 'src/app.ts', content: 'export const a = 1;', truncated: false, omitted: false, fullLength: 19 },
      { path: 'src/empty.ts', content: '', truncated: false, omitted: false, fullLength: 0 },
    ], ctx).content[0]!.text])!;
    assert.equal(withCtx.shown.get('src/app.ts'), 'export const a = 1;');
    const out = edits({ ...withCtx, shown: new Map([...withCtx.shown, ['src/empty.ts', '']]) });
    assert.deepEqual(out.files.map((f) => f.action), ['edit', 'replace']);
    assert.equal(out.files[0]!.hunks![0]!.search, 'export const a = 1;');

    const korean = parseCoderTask([taskMessage({ ...task, id: 'T-3', title: '설정 로더', files: [] }, [], undefined).content[0]!.text])!;
    const fallback = edits(korean);
    assert.equal(fallback.files[0]!.path, 'src/helios/t-3.ts');
    assert.match(fallback.files[0]!.content!, /export function taskT3\(/);
    assert.match(fallback.files[0]!.content!, /설정 로더/);
  });

  it('scales the output with the estimate', () => {
    const size = (estimatedTokens: number) => JSON.stringify(coderEdits({ ...view, estimatedTokens })).length;
    assert.ok(size(8_000) > 4 * size(500));
    assert.equal(size(1e6), size(1e7), 'capped');
  });
});
