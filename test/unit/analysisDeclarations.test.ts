import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildRepoMap } from '../../src/core/analysis/repoMap';
import { ModuleResolver } from '../../src/core/analysis/moduleResolver';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { generateDeclarationRepo, type DeclarationRepo } from '../support/analysisDeclarationRepo';

/**
 * Declaration files are graph nodes like sources: importers of a `.d.ts` types module have edges
 * to it, and a change to it reaches them (Continue's `core/index.d.ts`, imported as `"../"`).
 */
let work: string;
let repo: DeclarationRepo;
let importers: DeclarationRepo['importers'];

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'helios-declarations-'));
  repo = generateDeclarationRepo(path.join(work, 'repo'), 120, 23);
  importers = repo.importers;
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('declaration files in the dependency graph', () => {
  it('importers of a .d.ts types module have edges to it, type-only ones flagged', async () => {
    const { workspace } = await openWorkspaceGraph({ root: repo.root });
    assert.ok(workspace.graph.has('src/types.d.ts'));
    assert.ok(importers.size >= 8);
    assert.deepEqual(workspace.graph.dependants('src/types.d.ts'), [...importers.keys()].sort());
    for (const [file, { spec, typeOnly }] of importers) {
      const edge = workspace.graph.dependencies(file).find((e) => e.specifier === spec);
      assert.equal(edge?.to, 'src/types.d.ts', file);
      assert.equal(edge.typeOnly, typeOnly, `${file}: ${spec}`);
    }
    assert.ok(workspace.graph.dependencies('src/root-user.ts').some((e) => e.to === 'index.d.ts' && e.typeOnly));
    assert.ok(workspace.graph.dependencies('src/deep/root-user.ts').some((e) => e.to === 'index.d.ts' && e.typeOnly));
    assert.deepEqual(workspace.graph.dependencies('src/lib-user.ts').map((e) => e.to), ['lib/x.d.ts', 'lib/m.d.mts', 'lib/x.d.ts']);
  });

  it('a change to the types module has its importers, and theirs, in the impact set', async () => {
    const { workspace } = await openWorkspaceGraph({ root: repo.root });
    const impact = workspace.graph.impactSet(['src/types.d.ts']);
    for (const file of importers.keys()) assert.ok(impact.includes(file), file);
    const transitive = workspace.graph.impactSet([...importers.keys()]);
    assert.deepEqual(impact, [...new Set([...transitive, ...importers.keys()])].sort());
    // Without type-only edges only the value importers remain.
    const valueOnly = workspace.graph.impactSet(['src/types.d.ts'], { typeOnly: false });
    for (const [file, { typeOnly }] of importers) if (!typeOnly) assert.ok(valueOnly.includes(file), file);
    assert.deepEqual(workspace.graph.impactSet(['index.d.ts']), ['src/deep/root-user.ts', 'src/root-user.ts']);
    // An edit of the declaration keeps its importers; an edit of an importer that drops the import removes it.
    assert.equal(workspace.updateText('src/types.d.ts', 'export interface Settings { readonly name: string; readonly more: number }\n'), 'updated');
    assert.deepEqual(workspace.graph.dependants('src/types.d.ts'), [...importers.keys()].sort());
  });

  it('the repo map renders declaration files like sources', async () => {
    const { workspace } = await openWorkspaceGraph({ root: repo.root });
    const focus = [...importers.keys()];
    const map = await buildRepoMap(workspace, { budgetTokens: 4_000, focusFiles: focus, exclude: new Set(focus) });
    assert.ok(map.files.includes('src/types.d.ts'), map.files.slice(0, 10).join(', '));
    assert.match(map.text, /interface Settings/);
    assert.match(map.text, /function defaults\(\): Settings/);
  });

  it('resolves as TypeScript does: sources, then declarations, then JavaScript', () => {
    const files = new Set(['a/x.js', 'a/x.d.ts', 'a/y.ts', 'a/y.d.ts', 'a/y.js', 'a/v.jsx', 'a/v.d.ts', 'a/w.mjs', 'a/w.d.mts', 'a/only.js', 'index.d.ts']);
    const r = new ModuleResolver((f) => files.has(f));
    const to = (spec: string, from = 'a/main.ts') => { const res = r.resolve(spec, from); return res.kind === 'local' ? res.file : res.kind; };
    assert.equal(to('./x'), 'a/x.d.ts');
    assert.equal(to('./x.js'), 'a/x.d.ts');
    assert.equal(to('./y'), 'a/y.ts');
    assert.equal(to('./y.js'), 'a/y.ts');
    assert.equal(to('./v.jsx'), 'a/v.d.ts');
    assert.equal(to('./w.mjs'), 'a/w.d.mts');
    assert.equal(to('./only'), 'a/only.js');
    assert.equal(to('../'), 'index.d.ts');
    assert.equal(to('..'), 'index.d.ts');
    assert.equal(to('./', 'main.ts'), 'index.d.ts');
    assert.equal(to('../../'), 'unresolved');
  });
});

describe('a reopened workspace', () => {
  it('builds from the cache without loading TypeScript, and re-reads a tsconfig that changed', () => {
    // A fresh process, as the extension host is: the modules load TypeScript only to parse.
    const cacheDir = path.join(work, 'cache');
    const script = `const { openWorkspaceGraph } = require('./src/infra/analysis/workspaceAnalysis');
      const loaded = () => Object.keys(require.cache).some((k) => /[\\\\/](ts-morph|typescript|@ts-morph)[\\\\/].*\\.js$/.test(k));
      (async () => {
        const r = await openWorkspaceGraph({ root: process.argv[1], cacheDir: process.argv[2] });
        if (process.argv[3] === 'save') await r.workspace.save();
        process.stdout.write(JSON.stringify({ loaded: loaded(), parsed: r.stats.parsed, fromCache: r.firstBuild.configFromCache, edges: r.workspace.graph.dependants('src/types.d.ts').length }));
      })();`;
    const run = (mode = '') => {
      const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, repo.root, cacheDir, mode], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout) as { loaded: boolean; parsed: number; fromCache: boolean; edges: number };
    };
    const first = run('save');
    assert.deepEqual(first, { loaded: true, parsed: repo.files.length + repo.added.length, fromCache: false, edges: importers.size });
    assert.deepEqual(run(), { loaded: false, parsed: 0, fromCache: true, edges: importers.size });
    // paths now map @app/* elsewhere: the cached options are stale and must not be used.
    const tsconfig = path.join(repo.root, 'tsconfig.json');
    writeFileSync(tsconfig, readFileSync(tsconfig, 'utf8').replace('"src/*"', '"nowhere/*"'));
    const changed = run();
    assert.equal(changed.fromCache, false);
    assert.equal(changed.loaded, true);
  });
});
