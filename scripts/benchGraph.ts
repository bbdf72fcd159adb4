// `npm run bench:graph`: Helios's dependency graph against madge on the same repositories in one
// run — seeded generated repos (500 and 2,000 files) and TypeScript sources shipped inside npm
// packages already in node_modules (copied read-only to a temp folder; never committed).
// Prints cold/warm/incremental times, the madge ratio and edge agreement; writes bench/graph-results.json.
// On the generated 600-file repo it also prints where a first build's time goes in a fresh
// process, for this working tree and, with `-- --baseline=<git rev>`, for that commit's code,
// both bundled the way a release is (minified), run alternately in this one run.
// `-- --only=<text>` benches only the repos whose name contains it (results are then not written).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { formatFirstBuild } from '../src/infra/analysis/firstBuildBench';
import { benchGraph, findMadgeCli, type GraphBenchReport } from '../src/infra/analysis/graphBench';
import { generateRepo } from '../test/support/analysisRepoGenerator';

const ANALYSIS_ENTRY = 'src/infra/analysis/workspaceAnalysis.ts';

async function bundleAnalysis(srcRoot: string, outfile: string): Promise<string> {
  await esbuild.build({
    entryPoints: [path.join(srcRoot, ANALYSIS_ENTRY)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true,
    nodePaths: [path.resolve('node_modules')], logLevel: 'error',
  });
  return outfile;
}

/** The analysis bundle of `rev`'s sources (read with `git archive`; the working tree is not touched). */
async function bundleAtRevision(rev: string, work: string): Promise<string> {
  if (!/^[\w./~^-]+$/.test(rev)) throw new Error(`not a git revision: ${rev}`);
  const dir = path.join(work, `baseline-${rev.replace(/\W/g, '_')}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-x', '-C', dir], { input: execFileSync('git', ['archive', rev, 'src'], { maxBuffer: 1 << 28 }) });
  return bundleAnalysis(dir, path.join(work, 'baseline-analysis.js'));
}

const REAL_SOURCES = ['zod/src', '@anthropic-ai/sdk/src', '@azure/msal-browser/src', 'vectra/src', 'gpt-tokenizer/src'];

async function main(): Promise<void> {
  const madgeCli = findMadgeCli(process.cwd());
  if (!madgeCli) console.warn('madge is not installed: timing Helios alone (npm install -D madge)');
  const work = mkdtempSync(path.join(tmpdir(), 'helios-bench-graph-'));
  const baselineRev = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
  const bundle = await bundleAnalysis('.', path.join(work, 'analysis.js'));
  const baseline = baselineRev ? await bundleAtRevision(baselineRev, work) : undefined;
  const repos: Array<{ name: string; root: string; firstBuild?: boolean }> = [];
  for (const [n, seed] of [[500, 1], [600, 3], [2000, 2]] as const) {
    const root = path.join(work, `generated-${n}`);
    generateRepo(root, n, seed);
    repos.push({ name: `generated ${n} (seed ${seed})`, root, firstBuild: n === 600 });
  }
  for (const rel of REAL_SOURCES) {
    const from = path.join('node_modules', rel);
    if (!existsSync(from)) continue;
    const root = path.join(work, rel.replace(/[@/]/g, '_'));
    mkdirSync(root, { recursive: true });
    cpSync(from, root, { recursive: true });
    repos.push({ name: `npm ${rel}`, root });
  }
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const reports: Array<GraphBenchReport & { name: string }> = [];
  try {
    for (const repo of repos.filter((r) => !only || r.name.includes(only))) {
      const firstBuild = repo.firstBuild ? { bundle, ...(baseline ? { baseline } : {}), runs: 2 } : undefined;
      const r = await benchGraph(repo.root, { runs: 3, updates: 20, ...(madgeCli ? { madgeCli } : {}), ...(firstBuild ? { firstBuild } : {}) });
      reports.push({ ...r, name: repo.name, root: repo.name });
      const m = r.madge;
      const madgePart = m
        ? ` | madge ${m.ms.toFixed(0)} ms, ${m.localEdges} edges | ×${m.ratio.toFixed(1)} (build only ×${(m.ms / r.coldMs).toFixed(1)}) | agreement recall ${(m.agreement.recall * 100).toFixed(2)} % precision ${(m.agreement.precision * 100).toFixed(2)} %`
        : '';
      console.log(`${repo.name}: ${r.files} files, ${r.localEdges} local edges | load ${r.loadMs.toFixed(0)} ms, cold ${r.coldMs.toFixed(0)} ms, warm ${r.warmMs.toFixed(0)} ms, update median ${r.updateMedianMs.toFixed(2)} ms max ${r.updateMaxMs.toFixed(2)} ms${madgePart}`);
      if (m && (m.agreement.onlyA.length > 0 || m.agreement.onlyB.length > 0)) {
        console.log(`  only Helios (${m.agreement.onlyA.length}): ${m.agreement.onlyA.slice(0, 5).join('; ')}`);
        console.log(`  only madge  (${m.agreement.onlyB.length}): ${m.agreement.onlyB.slice(0, 5).join('; ')}`);
      }
      for (const [label, fb] of [['now', r.firstBuild?.current], [`at ${baselineRev}`, r.firstBuild?.baseline]] as const) {
        if (fb) console.log(`  first build, ${label}:\n    ${formatFirstBuild('new workspace', fb.fresh)}\n    ${formatFirstBuild('reopened (cache)', fb.reopened)}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (only) return;
  mkdirSync('bench', { recursive: true });
  writeFileSync(path.join('bench', 'graph-results.json'), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), reports }, null, 2)}\n`);
}

void main();
