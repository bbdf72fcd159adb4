import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DependencyGraph } from '../../src/core/analysis/dependencyGraph';
import { compareEdges } from '../../src/core/analysis/edgeAgreement';
import type { FileRecord, ImportRecord } from '../../src/core/analysis/graphTypes';
import { ModuleResolver, packageNameOf } from '../../src/core/analysis/moduleResolver';
import { pageRank } from '../../src/core/analysis/pageRank';
import { WorkspaceGraph, contentHash, type GraphCacheSnapshot, type WorkspaceSource } from '../../src/core/analysis/workspaceGraph';
import { isHeliosError } from '../../src/core/errors/heliosError';

const imp = (specifier: string, extra: Partial<ImportRecord> = {}): ImportRecord => ({ specifier, kind: 'import', typeOnly: false, names: ['x'], ...extra });
const rec = (...imports: ImportRecord[]): FileRecord => ({ hash: `h${imports.length}`, imports });

describe('ModuleResolver', () => {
  const files = new Set(['src/a.ts', 'src/b.tsx', 'src/lib/index.ts', 'src/lib/util.ts', 'src/esm.ts', 'src/d.d.ts', 'src/c.js', 'app/x.ts', 'index.ts']);
  const r = new ModuleResolver((f) => files.has(f), { baseUrl: 'src', paths: { '@lib/*': ['src/lib/*'], '@exact': ['app/x.ts'], '@miss/*': ['nowhere/*'] } });

  it('resolves relative specifiers with extensions, index files and .js → .ts', () => {
    assert.deepEqual(r.resolve('./b', 'src/a.ts'), { kind: 'local', file: 'src/b.tsx' });
    assert.deepEqual(r.resolve('./lib', 'src/a.ts'), { kind: 'local', file: 'src/lib/index.ts' });
    assert.deepEqual(r.resolve('./lib/', 'src/a.ts'), { kind: 'local', file: 'src/lib/index.ts' });
    assert.deepEqual(r.resolve('./esm.js', 'src/a.ts'), { kind: 'local', file: 'src/esm.ts' });
    assert.deepEqual(r.resolve('./c.js', 'src/a.ts'), { kind: 'local', file: 'src/c.js' });
    assert.deepEqual(r.resolve('./d', 'src/a.ts'), { kind: 'local', file: 'src/d.d.ts' });
    assert.deepEqual(r.resolve('..', 'src/a.ts'), { kind: 'local', file: 'index.ts' });
    assert.deepEqual(r.resolve('./nope', 'src/a.ts'), { kind: 'unresolved' });
  });

  it('resolves paths patterns (longest prefix, exact keys), then baseUrl, else a package', () => {
    assert.deepEqual(r.resolve('@lib/util', 'app/x.ts'), { kind: 'local', file: 'src/lib/util.ts' });
    assert.deepEqual(r.resolve('@exact', 'app/x.ts'), { kind: 'local', file: 'app/x.ts' });
    assert.deepEqual(r.resolve('lib/util', 'app/x.ts'), { kind: 'local', file: 'src/lib/util.ts' });
    assert.deepEqual(r.resolve('@miss/thing', 'app/x.ts'), { kind: 'external', pkg: '@miss/thing' });
    assert.deepEqual(r.resolve('react-dom/client', 'app/x.ts'), { kind: 'external', pkg: 'react-dom' });
    assert.equal(packageNameOf('@scope/pkg/deep'), '@scope/pkg');
    assert.equal(packageNameOf('node:fs'), 'node:fs');
  });

  it('forgets non-local answers when a file appears', () => {
    const set = new Set(['a.ts']);
    const res = new ModuleResolver((f) => set.has(f));
    assert.equal(res.resolve('./b', 'a.ts').kind, 'unresolved');
    set.add('b.ts');
    assert.equal(res.resolve('./b', 'a.ts').kind, 'unresolved', 'cached');
    res.invalidate({ added: 'b.ts' });
    assert.deepEqual(res.resolve('./b', 'a.ts'), { kind: 'local', file: 'b.ts' });
    set.delete('b.ts');
    res.invalidate({ removed: 'b.ts' });
    assert.equal(res.resolve('./b', 'a.ts').kind, 'unresolved');
  });
});

