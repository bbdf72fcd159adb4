import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diff3Merge } from 'node-diff3';
import ts from 'typescript';
import { makeWorkflowPrd, planSpecs } from '../../src/cli/benchWorkflowPrds';
import { taskMessage, type ShownFile } from '../../src/core/agents/coderPrompt';
import { validateEdits, type FileEditInput } from '../../src/core/agents/editValidation';
import { buildTaskGraph, type ArchitectGraph } from '../../src/simulator/brains/architect';
import { coderEdits, parseCoderTask, type CoderEditOptions } from '../../src/simulator/brains/coder';
import { codeBoundaries, wantsSameLines } from '../../src/simulator/brains/coderPlacement';
import type { Task } from '../../src/shared/taskGraph';

/**
 * The simulator's plans share files and its Coder edits them like siblings of a real plan: apart
 * from each other (clean three-way merges), except the seeded same-lines share, which conflicts.
 */

type Tree = ReadonlyMap<string, string>;
type Edits = { summary: string; files: FileEditInput[] };

const PRD = [
  '# Shop', '', '## Project setup', '', 'Create the service entry `src/shop/index.ts`.', '',
  '## Cart service', '', 'Keeps the cart.', '', '## Price service', '', 'Computes prices.', '',
  '## Stock service', '', 'Counts stock.', '', '## Order service', '', 'Places orders; adds the `zod` dependency.', '',
  '## Documentation', '', 'A README with examples.', '',
].join('\n');

const graphOf = (prd: string): Task[] => buildTaskGraph(prd).tasks;

/** The Coder brain on exactly the prompt Helios sends, validated like Helios validates it. */
function code(task: Task, tree: Tree, options: CoderEditOptions = {}): { edits: Edits; tree: Map<string, string> } {
  const shown: ShownFile[] = task.files.map((path) => {
    const content = tree.get(path);
    return { path, content, truncated: false, omitted: false, fullLength: content?.length ?? 0 };
  });
  const view = parseCoderTask([taskMessage(task, shown, undefined).content[0]!.text])!;
  const edits = coderEdits(view, options) as unknown as Edits;
  const result = validateEdits(edits.files, new Map(task.files.map((p) => [p, tree.get(p)])));
  assert.ok(result.ok, `${task.id}: ${JSON.stringify(result)}`);
  const next = new Map(tree);
  for (const f of result.files) next.set(f.path, f.proposedContent);
  return { edits, tree: next };
}

const lines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** node-diff3 as plan integration uses it: ours = one sibling, theirs = the other, on their common base. */
function merge(base: string, ours: string, theirs: string): { ok: true; text: string } | { ok: false; conflicts: number } {
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true });
  const conflicts = regions.filter((r) => !r.ok).length;
  return conflicts > 0 ? { ok: false, conflicts } : { ok: true, text: regions.flatMap((r) => r.ok ?? []).join('') };
}

function syntaxErrors(text: string): number {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return (source as unknown as { parseDiagnostics: readonly unknown[] }).parseDiagnostics.length;
}

function ancestors(tasks: readonly { id: string; dependsOn: readonly string[] }[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of tasks) out.set(t.id, new Set(t.dependsOn.flatMap((d) => [d, ...out.get(d)!])));
  return out;
}

function checkCreators(graph: ArchitectGraph, name: string): number {
  const up = ancestors(graph.tasks);
  const creator = new Map<string, string>();
  let shared = 0;
  for (const t of graph.tasks) {
    assert.ok(t.files.length <= 8, `${name} ${t.id}: ${t.files.length} files`);
    assert.ok(t.dependsOn.every((d) => Number(d.slice(1)) < Number(t.id.slice(1))), `${name} ${t.id}: edges point backwards`);
    for (const f of t.files) {
      const c = creator.get(f);
      if (c === undefined) creator.set(f, t.id);
      else {
        shared++;
        assert.ok(up.get(t.id)!.has(c), `${name} ${t.id} edits ${f}, created by ${c}, without depending on it`);
      }
    }
  }
  return shared;
}

