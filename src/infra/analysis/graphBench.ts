import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareEdges, type EdgeAgreement } from '../../core/analysis/edgeAgreement';
import { benchFirstBuild, type FirstBuildReport } from './firstBuildBench';

/**
 * `helios bench graph`: a cold build (no cache), a warm build (cache hit), incremental updates of
 * single files, and optionally madge on the same repository in the same run, with edge agreement.
 */
export interface GraphBenchOptions {
  readonly runs?: number;
  readonly updates?: number;
  /** Path to madge's CLI script; madge is skipped when absent. */
  readonly madgeCli?: string;
  /** The first-build breakdown in fresh processes, for this analysis bundle and optionally an earlier one. */
  readonly firstBuild?: { readonly bundle: string; readonly baseline?: string; readonly runs?: number };
}

export interface GraphBenchReport {
  readonly root: string;
  readonly files: number;
  readonly localEdges: number;
  /** Loading TypeScript's parser (first use in this process; 0 when already loaded). */
  readonly loadMs: number;
  readonly coldMs: number;
  readonly warmMs: number;
  readonly updateMedianMs: number;
  readonly updateMaxMs: number;
  readonly madge?: { readonly ms: number; readonly localEdges: number; readonly agreement: EdgeAgreement; readonly ratio: number };
  readonly firstBuild?: { readonly current: FirstBuildReport; readonly baseline?: FirstBuildReport };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export function findMadgeCli(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const cli = path.join(dir, 'node_modules', 'madge', 'bin', 'cli.js');
    if (existsSync(cli)) return cli;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** madge's graph of `root` (local files only), as `{ file: [files] }` relative to root, and its wall time. */
export function runMadge(madgeCli: string, root: string): { graph: Record<string, string[]>; ms: number } {
  const tsconfig = ['tsconfig.json', 'jsconfig.json'].map((n) => path.join(root, n)).find((f) => existsSync(f));
  const args = [madgeCli, '--json', '--no-spinner', '--extensions', 'ts,tsx,mts,cts,js,jsx,mjs,cjs', '--basedir', root, ...(tsconfig ? ['--ts-config', tsconfig] : []), root];
  // madge exits before a piped stdout drains, so its JSON goes to a file.
  const dir = mkdtempSync(path.join(tmpdir(), 'helios-madge-'));
  const file = path.join(dir, 'graph.json');
  const fd = openSync(file, 'w');
  try {
    const t0 = performance.now();
    const out = spawnSync(process.execPath, args, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (out.status !== 0) throw new Error(`madge failed: ${out.stderr}`);
    return { graph: JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>, ms };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a fresh process pays to load TypeScript's parser (the copy ts-morph bundles, which the
 * scanners load alone), measured in a child process (this one may have it loaded already, or run
 * under a TypeScript loader).
 */
export function parserLoadMs(): number {
  const script = "const t=performance.now();require('@ts-morph/common/dist/typescript.js');process.stdout.write(String(performance.now()-t))";
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname });
  return out.status === 0 ? Number(out.stdout) : 0;
}

export async function benchGraph(root: string, options: GraphBenchOptions = {}): Promise<GraphBenchReport> {
  const { openWorkspaceGraph } = await import('./workspaceAnalysis');
  const loadMs = parserLoadMs();
  const cold: number[] = [];
  let opened = await openWorkspaceGraph({ root });
  for (let i = 0; i < (options.runs ?? 3); i++) {
    const t = performance.now();
    opened = await openWorkspaceGraph({ root });
    cold.push(performance.now() - t);
  }
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'helios-graph-cache-'));
  let warmMs: number;
  try {
    await (await openWorkspaceGraph({ root, cacheDir })).workspace.save();
    const t = performance.now();
    await openWorkspaceGraph({ root, cacheDir });
    warmMs = performance.now() - t;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const { workspace } = opened;
  const files = workspace.graph.files().sort();
  const updates: number[] = [];
  const step = Math.max(1, Math.floor(files.length / Math.max(1, options.updates ?? 20)));
  for (let i = 0; i < files.length && updates.length < (options.updates ?? 20); i += step) {
    const file = files[i]!;
    const original = (await workspace.text(file)) ?? '';
    const edited = `import { helper${i} } from './helios-bench-missing';\n${original}\n// edited ${i}\n`;
    const t = performance.now();
    workspace.updateText(file, edited);
    updates.push(performance.now() - t);
    workspace.updateText(file, original);
  }
  const ours = workspace.graph.adjacency({ external: false });
  const localEdges = Object.values(ours).reduce((a, v) => a + v.length, 0);
  const coldMs = median(cold);
  let madge: GraphBenchReport['madge'];
  if (options.madgeCli) {
    const m = runMadge(options.madgeCli, root);
    const agreement = compareEdges(ours, m.graph, (to) => workspace.graph.has(to) || !to.includes('node_modules'));
    madge = { ms: m.ms, localEdges: Object.values(m.graph).reduce((a, v) => a + v.length, 0), agreement, ratio: m.ms / (coldMs + loadMs) };
  }
  let firstBuild: GraphBenchReport['firstBuild'];
  if (options.firstBuild) {
    const { bundle, baseline, runs } = options.firstBuild;
    const [current, before] = benchFirstBuild(baseline ? [bundle, baseline] : [bundle], root, runs);
    firstBuild = { current: current!, ...(before ? { baseline: before } : {}) };
  }
  return { root, files: files.length, localEdges, loadMs, coldMs, warmMs, updateMedianMs: median(updates), updateMaxMs: Math.max(0, ...updates), ...(madge ? { madge } : {}), ...(firstBuild ? { firstBuild } : {}) };
}
