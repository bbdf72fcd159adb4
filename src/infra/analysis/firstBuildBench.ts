import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where a first build's time goes, in whole fresh processes (what the first Show Dependency Graph
 * or Run Plan waits for): the process itself (start and exit), loading the analysis bundle,
 * reading tsconfig, loading TypeScript's parser, listing, reading and scanning files, resolving.
 * Two situations: a workspace opened for the first time (no cache) and a reopened one (the cache
 * the previous session saved). Each is run `runs` times; the fastest run is kept.
 */
export interface FirstBuildPhases {
  /** Wall time of the whole child process, as the parent saw it. */
  readonly wallMs: number;
  /** Process start and exit: the wall time outside the script's own work. */
  readonly processMs: number;
  /** `require` of the analysis bundle. */
  readonly moduleLoadMs: number;
  /** tsconfig read (with TypeScript's load when it had to parse it); undefined for a bundle that does not report it. */
  readonly configMs?: number;
  /** TypeScript's load on the first parse (0 when nothing needed parsing). */
  readonly parserLoadMs?: number;
  readonly listMs: number;
  /** Reading, hashing and scanning files, the parser's load excluded. */
  readonly scanMs: number;
  readonly resolveMs: number;
  readonly parsed: number;
  readonly reused: number;
}

export interface FirstBuildReport {
  readonly bundle: string;
  readonly fresh: FirstBuildPhases;
  readonly reopened: FirstBuildPhases;
}

/** The analysis bundle beside this file (inside dist/cli.js) or in the repository's dist/ (run from sources). */
export function findAnalysisBundle(): string | undefined {
  return [path.join(__dirname, 'analysis.js'), path.resolve(__dirname, '..', '..', '..', 'dist', 'analysis.js')].find((f) => existsSync(f));
}

// The child reports its own clock (ms since its start); the parent times the whole process.
const CHILD = `
const boot = performance.now();
const [bundle, root, cacheDir, save] = process.argv.slice(1);
const t0 = performance.now();
const m = require(bundle);
const moduleLoadMs = performance.now() - t0;
(async () => {
  const r = await m.openWorkspaceGraph(cacheDir ? { root, cacheDir } : { root });
  if (save === '1') await r.workspace.save();
  process.stdout.write(JSON.stringify({ boot, moduleLoadMs, stats: r.stats, firstBuild: r.firstBuild ?? null, end: performance.now() }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

interface ChildOut {
  boot: number;
  moduleLoadMs: number;
  end: number;
  stats: { listMs: number; scanMs: number; resolveMs: number; parsed: number; reused: number };
  firstBuild: { configMs: number; parserLoadMs: number } | null;
}

function runChild(bundle: string, root: string, cacheDir: string | undefined, save: boolean): FirstBuildPhases {
  const t = performance.now();
  const out = spawnSync(process.execPath, ['-e', CHILD, bundle, root, cacheDir ?? '', save ? '1' : '0'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t;
  if (out.status !== 0) throw new Error(`first build in a child process failed: ${out.stderr}`);
  const c = JSON.parse(out.stdout) as ChildOut;
  const parserLoadMs = c.firstBuild?.parserLoadMs;
  return {
    wallMs,
    processMs: wallMs - (c.end - c.boot),
    moduleLoadMs: c.moduleLoadMs,
    ...(c.firstBuild ? { configMs: c.firstBuild.configMs, parserLoadMs: c.firstBuild.parserLoadMs } : {}),
    listMs: c.stats.listMs,
    scanMs: c.stats.scanMs - (parserLoadMs ?? 0),
    resolveMs: c.stats.resolveMs,
    parsed: c.stats.parsed,
    reused: c.stats.reused,
  };
}

/**
 * The first-build phases of each bundle on `root`. Runs alternate between the bundles, so an
 * earlier build of the code (the "before") sees the same machine load as this one.
 */
export function benchFirstBuild(bundles: readonly string[], root: string, runs = 2): FirstBuildReport[] {
  const dirs = bundles.map(() => mkdtempSync(path.join(tmpdir(), 'helios-first-build-')));
  try {
    // The previous session: builds and saves the cache a reopened workspace starts from.
    bundles.forEach((b, i) => runChild(b, root, dirs[i], true));
    const best = bundles.map(() => ({ fresh: undefined as FirstBuildPhases | undefined, reopened: undefined as FirstBuildPhases | undefined }));
    const faster = (a: FirstBuildPhases | undefined, b: FirstBuildPhases) => (!a || b.wallMs < a.wallMs ? b : a);
    for (let r = 0; r < Math.max(1, runs); r++) {
      bundles.forEach((b, i) => {
        best[i]!.fresh = faster(best[i]!.fresh, runChild(b, root, undefined, false));
        best[i]!.reopened = faster(best[i]!.reopened, runChild(b, root, dirs[i], false));
      });
    }
    return bundles.map((bundle, i) => ({ bundle, fresh: best[i]!.fresh!, reopened: best[i]!.reopened! }));
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** One line per phase, `label  total = process + module + …`. */
export function formatFirstBuild(label: string, p: FirstBuildPhases): string {
  const parts = [`process ${p.processMs.toFixed(0)}`, `module load ${p.moduleLoadMs.toFixed(0)}`];
  if (p.configMs !== undefined) parts.push(`tsconfig ${p.configMs.toFixed(0)}`);
  if (p.parserLoadMs !== undefined) parts.push(`parser load ${p.parserLoadMs.toFixed(0)}`);
  parts.push(`list ${p.listMs.toFixed(0)}`, `read+scan ${p.scanMs.toFixed(0)} (${p.parsed} parsed, ${p.reused} cached)`, `resolve ${p.resolveMs.toFixed(0)}`);
  const other = p.wallMs - p.processMs - p.moduleLoadMs - (p.configMs ?? 0) - (p.parserLoadMs ?? 0) - p.listMs - p.scanMs - p.resolveMs;
  parts.push(`other ${other.toFixed(0)}`);
  return `${label}: ${p.wallMs.toFixed(0)} ms = ${parts.join(' + ')}`;
}
