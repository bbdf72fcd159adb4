import { collapseWhitespace } from '../context/compressor';
import { estimateTokens, type TokenEstimator } from '../context/tokenEstimate';
import { pageRank } from './pageRank';
import { taskIdentifiers, taskTerms } from './taskFiles';
import type { WorkspaceGraph } from './workspaceGraph';
import { LRUCache } from 'lru-cache';

export interface RepoMapOptions {
  readonly budgetTokens: number;
  /** Files the ranking is personalized toward (the task's files). */
  readonly focusFiles?: readonly string[];
  /** Task text: files exporting its identifiers or matching its words get teleport weight too. */
  readonly focusText?: string;
  /** Files never rendered (already in the context in full). */
  readonly exclude?: ReadonlySet<string>;
  readonly estimate?: TokenEstimator;
  readonly signal?: AbortSignal;
}

export interface RepoMap {
  readonly text: string;
  readonly tokens: number;
  readonly files: readonly string[];
  /** Ranked files that did not fit the budget. */
  readonly omitted: number;
}

const MAX_SIGNATURE_CHARS = 240;

/** Rendered signatures by source text: a repo map per task renders the same exports again and again. */
const rendered = new LRUCache<string, string>({ max: 20_000 });

/**
 * One symbol per line (or a few for a class), extra space removed, long ones cut. Comments are
 * already out: the scanner strips them (`ExportedSymbol.signature`), since only it can read the language.
 */
export function renderSignature(signature: string): string {
  const hit = rendered.get(signature);
  if (hit !== undefined) return hit;
  const text = collapseWhitespace(signature).replace(/\n\s*/g, ' ');
  const out = text.length <= MAX_SIGNATURE_CHARS ? text : `${text.slice(0, MAX_SIGNATURE_CHARS)}…`;
  rendered.set(signature, out);
  return out;
}

/**
 * Aider-style repo map: files ranked by personalized PageRank over the import graph, each
 * rendered as its exported signatures, added whole in rank order until the budget is spent.
 */
export async function buildRepoMap(workspace: WorkspaceGraph, options: RepoMapOptions): Promise<RepoMap> {
  const estimate = options.estimate ?? estimateTokens;
  const graph = workspace.graph;
  const files = graph.files().sort();
  const personalization = new Map<string, number>();
  for (const f of options.focusFiles ?? []) personalization.set(f, 10);
  if (options.focusText) {
    const terms = new Set(taskTerms(options.focusText));
    const identifiers = taskIdentifiers(options.focusText);
    for (const f of files) {
      let w = 0;
      for (const s of await workspace.exportsOf(f)) if (identifiers.has(s.name)) w += 3;
      for (const part of f.toLowerCase().split(/[^a-z0-9]+/)) if (terms.has(part)) w += 1;
      if (w > 0) personalization.set(f, (personalization.get(f) ?? 0) + w);
    }
  }
  const ranks = pageRank(files, (f) => graph.dependencies(f, { external: false }).map((e) => e.to), { personalization });
  const ordered = files.filter((f) => !options.exclude?.has(f)).sort((a, b) => ranks.get(b)! - ranks.get(a)! || a.localeCompare(b));
  const blocks: string[] = [];
  const shown: string[] = [];
  let used = 0;
  for (const [i, file] of ordered.entries()) {
    if (options.signal?.aborted) break;
    const symbols = (await workspace.exportsOf(file)).filter((s) => s.kind !== 'reexport');
    const block = [`${file}:`, ...symbols.map((s) => `  ${renderSignature(s.signature)}`)].join('\n');
    const cost = estimate(block) + 1;
    if (used + cost > options.budgetTokens) {
      if (estimate(file) + 1 > options.budgetTokens - used) return { text: blocks.join('\n'), tokens: used, files: shown, omitted: ordered.length - i };
      continue;
    }
    blocks.push(block);
    shown.push(file);
    used += cost;
  }
  return { text: blocks.join('\n'), tokens: used, files: shown, omitted: ordered.length - shown.length };
}