describe('simulator Architect: plans share files', () => {
  it('(a) a small PRD: T1 creates the entry module, package.json, types and README; later tasks edit them after it', () => {
    const graph = buildTaskGraph(PRD);
    const [t1, cart, price, stock, order, docs] = graph.tasks;
    assert.deepEqual(t1!.files, ['src/shop/index.ts', 'package.json', 'src/shop/types.ts', 'README.md']);
    for (const t of [cart, price, stock, order]) assert.ok(t!.files.includes('src/shop/index.ts'), `${t!.id} registers in the entry module`);
    assert.ok(order!.files.includes('package.json'), 'a section that mentions a dependency edits package.json');
    assert.ok(docs!.files.includes('README.md'));
    assert.equal(docs!.taskType, 'documentation');
    assert.ok(checkCreators(graph, 'small') >= 2, 'at least two tasks share a file');
    // Three features are siblings (they depend on T1 only): their edits of the entry module must merge.
    assert.deepEqual([cart, price, stock].map((t) => t!.dependsOn), [['T1'], ['T1'], ['T1']]);
  });

  it('(a) the benchmark PRDs: shared entry module, package.json, types and docs; every editor depends on the creator', () => {
    let shared = 0;
    for (const spec of planSpecs(12)) {
      const graph = buildTaskGraph(makeWorkflowPrd(spec, 1));
      shared += checkCreators(graph, spec.name);
      const entry = `src/${spec.name}/index.ts`;
      assert.deepEqual(graph.tasks[0]!.files, [entry, 'package.json', `src/${spec.name}/types.ts`, 'README.md'], spec.name);
      const editors = (f: string) => graph.tasks.filter((t) => t.id !== 'T1' && t.files.includes(f)).length;
      assert.ok(editors(entry) >= Math.floor((spec.sections - 2) / 2), `${spec.name}: features register in ${entry}`);
      if (spec.sections >= 8) assert.ok(editors('package.json') >= 1 && editors(`src/${spec.name}/types.ts`) >= 1, spec.name);
      // The first documentation follower is section 14.
      if (spec.sections >= 14) assert.ok(editors('README.md') >= 1, spec.name);
    }
    assert.ok(shared > 200, `${shared} shared listings`);
  });

  it('keeps the invalid_plan fault: a schema-valid graph with a cycle through T1', () => {
    const graph = buildTaskGraph(PRD, { invalidPlan: true });
    assert.ok(graph.tasks[0]!.dependsOn.includes(`T${graph.tasks.length}`));
  });
});