describe('DependencyGraph', () => {
  function sample(): DependencyGraph {
    const g = new DependencyGraph();
    g.load([
      ['a.ts', rec(imp('./b'), imp('./c', { typeOnly: true }), imp('lodash'))],
      ['b.ts', rec(imp('./c'))],
      ['c.ts', rec(imp('./a', { kind: 'dynamic' }))],
      ['d.ts', rec(imp('./d'), imp('./missing'))],
      ['e.ts', rec()],
    ]);
    return g;
  }

  it('answers dependencies, dependants, reachability and impact', () => {
    const g = sample();
    assert.equal(g.size, 5);
    assert.deepEqual(g.dependencies('a.ts').map((e) => e.to), ['b.ts', 'c.ts', 'lodash']);
    assert.deepEqual(g.dependencies('a.ts', { typeOnly: false, external: false }).map((e) => e.to), ['b.ts']);
    assert.deepEqual(g.dependants('c.ts'), ['a.ts', 'b.ts']);
    assert.deepEqual(g.impactSet(['c.ts']), ['a.ts', 'b.ts']);
    assert.deepEqual(g.impactSet(['b.ts'], { typeOnly: false }), ['a.ts', 'c.ts']);
    assert.deepEqual(g.reachable(['b.ts']), ['a.ts', 'c.ts']);
    assert.deepEqual(g.unresolved('d.ts').map((i) => i.specifier), ['./missing']);
    assert.deepEqual(g.adjacency({ external: false })['a.ts'], ['b.ts', 'c.ts']);
  });

  it('finds cycles, including a self-import', () => {
    assert.deepEqual(sample().cycles(), [['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
    assert.deepEqual(sample().cycles({ typeOnly: false }), [['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });

  it('re-links what a new or removed file affects', () => {
    const g = sample();
    g.set('missing.ts', rec());
    assert.deepEqual(g.dependencies('d.ts').map((e) => e.to), ['d.ts', 'missing.ts']);
    g.remove('c.ts');
    assert.deepEqual(g.dependencies('b.ts'), []);
    assert.deepEqual(g.unresolved('b.ts').map((i) => i.specifier), ['./c']);
    assert.deepEqual(g.dependants('a.ts'), []);
    g.remove('nothing.ts');
    g.set('b.ts', rec(imp('./e')));
    assert.deepEqual(g.dependants('e.ts'), ['b.ts']);
  });
});

describe('pageRank', () => {
  it('ranks the widely imported file first and follows the personalization', () => {
    const edges: Record<string, string[]> = { a: ['core'], b: ['core'], c: ['core', 'a'], core: [] };
    const r = pageRank(Object.keys(edges), (n) => edges[n] ?? []);
    const total = [...r.values()].reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
    assert.equal([...r].sort((x, y) => y[1] - x[1])[0]![0], 'core');
    const p = pageRank(Object.keys(edges), (n) => edges[n] ?? [], { personalization: new Map([['b', 1]]) });
    assert.ok(p.get('b')! > p.get('a')!);
    assert.equal(pageRank([], () => []).size, 0);
  });
});

describe('compareEdges', () => {
  it('reports recall, precision and the differing edges', () => {
    const a = compareEdges({ x: ['y', 'z'] }, { x: ['y'], y: ['z'] });
    assert.equal(a.common, 1);
    assert.deepEqual(a.onlyA, ['x → z']);
    assert.deepEqual(a.onlyB, ['y → z']);
    assert.equal(a.recall, 0.5);
    assert.equal(a.precision, 0.5);
    assert.equal(compareEdges({}, {}).jaccard, 1);
  });
});

class MemorySource implements WorkspaceSource {
  reads = 0;
  constructor(readonly files: Map<string, string>) {}
  listFiles(): Promise<string[]> {
    return Promise.resolve([...this.files.keys()]);
  }
  readFile(file: string): Promise<string | undefined> {
    this.reads++;
    return Promise.resolve(this.files.get(file));
  }
}

const lineScanner = {
  version: 'lines-1',
  parsed: 0,
  scanImports(_file: string, text: string): ImportRecord[] {
    this.parsed++;
    return [...text.matchAll(/^use (\S+)$/gm)].map((m) => imp(m[1]!));
  },
  scanExports(_file: string, text: string) {
    return [...text.matchAll(/^def (\w+)$/gm)].map((m) => ({ name: m[1]!, kind: 'function' as const, signature: `function ${m[1]!}();` }));
  },
};

describe('WorkspaceGraph', () => {
  it('builds, reuses cached records by content hash, updates incrementally and reports progress', async () => {
    const source = new MemorySource(new Map([['a.ts', 'use ./b\ndef alpha'], ['b.ts', 'def beta'], ['c.ts', 'use ./a']]));
    let saved: GraphCacheSnapshot | undefined;
    const cache = { load: () => Promise.resolve(saved), save: (s: GraphCacheSnapshot) => Promise.resolve(void (saved = s)) };
    const phases: string[] = [];
    const { workspace, stats } = await WorkspaceGraph.build({ source, scanner: lineScanner, cache, onProgress: (p) => phases.push(p.phase), concurrency: 2 });
    assert.equal(stats.parsed, 3);
    assert.deepEqual([...new Set(phases)], ['list', 'scan', 'resolve']);
    assert.deepEqual((await workspace.exportsOf('a.ts')).map((s) => s.name), ['alpha']);
    assert.deepEqual(await workspace.exportsOf('zzz.ts'), []);
    await workspace.loadAllExports();
    await workspace.save();
    assert.equal(saved?.files['a.ts']?.hash, contentHash('use ./b\ndef alpha'));

    source.files.set('b.ts', 'def beta2');
    const again = await WorkspaceGraph.build({ source, scanner: lineScanner, cache });
    assert.equal(again.stats.parsed, 1);
    assert.equal(again.stats.reused, 2);

    const w = again.workspace;
    assert.equal(w.updateText('a.ts', 'use ./b\ndef alpha'), 'unchanged');
    source.files.set('d.ts', 'use ./c');
    assert.equal(await w.update('d.ts'), 'added');
    assert.deepEqual(w.graph.impactSet(['b.ts']), ['a.ts', 'c.ts', 'd.ts']);
    source.files.set('a.ts', 'def alpha');
    assert.equal(await w.update('a.ts'), 'updated');
    assert.deepEqual(w.graph.impactSet(['b.ts']), []);
    source.files.delete('d.ts');
    assert.equal(await w.update('d.ts'), 'removed');
    assert.equal(w.remove('d.ts'), 'unchanged');
    assert.equal(await w.text('gone.ts'), undefined);
  });

  it('ignores a cache from another scanner version', async () => {
    const source = new MemorySource(new Map([['a.ts', '']]));
    const cache = { load: () => Promise.resolve({ version: 1, scanner: 'other', files: { 'a.ts': { hash: contentHash(''), imports: [] } } }), save: () => Promise.resolve() };
    const { stats } = await WorkspaceGraph.build({ source, scanner: lineScanner, cache });
    assert.equal(stats.parsed, 1);
  });

  it('stops with a cancelled error when aborted', async () => {
    const source = new MemorySource(new Map([['a.ts', '']]));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(WorkspaceGraph.build({ source, scanner: lineScanner, signal: controller.signal }), (e) => isHeliosError(e, 'cancelled'));
    const { workspace } = await WorkspaceGraph.build({ source, scanner: lineScanner });
    await assert.rejects(workspace.loadAllExports(controller.signal), (e) => isHeliosError(e, 'cancelled'));
  });
});
