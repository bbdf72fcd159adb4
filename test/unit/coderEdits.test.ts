import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEditIssues, readablePaths, validateEdits, type FileEditInput } from '../../src/core/agents/editValidation';
import { applyHunks, countOccurrences, lineDelta } from '../../src/core/changes/hunks';
import { normalizeWorkspacePath, pathProblem } from '../../src/core/changes/paths';
import { isBaseCurrent, makeProposedChange, sha256Hex } from '../../src/core/changes/proposedChange';

const BASE = 'export const a = 1;\nexport const b = 2;\n\nexport function f() {\n  return a + b;\n}\n';
const bases = new Map<string, string | undefined>([['src/a.ts', BASE], ['src/new.ts', undefined]]);

describe('workspace paths', () => {
  it('normalizes separators, ./ and doubled slashes', () => {
    assert.equal(normalizeWorkspacePath('./src//a.ts'), 'src/a.ts');
    assert.equal(normalizeWorkspacePath('src\\lib\\a.ts'), 'src/lib/a.ts');
    assert.equal(normalizeWorkspacePath(' src/./a.ts '), 'src/a.ts');
    assert.equal(normalizeWorkspacePath('/etc/passwd'), '/etc/passwd', 'a leading slash survives so it is refused');
  });
  it('refuses absolute, parent, NUL, empty and folder paths', () => {
    assert.equal(pathProblem('src/a.ts'), undefined);
    assert.equal(pathProblem('/etc/passwd'), 'absolute');
    assert.equal(pathProblem('\\\\server\\x'), 'absolute');
    assert.equal(pathProblem('C:/x.ts'), 'absolute');
    assert.equal(pathProblem('~/x.ts'), 'absolute');
    assert.equal(pathProblem('src/../../x.ts'), 'parent');
    assert.equal(pathProblem('a\0b'), 'nul');
    assert.equal(pathProblem(''), 'empty');
    assert.equal(pathProblem('src/'), 'empty');
    assert.equal(pathProblem('src/..foo/x.ts'), undefined, '"..foo" is a name, not the parent');
  });
});

describe('applyHunks', () => {
  it('applies independent hunks located in the base, in any order', () => {
    const r = applyHunks(BASE, [
      { search: '  return a + b;', replace: '  return a * b;' },
      { search: 'export const a = 1;', replace: 'export const a = 3;\nexport const c = 4;' },
    ]);
    assert.ok(r.ok);
    assert.equal(r.content, BASE.replace('a = 1;', 'a = 3;\nexport const c = 4;').replace('a + b', 'a * b'));
    assert.equal(r.linesAdded, 3);
    assert.equal(r.linesRemoved, 2);
  });
  it('names each failing hunk and how many times it matched', () => {
    const r = applyHunks(BASE, [
      { search: 'export const', replace: 'x' },
      { search: 'not there', replace: 'x' },
      { search: '', replace: 'x' },
      { search: 'a = 1;', replace: 'a = 2;' },
    ]);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [
      { code: 'search_not_unique', hunk: 0, matches: 2 },
      { code: 'search_not_unique', hunk: 1, matches: 0 },
      { code: 'empty_search', hunk: 2 },
    ]);
  });
  it('refuses overlapping hunks', () => {
    const r = applyHunks(BASE, [{ search: 'const a = 1;\nexport', replace: '' }, { search: 'export const b', replace: '' }]);
    assert.ok(!r.ok);
    assert.deepEqual(r.problems, [{ code: 'overlapping_hunks', hunk: 1, other: 0 }]);
  });
  it('counts overlapping occurrences, capped', () => {
    assert.equal(countOccurrences('aaa', 'aa'), 2);
    assert.equal(countOccurrences('x'.repeat(50), 'x', 10), 10);
    assert.equal(countOccurrences('abc', ''), 0);
  });
  it('measures line deltas after trimming the common prefix and suffix', () => {
    assert.deepEqual(lineDelta('a\nb\nc\n', 'a\nB\nc\n'), { added: 1, removed: 1 });
    assert.deepEqual(lineDelta('', 'a\nb'), { added: 2, removed: 0 });
    assert.deepEqual(lineDelta('a\nb\n', 'a\nb\n'), { added: 0, removed: 0 });
    assert.deepEqual(lineDelta('a\nb\nc', 'a\nc'), { added: 0, removed: 1 });
  });
});

