import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { measureContextReduction } from '../../src/core/context/contextBenchmark';
import { compareEdges } from '../../src/core/analysis/edgeAgreement';
import { goPackageGraph, goParity, pythonParity, toolAvailable } from '../../src/infra/analysis/treeSitterParity';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { generateGoRepo, type GoRepo } from '../fixtures/analysis/go/generateGoRepo';
import { generatePythonRepo, type PythonRepo } from '../fixtures/analysis/python/generatePythonRepo';

/**
 * Generated Python and Go repositories of 200+ files: the graph against the languages' tools
 * where installed (grimp, `go list`), against the independent `ast` oracle always, and the
 * Coder's context for Python tasks against whole files.
 */
let work: string;
let py: PythonRepo;
let go: GoRepo;
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'helios-polyglot-'));
  py = generatePythonRepo(path.join(work, 'py'));
  go = generateGoRepo(path.join(work, 'go'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const report = (label: string, value: unknown) => console.log(`${label}: ${JSON.stringify(value)}`);

describe('Python and Go graphs on generated repositories', () => {
  it('the Python graph agrees with the ast oracle (and grimp where installed)', async () => {
    const { workspace, stats } = await openWorkspaceGraph({ root: py.root });
    assert.ok(stats.files >= 200, `${stats.files} files`);
    const oracle = pythonParity(py.root, workspace, 'ast-oracle');
    report('python ast-oracle', { ...oracle, agreement: { ...oracle.agreement, onlyA: oracle.agreement?.onlyA.slice(0, 5), onlyB: oracle.agreement?.onlyB.slice(0, 5) } });
    if (!oracle.ran) return;
    assert.ok(oracle.agreement!.recall >= 0.99 && oracle.agreement!.precision >= 0.99);
    const grimp = pythonParity(py.root, workspace, 'grimp');
    report('python grimp', grimp.ran ? grimp : { ran: false, reason: grimp.reason });
    if (grimp.ran) assert.ok(grimp.agreement!.recall >= 0.99 && grimp.agreement!.precision >= 0.99);
  });

  it('the Go graph agrees with go list where Go is installed', async () => {
    const root = path.join(work, 'go');
    const { workspace, stats } = await openWorkspaceGraph({ root });
    assert.ok(stats.files >= 200, `${stats.files} files`);
    assert.ok(workspace.graph.impactSet(['internal/svc0/file1.go']).length > 0);
    // Not go list: the imports the generator wrote, folded the same way.
    const truth = compareEdges(goPackageGraph(workspace), go.packageImports);
    report('go generator truth', { packages: Object.keys(go.packageImports).length, edges: truth.common, onlyHelios: truth.onlyA.slice(0, 5), onlyTruth: truth.onlyB.slice(0, 5) });
    assert.deepEqual([truth.onlyA, truth.onlyB], [[], []]);
    const result = goParity(root, workspace);
    report('go list', result.ran ? result : { ran: false, reason: result.reason, goInstalled: toolAvailable('go-list') });
    if (result.ran) assert.ok(result.agreement!.recall >= 0.99 && result.agreement!.precision >= 0.99);
  });

  it("a Python task's Coder context holds imported signatures, not whole files", async () => {
    const { workspace } = await openWorkspaceGraph({ root: py.root });
    const m = await measureContextReduction(workspace, py.tasks);
    report('python context', { tasks: m.tasks.length, fullTokens: m.fullTokens, builtTokens: m.builtTokens, reduction: m.reduction, allSymbolsPresent: m.allSymbolsPresent, missing: m.tasks.flatMap((t) => t.missingSymbols).slice(0, 5) });
    assert.ok(m.allSymbolsPresent);
    assert.ok(m.reduction >= 0.5, `reduction ${m.reduction}`);
  });
});
