import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compareEdges, type EdgeAgreement } from '../../core/analysis/edgeAgreement';
import type { WorkspaceGraph } from '../../core/analysis/workspaceGraph';
import { NodeWorkspace } from './nodeWorkspace';

/**
 * Python and Go graphs checked against the languages' own tools, where they are installed:
 * grimp (what import-linter uses) for Python, `go list -deps -json` for Go. Neither is needed at
 * run time. `ast-oracle` is not grimp: it is `scripts/pythonAstOracle.py`, CPython's `ast` with
 * grimp's resolution rules written again in Python, a cross-check for machines without grimp.
 */
export type ParityTool = 'grimp' | 'ast-oracle' | 'go-list';

export interface ParityResult {
  readonly tool: ParityTool;
  /** False when the tool is not installed here; `reason` says what was missing. */
  readonly ran: boolean;
  readonly reason?: string;
  readonly files?: number;
  readonly toolEdges?: number;
  readonly heliosEdges?: number;
  readonly agreement?: EdgeAgreement;
}

const python = process.env.HELIOS_PYTHON ?? 'python3';

function findOracle(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'scripts', 'pythonAstOracle.py');
    if (existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

export function toolAvailable(tool: ParityTool): boolean {
  if (tool === 'go-list') return spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
  const probe = spawnSync(python, ['-c', tool === 'grimp' ? 'import grimp' : 'import ast'], { encoding: 'utf8' });
  return probe.status === 0 && (tool === 'grimp' || findOracle() !== undefined);
}

function localAdjacency(workspace: WorkspaceGraph, keep: (file: string) => boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [file, tos] of Object.entries(workspace.graph.adjacency({ external: false }))) if (keep(file)) out[file] = tos.filter(keep);
  return out;
}

const count = (g: Record<string, readonly string[]>) => Object.values(g).reduce((a, t) => a + t.length, 0);

/** Helios's Python edges (file → file) against grimp's or the ast oracle's. */
export function pythonParity(root: string, workspace: WorkspaceGraph, tool: 'grimp' | 'ast-oracle'): ParityResult {
  if (!toolAvailable(tool)) return { tool, ran: false, reason: tool === 'grimp' ? `${python} cannot import grimp` : `${python} or scripts/pythonAstOracle.py not found` };
  const run = spawnSync(python, [findOracle()!, root, ...(tool === 'grimp' ? ['--grimp'] : [])], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) return { tool, ran: false, reason: run.stderr.trim().split('\n').pop() ?? 'failed' };
  const theirs = JSON.parse(run.stdout) as Record<string, string[]>;
  // grimp sees only the packages it was given (not a `tests/` folder without `__init__.py`).
  const ours = localAdjacency(workspace, (f) => f.endsWith('.py') && f in theirs);
  return { tool, ran: true, files: Object.keys(ours).length, toolEdges: count(theirs), heliosEdges: count(ours), agreement: compareEdges(ours, theirs) };
}

/** Helios's Go file edges folded to package folders (test files left out, as `go list` without `-test`). */
export function goPackageGraph(workspace: WorkspaceGraph): Record<string, string[]> {
  const folder = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '');
  const ours: Record<string, string[]> = {};
  for (const [file, tos] of Object.entries(localAdjacency(workspace, (f) => f.endsWith('.go') && !f.endsWith('_test.go')))) {
    ours[folder(file)] = [...new Set([...(ours[folder(file)] ?? []), ...tos.map(folder)])].sort();
  }
  return ours;
}

interface GoListPackage {
  readonly Dir: string;
  readonly ImportPath: string;
  readonly Imports?: readonly string[];
  readonly Module?: { readonly Path: string; readonly Main?: boolean };
}

/**
 * Go's graph is package-level, so Helios's file edges are folded to folders (importer file's
 * folder → imported file's folder, test files left out, as `go list` without `-test`) and
 * compared with the module-local `Imports` of every package `go list -deps -json ./...` reports.
 */
export function goParity(root: string, workspace: WorkspaceGraph): ParityResult {
  if (!toolAvailable('go-list')) return { tool: 'go-list', ran: false, reason: 'go is not installed' };
  const run = spawnSync('go', ['list', '-deps', '-json', './...'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) return { tool: 'go-list', ran: false, reason: run.stderr.trim().split('\n').pop() ?? 'failed' };
  const packages = JSON.parse(`[${run.stdout.replace(/}\s*{/g, '},{')}]`) as GoListPackage[];
  const local = new Map(packages.filter((p) => p.Module?.Main).map((p) => [p.ImportPath, path.relative(root, p.Dir).split(path.sep).join('/')]));
  const theirs: Record<string, string[]> = {};
  for (const p of packages) {
    const dir = local.get(p.ImportPath);
    if (dir === undefined) continue;
    theirs[dir] = [...new Set((p.Imports ?? []).map((i) => local.get(i)).filter((d): d is string => d !== undefined))].sort();
  }
  const ours = goPackageGraph(workspace);
  return { tool: 'go-list', ran: true, files: Object.keys(ours).length, toolEdges: count(theirs), heliosEdges: count(ours), agreement: compareEdges(ours, theirs) };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** One line for `bench graph`: what was compared, or why it could not be. */
export function formatParity(r: ParityResult): string {
  const label = r.tool === 'ast-oracle' ? 'Python vs ast oracle (not grimp)' : r.tool === 'grimp' ? 'Python vs grimp' : 'Go vs go list (packages)';
  if (!r.ran || !r.agreement) return `${label}: not run (${r.reason ?? 'unavailable'})`;
  const a = r.agreement;
  return `${label}: ${r.files} ${r.tool === 'go-list' ? 'packages' : 'files'}, ${r.toolEdges} edges theirs, ${r.heliosEdges} Helios · recall ${pct(a.recall)}, precision ${pct(a.precision)}` +
    (a.onlyA.length + a.onlyB.length > 0 ? ` · only Helios: ${a.onlyA.slice(0, 3).join('; ') || '-'} · only theirs: ${a.onlyB.slice(0, 3).join('; ') || '-'}` : '');
}

/**
 * The parity checks for `root`: Python (grimp where installed, and the ast oracle) when it has
 * `.py` files, Go (`go list` where installed) when it has `.go` files, or those asked for.
 */
export async function parityReport(root: string, ask: { python?: boolean; go?: boolean } = {}): Promise<ParityResult[]> {
  const files = await new NodeWorkspace(root).listFiles();
  const python = ask.python ?? files.some((f) => f.endsWith('.py'));
  const go = ask.go ?? files.some((f) => f.endsWith('.go'));
  if (!python && !go) return [];
  const { openWorkspaceGraph } = await import('./workspaceAnalysis');
  const { workspace } = await openWorkspaceGraph({ root });
  return [
    ...(python ? [pythonParity(root, workspace, 'grimp'), pythonParity(root, workspace, 'ast-oracle')] : []),
    ...(go ? [goParity(root, workspace)] : []),
  ];
}
