import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkspaceGraph, type OpenGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { localTargets, writeRepo } from '../fixtures/analysis/python/fixtureRepo';

/** A module with three packages: importing a package is an edge to each of its non-test files. */
const FILES: Record<string, string> = {
  'go.mod': 'module example.com/shop\n\ngo 1.22\n',
  'cmd/shop/main.go': 'package main\n\nimport (\n\t"fmt"\n\t"example.com/shop/internal/cart"\n\tm "example.com/shop/pkg/money"\n)\n\nfunc main() { fmt.Println(cart.Total(nil), m.Zero) }\n',
  'internal/cart/cart.go': 'package cart\n\nimport "example.com/shop/pkg/money"\n\n// Total adds the items.\nfunc Total(items []money.Amount) money.Amount {\n\treturn money.Zero\n}\n\nfunc helper() {}\n',
  'internal/cart/cart_test.go': 'package cart\n\nimport "testing"\n\nfunc TestTotal(t *testing.T) {}\n',
  'pkg/money/money.go': 'package money\n\ntype Amount struct {\n\tCents int64\n}\n\nconst Zero = 0\n\nvar (\n\tDefault Amount\n\tlocal   int\n)\n\nfunc (a Amount) Add(b Amount) Amount { return Amount{a.Cents + b.Cents} }\n',
  'pkg/money/format.go': 'package money\n\ntype Formatter interface {\n\tFormat(a Amount) string\n}\n',
};

let work: string;
let open: OpenGraph;
before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'helios-go-'));
  writeRepo(work, FILES);
  open = await openWorkspaceGraph({ root: work });
});
after(() => rmSync(work, { recursive: true, force: true }));

const targets = (file: string) => localTargets(open.workspace, file);

describe('Go dependency graph (tree-sitter)', () => {
  it('maps module-local import paths through go.mod to every non-test file of the package', () => {
    assert.deepEqual(targets('cmd/shop/main.go'), ['internal/cart/cart.go', 'pkg/money/format.go', 'pkg/money/money.go']);
    assert.deepEqual(targets('internal/cart/cart.go'), ['pkg/money/format.go', 'pkg/money/money.go']);
    assert.deepEqual(targets('internal/cart/cart_test.go'), [], 'the standard library is not a node');
  });

  it('records the selectors the importer uses', () => {
    const edge = open.workspace.graph.dependencies('cmd/shop/main.go').find((e) => e.to === 'pkg/money/money.go');
    assert.deepEqual(edge?.names, ['Zero']);
  });

  it('a change to pkg/money/format.go reaches the packages that import it, transitively', () => {
    assert.deepEqual(open.workspace.graph.impactSet(['pkg/money/format.go']), ['cmd/shop/main.go', 'internal/cart/cart.go']);
  });

  it('a file added to an imported package joins its importers, as a cold build would have it', async () => {
    writeFileSync(path.join(work, 'pkg/money/round.go'), 'package money\n\nfunc Round(a Amount) Amount { return a }\n');
    assert.equal(await open.workspace.update('pkg/money/round.go'), 'added');
    assert.deepEqual(targets('internal/cart/cart.go'), ['pkg/money/format.go', 'pkg/money/money.go', 'pkg/money/round.go']);
    assert.deepEqual(open.workspace.graph.impactSet(['pkg/money/round.go']), ['cmd/shop/main.go', 'internal/cart/cart.go']);
    rmSync(path.join(work, 'pkg/money/round.go'));
    assert.equal(await open.workspace.update('pkg/money/round.go'), 'removed');
    assert.deepEqual(targets('internal/cart/cart.go'), ['pkg/money/format.go', 'pkg/money/money.go']);
  });

  it('a reopened workspace reuses cached records and still sees a package file added meanwhile', async () => {
    const cacheDir = path.join(work, '.cache-dir');
    const first = await openWorkspaceGraph({ root: work, cacheDir });
    await first.workspace.save();
    writeFileSync(path.join(work, 'pkg/money/parse.go'), 'package money\n\nfunc Parse(s string) Amount { return Amount{} }\n');
    const again = await openWorkspaceGraph({ root: work, cacheDir });
    assert.equal(again.stats.parsed, 1);
    assert.ok(again.workspace.graph.dependencies('internal/cart/cart.go').some((e) => e.to === 'pkg/money/parse.go'));
    rmSync(path.join(work, 'pkg/money/parse.go'));
  });

  it('exports capitalised declarations only, without bodies', async () => {
    const money = await open.workspace.exportsOf('pkg/money/money.go');
    assert.deepEqual(money.map((s) => `${s.kind} ${s.signature}`), [
      'class type Amount struct {\n\tCents int64\n}',
      'variable const Zero',
      'variable var Default Amount',
      'function func (a Amount) Add(b Amount) Amount',
    ]);
    const cart = await open.workspace.exportsOf('internal/cart/cart.go');
    assert.deepEqual(cart.map((s) => s.signature), ['func Total(items []money.Amount) money.Amount']);
  });
});
