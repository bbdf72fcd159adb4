import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DependencyGraph } from '../../src/core/analysis/dependencyGraph';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { groupsFor } from '../../src/extension/analysis/graphTreeModel';

const PARSER_PACKAGES = new Set(['ts-morph', 'typescript', '@ts-morph/common']);

/**
 * Activation must not load TypeScript's parser: the extension and CLI reach the ts-morph side only
 * through `import()`. Checked two ways: on Helios's own dependency graph (no static path from the
 * entry points to ts-morph), and by loading the vscode-free modules in a fresh process.
 */
describe('ts-morph is loaded lazily', () => {
  it('no static import path leads from the entry points to ts-morph', async () => {
    const { workspace } = await openWorkspaceGraph({ root: '.' });
    const entries = ['src/extension/extension.ts', 'src/extension/analysis/registerAnalysis.ts', 'src/cli/analysisCommands.ts', 'src/core/context/contextBuilder.ts'];
    const seen = new Set<string>();
    const queue = entries.filter((e) => workspace.graph.has(e));
    assert.ok(queue.length >= 3);
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const e of workspace.graph.dependencies(file, { typeOnly: false })) {
        if (e.kind === 'dynamic') continue;
        if (e.external && PARSER_PACKAGES.has(e.to)) offenders.push(`${file} → ${e.to}`);
        else if (!e.external) queue.push(e.to);
      }
    }
    assert.deepEqual(offenders, []);
    assert.ok(!seen.has('src/infra/analysis/tsScanner.ts'));
  });

  it('the extension reaches the ts-morph side only as a separate bundle, not even by import()', async () => {
    // A dynamic import would still put TypeScript inside extension.js, parsed at every activation.
    const { workspace } = await openWorkspaceGraph({ root: '.' });
    const files = workspace.graph.files().filter((f) => f.startsWith('src/extension/'));
    const runtimeEdges = files.flatMap((f) => workspace.graph.dependencies(f, { typeOnly: false }).filter((e) => e.to.startsWith('src/infra/analysis/') || PARSER_PACKAGES.has(e.to)).map((e) => `${f} → ${e.to}`));
    assert.deepEqual(runtimeEdges, []);
  });

  it('loading the analysis commands and the context builder does not load ts-morph', () => {
    const script = "require('./src/cli/analysisCommands'); require('./src/core/context/contextBuilder'); require('./src/core/analysis/repoMap');" +
      "process.stdout.write(String(Object.keys(require.cache).filter((k) => /[\\\\/](ts-morph|typescript)[\\\\/]/.test(k)).length))";
    const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, '0');
  });
});

describe('dependency view model', () => {
  it('groups dependencies, dependants, impact and the cycle of a file', () => {
    const g = new DependencyGraph();
    const imp = (specifier: string, kind: 'import' | 'dynamic' = 'import', typeOnly = false) => ({ specifier, kind, typeOnly, names: ['*'] });
    g.load([
      ['a.ts', { hash: '1', imports: [imp('./b'), imp('./b', 'dynamic'), imp('./c', 'import', true), imp('zod')] }],
      ['b.ts', { hash: '2', imports: [imp('./a')] }],
      ['c.ts', { hash: '3', imports: [] }],
      ['d.ts', { hash: '4', imports: [imp('./b')] }],
    ]);
    const groups = groupsFor(g, 'a.ts');
    assert.deepEqual(groups.map((x) => [x.key, x.files.map((f) => f.file)]), [
      ['dependencies', ['b.ts', 'c.ts', 'zod']], ['dependants', ['b.ts']], ['impact', ['b.ts', 'd.ts']], ['cycle', ['b.ts']],
    ]);
    assert.deepEqual(groups[0]!.files.map((f) => [f.typeOnly, f.dynamic, f.external]), [[false, false, false], [true, false, false], [false, false, true]]);
    assert.equal(groupsFor(g, 'c.ts').length, 3);
  });
});
