// `npm run bench:graph`: Helios's dependency graph against madge on the same repositories in one
// run — seeded generated repos (500 and 2,000 files) and TypeScript sources shipped inside npm
// packages already in node_modules (copied read-only to a temp folder; never committed).
// Prints cold/warm/incremental times, the madge ratio and edge agreement; writes bench/graph-results.json.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchGraph, findMadgeCli, type GraphBenchReport } from '../src/infra/analysis/graphBench';
import { generateRepo } from '../test/support/analysisRepoGenerator';

const REAL_SOURCES = ['zod/src', '@anthropic-ai/sdk/src', '@azure/msal-browser/src', 'vectra/src', 'gpt-tokenizer/src'];

async function main(): Promise<void> {
  const madgeCli = findMadgeCli(process.cwd());
  if (!madgeCli) console.warn('madge is not installed: timing Helios alone (npm install -D madge)');
  const work = mkdtempSync(path.join(tmpdir(), 'helios-bench-graph-'));
  const repos: Array<{ name: string; root: string }> = [];
  for (const [n, seed] of [[500, 1], [2000, 2]] as const) {
    const root = path.join(work, `generated-${n}`);
    generateRepo(root, n, seed);
    repos.push({ name: `generated ${n} (seed ${seed})`, root });
  }
  for (const rel of REAL_SOURCES) {
    const from = path.join('node_modules', rel);
    if (!existsSync(from)) continue;
    const root = path.join(work, rel.replace(/[@/]/g, '_'));
    mkdirSync(root, { recursive: true });
    cpSync(from, root, { recursive: true });
    repos.push({ name: `npm ${rel}`, root });
  }
  const reports: Array<GraphBenchReport & { name: string }> = [];
  try {
    for (const repo of repos) {
      const r = await benchGraph(repo.root, { runs: 3, updates: 20, ...(madgeCli ? { madgeCli } : {}) });
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
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync('bench', { recursive: true });
  writeFileSync(path.join('bench', 'graph-results.json'), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), reports }, null, 2)}\n`);
}

void main();
