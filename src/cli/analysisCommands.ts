import { stat } from 'node:fs/promises';
import path from 'node:path';
import { likelyFiles } from '../core/analysis/taskFiles';
import { buildContext } from '../core/context/contextBuilder';
import { intFlag, parseFlags } from './cliArgs';
import { directoryProblem } from './cliErrors';

/**
 * `helios graph`, `helios context` and `helios bench graph`. The ts-morph side is imported on
 * first use, like in the extension, so other commands never load TypeScript's parser.
 */
export interface AnalysisCliCommand {
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

type Write = (text: string) => void;
const out: Write = (t) => process.stdout.write(t);
const err: Write = (t) => process.stderr.write(t);

async function openGraph(dir: string, cacheDir: string | undefined) {
  const { openWorkspaceGraph } = await import('../infra/analysis/workspaceAnalysis');
  return openWorkspaceGraph({ root: path.resolve(dir), ...(cacheDir ? { cacheDir: path.resolve(cacheDir) } : {}) });
}

export async function runGraph(argv: string[], write: Write = out, log: Write = err): Promise<number> {
  const { values, positionals } = parseFlags('graph', {
    args: argv, allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'no-external': { type: 'boolean', default: false }, cache: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) return usage('graph needs a directory', log);
  if (await refusedFolder(dir, log)) return 2;
  const { workspace, stats } = await openGraph(dir, values.cache);
  if (values.cache) await workspace.save();
  const adjacency = workspace.graph.adjacency({ external: !values['no-external'] });
  const edges = Object.values(adjacency).reduce((a, v) => a + v.length, 0);
  const timing = `${stats.files} files (${stats.parsed} parsed, ${stats.reused} from cache), ${edges} edges in ${stats.totalMs.toFixed(0)} ms (list ${stats.listMs.toFixed(0)}, scan ${stats.scanMs.toFixed(0)}, resolve ${stats.resolveMs.toFixed(0)})`;
  if (values.json) {
    // stdout stays madge-shaped ({ file: [deps] }); timings go to stderr.
    write(`${JSON.stringify(adjacency, null, 2)}\n`);
    log(`${JSON.stringify({ timings: stats })}\n`);
    return 0;
  }
  for (const [file, deps] of Object.entries(adjacency)) write(`${file}\n${deps.map((d) => `  → ${d}`).join('\n')}${deps.length ? '\n' : ''}`);
  const cycles = workspace.graph.cycles();
  write(`\n${timing}; ${cycles.length} import cycle(s)\n`);
  return 0;
}

export async function runContext(argv: string[], write: Write = out, log: Write = err): Promise<number> {
  const { values, positionals } = parseFlags('context', {
    args: argv, allowPositionals: true,
    options: { task: { type: 'string' }, files: { type: 'string' }, budget: { type: 'string', default: '8000' }, json: { type: 'boolean', default: false }, cache: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir || !values.task) return usage('context needs a directory and --task', log);
  if (await refusedFolder(dir, log)) return 2;
  const { workspace } = await openGraph(dir, values.cache);
  let files = (values.files ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  if (files.length === 0) {
    files = (await likelyFiles(workspace, { text: values.task }, 3)).map((c) => c.file);
    log(`No --files: using the likeliest files ${files.join(', ') || '(none)'}\n`);
  }
  const budget = Number(values.budget);
  if (!Number.isFinite(budget) || budget <= 0) return usage('--budget must be a positive number of tokens', log);
  const context = await buildContext(workspace, { task: values.task, files, budgetTokens: budget });
  if (values.json) {
    write(`${JSON.stringify({ ...context, text: undefined, sections: context.sections.map(({ text: _t, ...s }) => s), context: context.text }, null, 2)}\n`);
  } else {
    write(`${context.text}\n\n`);
    write(`context: ${context.tokens} tokens of ${budget} (task files ${context.taskFileTokens}; declarations ${context.compression.originalTokens} → ${context.compression.compressedTokens} by ${context.compression.compressor})\n`);
  }
  if (context.taskFilesOverBudget) log(`The task's own files alone take ${context.taskFileTokens} tokens, over the ${budget}-token budget; they were kept whole.\n`);
  if (context.missingFiles.length > 0) log(`Not in the workspace (new files?): ${context.missingFiles.join(', ')}\n`);
  return 0;
}

export async function runBench(argv: string[], write: Write = out, log: Write = err): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'graph') return usage("bench supports 'graph'", log);
  const { values, positionals } = parseFlags('bench graph', {
    args: rest, allowPositionals: true,
    options: { runs: { type: 'string', default: '3' }, updates: { type: 'string', default: '20' }, madge: { type: 'boolean', default: false }, 'python-parity': { type: 'boolean' }, 'go-parity': { type: 'boolean' }, json: { type: 'boolean', default: false }, baseline: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) return usage('bench graph needs a directory', log);
  if (await refusedFolder(dir, log)) return 2;
  const { benchGraph, findMadgeCli } = await import('../infra/analysis/graphBench');
  const { findAnalysisBundle, formatFirstBuild } = await import('../infra/analysis/firstBuildBench');
  const madgeCli = values.madge ? findMadgeCli(process.cwd()) : undefined;
  if (values.madge && !madgeCli) log('madge is not installed here; timing Helios alone.\n');
  const bundle = findAnalysisBundle();
  if (!bundle) log('No dist/analysis.js (run `node esbuild.mjs`): the first-build breakdown is skipped.\n');
  const baseline = values.baseline ? path.resolve(values.baseline) : undefined;
  if (baseline && !(await isFile(baseline))) return usage(`--baseline ${values.baseline} is not an analysis bundle file`, log);
  const runs = intFlag('--runs', values.runs, { min: 1, max: 1_000, default: 3 });
  const r = await benchGraph(path.resolve(dir), {
    runs, updates: intFlag('--updates', values.updates, { min: 1, max: 100_000, default: 20 }), ...(madgeCli ? { madgeCli } : {}),
    ...(bundle ? { firstBuild: { bundle, ...(baseline ? { baseline } : {}), runs: Math.min(runs, 2) } } : {}),
  });
  if (values.json) {
    write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  write(`${r.files} files, ${r.localEdges} local edges\nload ${r.loadMs.toFixed(0)} ms · cold build ${r.coldMs.toFixed(0)} ms · warm (cache) ${r.warmMs.toFixed(0)} ms · update median ${r.updateMedianMs.toFixed(2)} ms, max ${r.updateMaxMs.toFixed(2)} ms\n`);
  if (r.madge) {
    write(`madge ${r.madge.ms.toFixed(0)} ms · ratio ×${r.madge.ratio.toFixed(1)} · edges: recall ${(r.madge.agreement.recall * 100).toFixed(2)} %, precision ${(r.madge.agreement.precision * 100).toFixed(2)} %\n`);
  }
  if (r.firstBuild) {
    write('first build in a fresh process (the faster of the runs, ms):\n');
    for (const [name, fb] of [['', r.firstBuild.current], ['baseline ', r.firstBuild.baseline]] as const) {
      if (!fb) continue;
      write(`  ${formatFirstBuild(`${name}new workspace`, fb.fresh)}\n  ${formatFirstBuild(`${name}reopened (cache)`, fb.reopened)}\n`);
    }
  }
  // Python against grimp (and the ast oracle), Go against `go list`, where installed; automatic when the folder has such files.
  const { formatParity, parityReport } = await import('../infra/analysis/treeSitterParity');
  const ask = { ...(values['python-parity'] !== undefined ? { python: values['python-parity'] } : {}), ...(values['go-parity'] !== undefined ? { go: values['go-parity'] } : {}) };
  for (const p of await parityReport(path.resolve(dir), ask)) write(`${formatParity(p)}\n`);
  return 0;
}

function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

/** A missing path or a file would analyse as "0 files" and look like success: say which it is instead. */
async function refusedFolder(dir: string, log: Write): Promise<boolean> {
  const problem = await directoryProblem(dir);
  if (problem) log(`helios: ${problem}\n`);
  return problem !== undefined;
}

function usage(message: string, log: Write): number {
  log(`helios: ${message}\n\nUsage:\n${Object.values(analysisCommands).map((c) => `  helios ${c.usage}`).join('\n')}\n`);
  return 2;
}

export const analysisCommands: Record<string, AnalysisCliCommand> = {
  graph: { usage: 'graph <dir> [--json] [--no-external] [--cache DIR]', run: (argv) => runGraph(argv) },
  context: { usage: 'context <dir> --task "<text>" [--files a,b] [--budget N] [--json] [--cache DIR]', run: (argv) => runContext(argv) },
  bench: { usage: 'bench graph <dir> [--madge] [--python-parity] [--go-parity] [--runs N] [--updates N] [--baseline dist/analysis.js of an earlier build] [--json]', run: (argv) => runBench(argv) },
};
