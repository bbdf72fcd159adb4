import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBench, runContext, runGraph } from '../../src/cli/analysisCommands';
import { compareEdges } from '../../src/core/analysis/edgeAgreement';
import { measureContextReduction, type BenchTask } from '../../src/core/context/contextBenchmark';
import { benchGraph, findMadgeCli } from '../../src/infra/analysis/graphBench';
import { GraphCacheFile } from '../../src/infra/analysis/graphCacheFile';
import { NodeWorkspace } from '../../src/infra/analysis/nodeWorkspace';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { generateDeclarationRepo } from '../support/analysisDeclarationRepo';
import { generateRepo, mulberry32, type GeneratedRepo } from '../support/analysisRepoGenerator';

let work: string;
let small: GeneratedRepo;

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'helios-analysis-'));
  small = generateRepo(path.join(work, 'small'), 240, 11);
});
after(() => rmSync(work, { recursive: true, force: true }));

function capture(): { write: (t: string) => void; text: () => string } {
  let buf = '';
  return { write: (t) => void (buf += t), text: () => buf };
}

describe('dependency graph on generated repositories', () => {
  it('finds exactly the edges the generator wrote (paths, index files, .js imports, type-only, dynamic, require)', async () => {
    const { workspace, stats } = await openWorkspaceGraph({ root: small.root });
    assert.equal(stats.files, small.files.length);
    const truth: Record<string, string[]> = {};
    for (const e of small.edges) (truth[e.from] ??= []).push(e.to);
    const ours = workspace.graph.adjacency({ external: false });
    const agreement = compareEdges(ours, truth);
    assert.deepEqual([agreement.onlyA, agreement.onlyB], [[], []]);
    const typeOnly = small.edges.filter((e) => e.typeOnly);
    assert.ok(typeOnly.length > 0);
    for (const e of typeOnly.slice(0, 20)) assert.ok(workspace.graph.dependencies(e.from).some((d) => d.to === e.to && d.typeOnly));
    assert.ok(workspace.graph.cycles().length > 0, 'the generator writes back edges');
  });

  it('agrees with madge on at least 99 % of local edges when madge is installed', { timeout: 120_000 }, async (t) => {
    const madgeCli = findMadgeCli(process.cwd());
    if (!madgeCli) return t.skip('madge not installed');
    const report = await benchGraph(small.root, { madgeCli, runs: 1, updates: 5 });
    assert.ok(report.madge!.agreement.recall >= 0.99, JSON.stringify(report.madge!.agreement.onlyB.slice(0, 5)));
    assert.ok(report.madge!.agreement.precision >= 0.99, JSON.stringify(report.madge!.agreement.onlyA.slice(0, 5)));
    assert.ok(report.madge!.ms > report.coldMs);
  });

  it('agrees with madge on declaration-file edges (.d.ts types modules, .d.ts beside .js, the root index.d.ts)', { timeout: 120_000 }, async (t) => {
    const madgeCli = findMadgeCli(process.cwd());
    if (!madgeCli) return t.skip('madge not installed');
    const repo = generateDeclarationRepo(path.join(work, 'declarations'), 80, 31);
    const report = await benchGraph(repo.root, { madgeCli, runs: 1, updates: 2 });
    const { onlyA, onlyB } = report.madge!.agreement;
    assert.deepEqual([onlyA, onlyB], [[], []]);
    const { workspace } = await openWorkspaceGraph({ root: repo.root });
    const toDeclarations = Object.values(workspace.graph.adjacency({ external: false })).flat().filter((to) => /\.d\.[cm]?ts$/.test(to));
    assert.ok(toDeclarations.length >= repo.importers.size + 4, `${toDeclarations.length} edges to declaration files`);
  });

  // How fast an update is lives in `helios bench graph` (0.1–0.3 ms at 2,000 files); this test
  // checks what a user sees: the edit's edges, at once, and the rest of the graph untouched.
  it('an edit, a new file and a deletion update their edges in a 2,000-file graph without touching the others', { timeout: 120_000 }, async () => {
    const big = generateRepo(path.join(work, 'big'), 2000, 3);
    const { workspace } = await openWorkspaceGraph({ root: big.root });
    assert.equal(workspace.graph.size, 2000);
    const target = 'src/features/f0/index.ts';
    assert.ok(workspace.graph.has(target));
    const rand = mulberry32(5);
    const edited = new Set<string>();
    const written = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const file = big.files[Math.floor(rand() * big.files.length)]!;
      if (file === target || edited.has(file)) continue;
      edited.add(file);
      const text = (await workspace.text(file))!;
      let specifier = path.posix.relative(path.posix.dirname(file), 'src/features/f0/index');
      if (!specifier.startsWith('.')) specifier = `./${specifier}`;
      written.set(file, `import { extra } from '${specifier}';\n${text}`);
      assert.equal(workspace.updateText(file, written.get(file)!), 'updated');
      assert.ok(workspace.graph.dependencies(file).some((d) => d.to === target), `${file} now imports ${target}`);
    }
    const untouched = big.files.find((f) => !edited.has(f) && f !== target)!;
    const before = workspace.graph.dependencies(untouched);
    for (const file of edited) assert.ok(workspace.graph.dependants(target).includes(file));
    assert.deepEqual(workspace.graph.dependencies(untouched), before);
    // The same text again changes nothing.
    const again = [...edited][0]!;
    assert.equal(workspace.updateText(again, written.get(again)!), 'unchanged');
    // A new file and its deletion.
    assert.equal(workspace.updateText('src/features/f0/brand-new.ts', "import { x } from './index';\n"), 'added');
    assert.ok(workspace.graph.dependants(target).includes('src/features/f0/brand-new.ts'));
    assert.equal(workspace.remove('src/features/f0/brand-new.ts'), 'removed');
    assert.equal(workspace.graph.dependants(target).includes('src/features/f0/brand-new.ts'), false);
    assert.equal(workspace.graph.size, 2000);
  });

  it('persists records by content hash and rebuilds over a corrupt cache', async () => {
    const cacheDir = path.join(work, 'cache');
    const first = await openWorkspaceGraph({ root: small.root, cacheDir });
    await first.workspace.save();
    const file = small.files[3]!;
    const abs = path.join(small.root, file);
    writeFileSync(abs, `${readFileSync(abs, 'utf8')}\nexport const edited = 1;\n`);
    const second = await openWorkspaceGraph({ root: small.root, cacheDir });
    assert.equal(second.stats.parsed, 1);
    assert.equal(await second.workspace.update(file), 'unchanged');
    writeFileSync(new GraphCacheFile(cacheDir).file, '{"version":1');
    const errors: string[] = [];
    const third = await openWorkspaceGraph({ root: small.root, cacheDir, onCorruptCache: (e) => errors.push(e) });
    assert.equal(third.stats.reused, 0);
    assert.equal(errors.length, 1);
    writeFileSync(new GraphCacheFile(cacheDir).file, '{"version":1,"scanner":"x","files":{"a.ts":{"hash":3}}}');
    assert.equal(await new GraphCacheFile(cacheDir).load(), undefined);
  });

  it('maps absolute paths to workspace files and skips ignored folders', async () => {
    const ws = new NodeWorkspace(small.root);
    assert.equal(ws.relative(path.join(small.root, 'src', 'a.ts')), 'src/a.ts');
    assert.equal(ws.relative(path.join(small.root, 'node_modules', 'x', 'a.ts')), undefined);
    assert.equal(ws.relative(path.join(small.root, 'README.md')), undefined);
    assert.equal(ws.relative(path.join(work, 'elsewhere.ts')), undefined);
    assert.equal(await ws.readFile('missing.ts'), undefined);
    const controller = new AbortController();
    controller.abort();
    assert.deepEqual(await ws.listFiles(controller.signal), []);
  });
});

