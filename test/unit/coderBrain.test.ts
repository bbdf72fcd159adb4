import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEdits, type FileEditInput } from '../../src/core/agents/editValidation';
import { taskMessage, type ShownFile } from '../../src/core/agents/coderPrompt';
import { coderEdits, MISSING_ANCHOR, parseCoderTask, SAME_LINES_MARKER, uniqueSuffix, type CoderTaskView } from '../../src/simulator/brains/coder';
import { codeBoundaries, markdownBoundaries, wantsSameLines } from '../../src/simulator/brains/coderPlacement';
import { parseFault } from '../../src/simulator/faults';
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

function edits(view: CoderTaskView, invalidEdit = false, sameLines = false): { summary: string; files: FileEditInput[] } {
  return coderEdits(view, { invalidEdit, sameLines }) as unknown as { summary: string; files: FileEditInput[] };
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

  it('answers valid edits: creates new files, edits shown ones, skips files it cannot see', () => {
    const out = edits(view);
    assert.deepEqual(out.files.map((f) => [f.path, f.action]), [['src/config.ts', 'create'], ['src/app.ts', 'edit'], ['config.json', 'create'], ['docs/notes.md', 'edit']]);
    const result = validateEdits(out.files, bases);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(JSON.parse(out.files[2]!.content!), { name: 'T9', description: 'Config loader', steps: 20 }, 'new files get four times the lines of an edit');
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

  const MODULE = [
    "import { a } from './a';",
    "import {",
    "  b,",
    "} from './b';",
    'const text = `',
    '',
    'not a boundary: inside a template literal',
    '`;',
    '/*',
    '',
    ' not a boundary: inside a comment',
    ' */',
    'export function one(): number {',
    '  const x = 1;',
    '',
    '  return x;',
    '}',
    '',
    'export const two = {',
    '  a: 1,',
    '',
    '  b: 2,',
    '};',
    '',
    'export const three = one()',
    '',
    '  + 3;',
    '',
    'export const four = 4;',
    '',
  ].join('\n');
  const moduleTask = (id: string, extra: Partial<Task> = {}) => {
    const t: Task = { ...task, id, title: 'Wire it', files: ['src/m.ts'], ...extra };
    return parseCoderTask([taskMessage(t, [{ path: 'src/m.ts', content: MODULE, truncated: false, omitted: false, fullLength: MODULE.length }], undefined).content[0]!.text])!;
  };

  it('finds top-level boundaries only: after the imports and between blocks, never inside a block, string or comment', () => {
    const lines = MODULE.split('\n');
    assert.deepEqual(codeBoundaries(lines).map((i) => lines[i]), ['const text = `', 'export const two = {', 'export const three = one()', 'export const four = 4;']);
    const md = ['# Title', '', 'Intro.', '', '## A', '', '```', '', '## not a heading', '```', '', '## B', ''];
    assert.deepEqual(markdownBoundaries(md).map((i) => md[i]), ['## A', '## B']);
  });

  it('inserts at the boundary the task id picks, with a search text copied from the shown content', () => {
    const seen = new Set<string>();
    for (const id of ['T1', 'T2', 'T3', 'T8']) {
      assert.ok(!wantsSameLines(id), id);
      const out = edits(moduleTask(id));
      const result = validateEdits(out.files, new Map([['src/m.ts', MODULE]]));
      assert.ok(result.ok, JSON.stringify(result));
      const search = out.files[0]!.hunks![0]!.search;
      assert.equal(MODULE.split(search).length, 2, 'the search text occurs once');
      seen.add(search);
      const proposed = result.files[0]!.proposedContent;
      assert.ok(!proposed.startsWith(MODULE) && proposed.length > MODULE.length, 'not an append at the end');
      assert.match(proposed, new RegExp(`\n\n/\\*\\* Wire it \\(task ${id}\\)\\. \\*/\nexport function wireIt${id}Extra\\(\\)`));
    }
    assert.equal(seen.size, 4, 'ids that differ modulo the 4 points land apart');
  });

  it('appends at the end for the same-lines share: a seeded fifth of the ids, the option, or the description marker', () => {
    const appended = (view: CoderTaskView, sameLines = false) => {
      const result = validateEdits(edits(view, false, sameLines).files, new Map([['src/m.ts', MODULE]]));
      assert.ok(result.ok);
      return result.files[0]!.proposedContent.startsWith(MODULE);
    };
    assert.ok(wantsSameLines('T4'));
    assert.equal(appended(moduleTask('T4')), true, 'seeded');
    assert.equal(appended(moduleTask('T3')), false);
    assert.equal(appended(moduleTask('T3'), true), true, 'option');
    assert.equal(appended(moduleTask('T3', { description: `Wire it. ${SAME_LINES_MARKER}` })), true, 'marker');
  });

  it('never edits a file shown truncated or left out; keeps a context file with its own fences whole', () => {
    const cut: ShownFile[] = [{ path: 'src/app.ts', content: APP.slice(0, 10), truncated: true, omitted: false, fullLength: APP.length }];
    const view = parseCoderTask([taskMessage({ ...task, files: ['src/app.ts'] }, cut, undefined).content[0]!.text])!;
    assert.equal(view.shown.has('src/app.ts'), false);
    const out = edits(view);
    assert.deepEqual(out.files.map((f) => [f.path, f.action]), [['src/helios/t9.ts', 'create']]);

    const readme = '# Readme\n\n```ts\nconst a = 1;\n```\n\n## Usage\n\nRun it.\n';
    const ctx = `### README.md\n\`\`\`ts\n${readme}\n\`\`\`\n\n### Repository map (ranked)\nsrc/x.ts`;
    const withCtx = parseCoderTask([taskMessage({ ...task, files: ['README.md'] }, [{ path: 'README.md', content: readme, truncated: false, omitted: false, fullLength: readme.length }], ctx).content[0]!.text])!;
    assert.equal(withCtx.shown.get('README.md'), readme);
    const result = validateEdits(edits(withCtx).files, new Map([['README.md', readme]]));
    assert.ok(result.ok);
    assert.match(result.files[0]!.proposedContent, /^# Readme\n\n```ts\nconst a = 1;\n```\n\n## Config loader\n\n- Update 1 for task T9\.\n[\s\S]*\n\n## Usage\n\nRun it\.\n$/);
  });

  it('keeps CRLF line ends in what it inserts', () => {
    const crlf = MODULE.replace(/\n/g, '\r\n');
    const view = { ...moduleTask('T3'), shown: new Map([['src/m.ts', crlf]]) };
    const result = validateEdits(edits(view).files, new Map([['src/m.ts', crlf]]));
    assert.ok(result.ok);
    assert.doesNotMatch(result.files[0]!.proposedContent, /[^\r]\n/);
  });
});