describe('simulator Coder: siblings on shared files', () => {
  const tasks = graphOf(PRD);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const root = code(byId.get('T1')!, new Map()).tree;
  const ENTRY = 'src/shop/index.ts';

  it('the seeded same-lines share is about one task in five, and T4 of this plan is in it', () => {
    const share = Array.from({ length: 500 }, (_, i) => `T${i + 1}`).filter(wantsSameLines).length / 500;
    assert.ok(share > 0.15 && share < 0.25, `share ${share}`);
    assert.deepEqual(['T2', 'T3', 'T4', 'T5', 'T6'].map(wantsSameLines), [false, false, true, false, false]);
  });

  it('(b) two siblings insert at different points of the shown content and merge cleanly', () => {
    const base = root.get(ENTRY)!;
    const a = code(byId.get('T3')!, root);
    const b = code(byId.get('T5')!, root);
    const hunk = (e: Edits) => e.files.find((f) => f.path === ENTRY)!.hunks![0]!;
    const at = (e: Edits) => base.indexOf(hunk(e).search);
    assert.notEqual(at(a.edits), at(b.edits), 'different insertion points');
    assert.ok(at(a.edits) > 0 && hunk(a.edits).search.length < base.length / 2, 'not an append at the end');
    for (const path of [ENTRY, 'src/shop/types.ts', 'package.json', 'README.md']) {
      const [ours, theirs] = [a.tree.get(path)!, b.tree.get(path)!];
      const merged = merge(root.get(path)!, ours, theirs);
      assert.ok(merged.ok, `${path} merges cleanly`);
      if (path === ENTRY) {
        assert.match(merged.text, /export function priceServiceT3Extra\(/);
        assert.match(merged.text, /export function orderServiceT5Extra\(/);
        assert.equal(syntaxErrors(merged.text), 0);
      }
    }
  });

  it('(b) two tasks of the same-lines share edit the same lines: a conflict, and a rebase onto the merged tree is valid', () => {
    const t4 = code(byId.get('T4')!, root);
    const forced = code(byId.get('T2')!, root, { sameLines: true });
    const base = root.get(ENTRY)!;
    assert.ok(t4.tree.get(ENTRY)!.startsWith(base), 'T4 (seeded) appends at the end');
    assert.ok(forced.tree.get(ENTRY)!.startsWith(base), 'T2 appends when forced');
    const merged = merge(base, t4.tree.get(ENTRY)!, forced.tree.get(ENTRY)!);
    assert.ok(!merged.ok && merged.conflicts >= 1, 'the same lines conflict');

    // Rebased: T4 coded again on the tree where T3 and T5 already inserted; its edit is still valid.
    const siblings = code(byId.get('T5')!, code(byId.get('T3')!, root).tree).tree;
    const rebased = code(byId.get('T4')!, siblings);
    assert.ok(rebased.tree.get(ENTRY)!.startsWith(siblings.get(ENTRY)!));
    const regular = code(byId.get('T3')!, siblings);
    assert.equal(syntaxErrors(regular.tree.get(ENTRY)!), 0);
  });

  it('more siblings than insertion points collide; the rebased one finds a unique search text on the merged tree', () => {
    const points = codeBoundaries(root.get(ENTRY)!.split('\n')).length;
    assert.ok(points >= 5, `${points} top-level boundaries in a new module`);
    const late = { ...byId.get('T3')!, id: `T${3 + points}`, title: 'Late service' };
    assert.ok(!wantsSameLines(late.id));
    const a = code(byId.get('T3')!, root);
    const c = code(late, root);
    assert.equal(c.edits.files[1]!.hunks![0]!.search, a.edits.files[1]!.hunks![0]!.search, 'the same point');
    assert.ok(!merge(root.get(ENTRY)!, a.tree.get(ENTRY)!, c.tree.get(ENTRY)!).ok, 'two insertions at one point conflict');
    const rebased = code(late, a.tree);
    assert.match(rebased.tree.get(ENTRY)!, /priceServiceT3Extra[\s\S]*lateServiceT\d+Extra|lateServiceT\d+Extra[\s\S]*priceServiceT3Extra/);
    assert.equal(syntaxErrors(rebased.tree.get(ENTRY)!), 0);
  });

  it('(c) package.json stays valid JSON after every edit and after merging two siblings', () => {
    const manifest = root.get('package.json')!;
    JSON.parse(manifest);
    const withPackage = (id: string): Task => ({ ...byId.get('T3')!, id, files: ['package.json'] });
    const results = Array.from({ length: 30 }, (_, i) => code(withPackage(`T${i + 2}`), root).tree.get('package.json')!);
    for (const r of results) assert.doesNotThrow(() => JSON.parse(r));
    for (const sameLines of [false, true]) assert.doesNotThrow(() => JSON.parse(code(withPackage('T3'), root, { sameLines }).tree.get('package.json')!));

    const [a, b] = [code(withPackage('T3'), root).tree.get('package.json')!, code(withPackage('T5'), root).tree.get('package.json')!];
    const merged = merge(manifest, a, b);
    assert.ok(merged.ok, 'siblings insert different lines');
    const value = JSON.parse(merged.text) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const keys = [...Object.keys(value.scripts), ...Object.keys(value.dependencies), ...Object.keys(value.devDependencies)];
    assert.ok(keys.some((k) => k.includes('t3')) && keys.some((k) => k.includes('t5')), keys.join(', '));

    // Chained: each edit on the previous result stays valid.
    let tree: Tree = root;
    for (let i = 2; i < 20; i++) tree = code(withPackage(`T${i}`), tree).tree;
    assert.ok(Object.keys((JSON.parse(tree.get('package.json')!) as { scripts: object }).scripts).length >= 5);
  });

  it('(c) other JSON shapes stay valid: a four-space manifest without scripts, a one-line object, JSONC is left alone', () => {
    const task = (path: string, id = 'T3'): Task => ({ ...byId.get('T3')!, id, files: [path] });
    const four = JSON.stringify({ name: 'x', version: '1.0.0', private: true }, null, 4);
    for (const id of ['T3', 'T4', 'T5']) {
      const out = code(task('package.json', id), new Map([['package.json', four]])).tree.get('package.json')!;
      assert.doesNotThrow(() => JSON.parse(out), out);
    }
    const oneLine = code(task('config.json'), new Map([['config.json', '{"a":1}']]));
    assert.equal(oneLine.edits.files[0]!.action, 'replace');
    assert.deepEqual(Object.keys(JSON.parse(oneLine.tree.get('config.json')!) as object), ['a', 'helios-t3']);
    const jsonc = code(task('tsconfig.json'), new Map([['tsconfig.json', '{\n  // comment\n  "x": 1\n}\n']]));
    assert.ok(jsonc.edits.files.every((f) => f.path !== 'tsconfig.json'), 'JSON that does not parse is not edited');
  });

  it('(d) a dependant\'s search texts come from its ancestor\'s output', () => {
    const deep = graphOf('# Chain\n\n## Project setup\n\nEntry `src/app.ts`.\n\n## Alpha module\n\nFirst.\n\n## Beta module\n\nBuilds on the Alpha module.\n');
    assert.deepEqual(deep[2]!.dependsOn, ['T1', 'T2']);
    const t1 = code(deep[0]!, new Map()).tree;
    const t2 = code(deep[1]!, t1);
    const t3 = code(deep[2]!, t2.tree);
    for (const f of t3.edits.files.filter((x) => x.action === 'edit')) {
      const ancestorOutput = t2.tree.get(f.path)!;
      for (const h of f.hunks!) assert.equal(ancestorOutput.split(h.search).length, 2, `${f.path}: the search occurs once in T2's output`);
    }
    const entry = t3.edits.files.find((f) => f.path === 'src/app.ts')!;
    assert.ok(t1.get('src/app.ts') !== t2.tree.get('src/app.ts') && entry.action === 'edit');
  });
});