describe('context reduction on generated tasks', () => {
  it('cuts input tokens by at least 60 % against full-file context and keeps every imported symbol', async () => {
    const { workspace } = await openWorkspaceGraph({ root: small.root });
    const rand = mulberry32(17);
    const candidates = small.files.filter((f) => !f.endsWith('index.ts') && f.startsWith('src/features/'));
    const tasks: BenchTask[] = Array.from({ length: 12 }, (_v, i) => {
      const a = candidates[Math.floor(rand() * candidates.length)]!;
      const files = i % 3 === 0 ? [a, candidates[Math.floor(rand() * candidates.length)]!] : [a];
      return { id: `t${i}`, text: `Refactor ${path.posix.basename(a)} to validate its input`, files: [...new Set(files)] };
    });
    const m = await measureContextReduction(workspace, tasks);
    assert.ok(m.allSymbolsPresent, JSON.stringify(m.tasks.flatMap((t) => t.missingSymbols).slice(0, 5)));
    assert.ok(m.reduction >= 0.6, `reduction ${(m.reduction * 100).toFixed(1)} %`);
    const withMap = await measureContextReduction(workspace, tasks.slice(0, 2), { mapTokens: 500 });
    assert.ok(withMap.builtTokens > 0);
  });
});

describe('CLI commands', () => {
  it('graph prints madge-shaped JSON on stdout and timings on stderr', async () => {
    const out = capture();
    const err = capture();
    assert.equal(await runGraph([small.root, '--json', '--no-external', '--cache', path.join(work, 'cli-cache')], out.write, err.write), 0);
    const graph = JSON.parse(out.text()) as Record<string, string[]>;
    assert.equal(Object.keys(graph).length, small.files.length);
    assert.match(err.text(), /"timings"/);
    const plain = capture();
    assert.equal(await runGraph(['test/fixtures/analysis/basic'], plain.write, err.write), 0);
    assert.match(plain.text(), /src\/app\/main\.ts\n {2}→ src\/app\/lazy\.ts/);
    assert.match(plain.text(), /1 import cycle/);
    assert.equal(await runGraph([], plain.write, err.write), 2);
  });

  it('context prints the context and its token counts', async () => {
    const out = capture();
    const err = capture();
    assert.equal(await runContext(['test/fixtures/analysis/basic', '--task', 'Make run use Vector', '--files', 'src/app/main.ts', '--budget', '3000'], out.write, err.write), 0);
    assert.match(out.text(), /context: \d+ tokens of 3000/);
    const json = capture();
    assert.equal(await runContext(['test/fixtures/analysis/basic', '--task', 'Change format of Point', '--budget', '5', '--json'], json.write, err.write), 0);
    assert.ok((JSON.parse(json.text()) as { taskFilesOverBudget: boolean }).taskFilesOverBudget);
    assert.match(err.text(), /likeliest files/);
    assert.equal(await runContext(['test/fixtures/analysis/basic'], out.write, err.write), 2);
    assert.equal(await runContext(['test/fixtures/analysis/basic', '--task', 'x', '--budget', 'abc'], out.write, err.write), 2);
  });

  it('bench graph times cold, warm and incremental builds', async () => {
    const out = capture();
    const err = capture();
    assert.equal(await runBench(['graph', 'test/fixtures/analysis/basic', '--runs', '1', '--updates', '2'], out.write, err.write), 0);
    assert.match(out.text(), /cold build \d+ ms/);
    if (out.text().includes('first build')) assert.match(out.text(), /reopened \(cache\): \d+ ms = process \d+ \+ module load \d+/);
    const json = capture();
    assert.equal(await runBench(['graph', 'test/fixtures/analysis/basic', '--runs', '1', '--json'], json.write, err.write), 0);
    assert.equal((JSON.parse(json.text()) as { files: number }).files, 7);
    assert.equal(await runBench(['cache'], out.write, err.write), 2);
    assert.equal(await runBench(['graph'], out.write, err.write), 2);
  });
});