describe('validateEdits', () => {
  it('accepts create, replace and edit with the proposed content and base hashes', () => {
    const edits: FileEditInput[] = [
      { path: './src/new.ts', action: 'create', content: 'export {};\n' },
      { path: 'src/a.ts', action: 'edit', hunks: [{ search: '  return a + b;', replace: '  return a - b;' }] },
    ];
    const r = validateEdits(edits, bases);
    assert.ok(r.ok);
    const [created, edited] = r.files;
    assert.deepEqual(created, {
      path: 'src/new.ts', action: 'create', baseSha256: null, content: 'export {};\n', proposedContent: 'export {};\n',
      proposedSha256: sha256Hex('export {};\n'), linesAdded: 1, linesRemoved: 0,
    });
    assert.equal(edited!.baseSha256, sha256Hex(BASE));
    assert.equal(edited!.proposedContent, BASE.replace('a + b', 'a - b'));
    assert.deepEqual([edited!.linesAdded, edited!.linesRemoved], [1, 1]);
    const replaced = validateEdits([{ path: 'src/a.ts', action: 'replace', content: 'x\n' }], bases);
    assert.ok(replaced.ok);
    assert.equal(replaced.files[0]!.proposedContent, 'x\n');
    assert.equal(replaced.files[0]!.linesRemoved, 6);
  });

  it('reports every problem at once, each as a sentence naming the file and hunk', () => {
    const r = validateEdits([
      { path: '/etc/passwd', action: 'create', content: 'x' },
      { path: '../x.ts', action: 'create', content: 'x' },
      { path: 'src/a.ts', action: 'create', content: 'x' },
      { path: 'src/a.ts', action: 'edit', hunks: [] },
      { path: 'src/new.ts', action: 'edit', hunks: [{ search: 'x', replace: 'y' }] },
      { path: 'src/gone.ts', action: 'replace' },
    ], bases);
    assert.ok(!r.ok);
    assert.deepEqual(r.issues.map((i) => i.code), ['unsafe_path', 'unsafe_path', 'create_exists', 'duplicate_path', 'missing_file', 'missing_file', 'missing_content']);
    const text = describeEditIssues(r.issues);
    assert.match(text[0]!, /"\/etc\/passwd" is absolute/);
    assert.match(text[1]!, /contains "\.\."/);
    assert.match(text[2]!, /src\/a\.ts already exists/);
    assert.match(text[4]!, /src\/new\.ts does not exist, so it cannot be edited/);
    assert.match(text[5]!, /src\/gone\.ts does not exist, so it cannot be replaced/);
    assert.match(text[6]!, /needs the full file in "content"/);
  });

  it('names the failing hunk and its match count', () => {
    const r = validateEdits([{ path: 'src/a.ts', action: 'edit', hunks: [
      { search: 'export function f()', replace: 'export function g()' },
      { search: 'return a - b;', replace: '' },
      { search: 'export const', replace: '' },
      { search: '', replace: '' },
    ] }], bases);
    assert.ok(!r.ok);
    const text = describeEditIssues(r.issues);
    assert.deepEqual(text, [
      'src/a.ts, hunk 2: the search text was not found in the file; copy it exactly from the file as shown, whitespace included.',
      'src/a.ts, hunk 3: the search text matches 2 places; include more surrounding lines so it matches exactly once.',
      'src/a.ts, hunk 4: the search text is empty.',
    ]);
    const many = validateEdits([{ path: 'src/a.ts', action: 'edit', hunks: [{ search: ' ', replace: '' }] }], bases);
    assert.ok(!many.ok);
    assert.match(describeEditIssues(many.issues)[0]!, /matches 10 or more places/);
    const overlap = validateEdits([{ path: 'src/a.ts', action: 'edit', hunks: [{ search: 'a = 1', replace: '' }, { search: '= 1;', replace: '' }] }], bases);
    assert.ok(!overlap.ok);
    assert.equal(describeEditIssues(overlap.issues)[0], 'src/a.ts, hunk 2 overlaps hunk 1; merge them into one hunk.');
  });

  it('refuses an answer without files, NUL and folder paths, and an edit without hunks', () => {
    const none = validateEdits([], bases);
    assert.ok(!none.ok);
    assert.match(describeEditIssues(none.issues)[0]!, /changes no file/);
    const r = validateEdits([
      { path: 'a\0.ts', action: 'create', content: '' },
      { path: 'src/', action: 'create', content: '' },
      { path: 'src/a.ts', action: 'edit' },
    ], bases);
    assert.ok(!r.ok);
    const text = describeEditIssues(r.issues);
    assert.match(text[0]!, /NUL/);
    assert.match(text[1]!, /empty or names a folder/);
    assert.match(text[2]!, /"edit" needs at least one hunk/);
  });

  it('lists only safe paths for reading', () => {
    assert.deepEqual(readablePaths([
      { path: './src/a.ts', action: 'edit' }, { path: 'src/a.ts', action: 'edit' }, { path: '../x', action: 'create' }, { path: '/x', action: 'create' },
    ]), ['src/a.ts']);
  });
});

describe('proposed change', () => {
  it('sorts files by path, starts as proposed, and checks whether a base is still current', () => {
    const r = validateEdits([
      { path: 'src/z.ts', action: 'create', content: 'z' },
      { path: 'src/a.ts', action: 'replace', content: 'a' },
    ], new Map([['src/a.ts', BASE]]));
    assert.ok(r.ok);
    const change = makeProposedChange({ planId: 'p', taskId: 'T1', model: 'm', summary: 's', createdAt: '2026-01-01T00:00:00.000Z' }, r.files);
    assert.equal(change.state, 'proposed');
    assert.equal(change.version, 1);
    assert.deepEqual(change.files.map((f) => f.path), ['src/a.ts', 'src/z.ts']);
    const [a, z] = change.files as [typeof change.files[0], typeof change.files[0]];
    assert.ok(isBaseCurrent(a, BASE));
    assert.ok(!isBaseCurrent(a, `${BASE}changed`));
    assert.ok(!isBaseCurrent(a, undefined));
    assert.ok(isBaseCurrent(z, undefined));
    assert.ok(!isBaseCurrent(z, 'someone created it'));
  });
});
