import type { ExportedSymbol } from '../analysis/graphTypes';
import { buildRepoMap } from '../analysis/repoMap';
import type { WorkspaceGraph } from '../analysis/workspaceGraph';
import { StructuralCompressor, type Compressor } from './compressor';
import { estimateTokens, type TokenEstimator } from './tokenEstimate';

/**
 * Minimal viable context for one task: the task's own files in full; for what they import, only
 * the declarations of the symbols used (signatures, no bodies); then repo-map lines to fill the
 * budget. The task's files are never dropped: when they alone exceed the budget the result says so.
 */
export interface ContextRequest {
  readonly task: string;
  readonly files: readonly string[];
  readonly budgetTokens: number;
  readonly estimate?: TokenEstimator;
  readonly compressor?: Compressor;
  readonly signal?: AbortSignal;
}

export interface ContextSection {
  readonly kind: 'task-file' | 'dependencies' | 'repo-map';
  readonly title: string;
  readonly text: string;
  readonly tokens: number;
}

export interface UsedSymbol {
  readonly importer: string;
  readonly specifier: string;
  readonly name: string;
  /** Where the declaration was found (after following re-exports), or undefined if not found. */
  readonly declaredIn: string | undefined;
}

export interface BuiltContext {
  readonly text: string;
  readonly sections: readonly ContextSection[];
  readonly tokens: number;
  readonly budgetTokens: number;
  readonly taskFileTokens: number;
  /** The task's files alone exceed the budget (they are still all included). */
  readonly taskFilesOverBudget: boolean;
  /** Task files that are not in the workspace graph (new files the task creates). */
  readonly missingFiles: readonly string[];
  readonly symbols: readonly UsedSymbol[];
  /** Dependency declarations before and after compression. */
  readonly compression: { readonly originalTokens: number; readonly compressedTokens: number; readonly compressor: string };
}

interface Declaration {
  readonly file: string;
  readonly symbol: ExportedSymbol;
}

/** Finds what `name` exported from `file` is declared as, following `export … from` chains. */
export async function findDeclarations(workspace: WorkspaceGraph, file: string, name: string, depth = 0, seen = new Set<string>()): Promise<Declaration[]> {
  const key = `${file}\0${name}`;
  if (depth > 8 || seen.has(key)) return [];
  seen.add(key);
  const exports = await workspace.exportsOf(file);
  const follow = async (sym: ExportedSymbol, imported: string): Promise<Declaration[]> => {
    const r = workspace.graph.resolver.resolve(sym.from!, file);
    return r.kind === 'local' ? findDeclarations(workspace, r.file, imported, depth + 1, seen) : [];
  };
  if (name === '*') {
    const all: Declaration[] = [];
    for (const sym of exports) {
      if (sym.kind !== 'reexport') all.push({ file, symbol: sym });
      else all.push(...(await follow(sym, sym.importedName === '*' ? '*' : sym.importedName ?? sym.name)));
    }
    return all;
  }
  const direct = exports.find((s) => s.name === name);
  if (direct && direct.kind !== 'reexport') return [{ file, symbol: direct }];
  if (direct) return follow(direct, direct.importedName ?? name);
  for (const star of exports.filter((s) => s.kind === 'reexport' && s.name === '*')) {
    const found = await follow(star, name);
    if (found.length > 0) return found;
  }
  return [];
}

/** Declarations the task files use from their local imports, grouped by declaring file. */
export async function usedDeclarations(workspace: WorkspaceGraph, taskFiles: readonly string[]): Promise<{ symbols: UsedSymbol[]; byFile: Map<string, ExportedSymbol[]> }> {
  const own = new Set(taskFiles);
  const symbols: UsedSymbol[] = [];
  const byFile = new Map<string, ExportedSymbol[]>();
  for (const file of taskFiles) {
    for (const edge of workspace.graph.dependencies(file, { external: false })) {
      for (const name of edge.names) {
        const decls = await findDeclarations(workspace, edge.to, name);
        if (name !== '*') symbols.push({ importer: file, specifier: edge.specifier, name, declaredIn: decls[0]?.file });
        for (const d of decls) {
          if (own.has(d.file)) continue;
          const list = byFile.get(d.file) ?? [];
          if (!list.some((s) => s.name === d.symbol.name)) list.push(d.symbol);
          byFile.set(d.file, list);
        }
      }
    }
  }
  return { symbols, byFile };
}

/** The fence's language and line-comment marker, by file extension (Python and Go come from tree-sitter scanners). */
function languageOf(file: string | undefined): { fence: string; comment: string } {
  if (file && /\.pyi?$/.test(file)) return { fence: 'python', comment: '#' };
  if (file?.endsWith('.go')) return { fence: 'go', comment: '//' };
  return { fence: 'ts', comment: '//' };
}

function fence(title: string, body: string, file: string | undefined = title): string {
  return `### ${title}\n\`\`\`${languageOf(file).fence}\n${body}\n\`\`\``;
}

export async function buildContext(workspace: WorkspaceGraph, request: ContextRequest): Promise<BuiltContext> {
  const estimate = request.estimate ?? estimateTokens;
  const compressor = request.compressor ?? new StructuralCompressor(estimate);
  const sections: ContextSection[] = [];
  const missingFiles: string[] = [];
  let used = 0;
  for (const file of request.files) {
    const text = workspace.graph.has(file) ? await workspace.text(file) : undefined;
    if (text === undefined) {
      missingFiles.push(file);
      continue;
    }
    const block = fence(file, text);
    const tokens = estimate(block);
    sections.push({ kind: 'task-file', title: file, text: block, tokens });
    used += tokens;
  }
  const taskFileTokens = used;
  const present = request.files.filter((f) => !missingFiles.includes(f));
  const { symbols, byFile } = await usedDeclarations(workspace, present);
  let originalTokens = 0;
  let compressedTokens = 0;
  const depBlocks: string[] = [];
  for (const [file, syms] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const raw = syms.map((s) => s.signature).join('\n\n');
    const c = compressor.compress({ text: raw, kind: 'code' });
    originalTokens += c.originalTokens;
    compressedTokens += c.compressedTokens;
    depBlocks.push(`${languageOf(file).comment} ${file}\n${c.text}`);
  }
  if (depBlocks.length > 0) {
    const block = fence('Declarations used from other files', depBlocks.join('\n\n'), [...byFile.keys()][0]);
    const tokens = estimate(block);
    sections.push({ kind: 'dependencies', title: 'dependencies', text: block, tokens });
    used += tokens;
  }
  const remaining = request.budgetTokens - used;
  if (remaining > 50) {
    const map = await buildRepoMap(workspace, {
      budgetTokens: remaining - 20, focusFiles: present, focusText: request.task,
      exclude: new Set([...present, ...byFile.keys()]), estimate, ...(request.signal ? { signal: request.signal } : {}),
    });
    if (map.files.length > 0) {
      const block = `### Repository map (ranked)\n${map.text}`;
      const tokens = estimate(block);
      sections.push({ kind: 'repo-map', title: 'repo map', text: block, tokens });
    }
  }
  const text = sections.map((s) => s.text).join('\n\n');
  return {
    text, sections, tokens: estimate(text), budgetTokens: request.budgetTokens, taskFileTokens,
    taskFilesOverBudget: taskFileTokens > request.budgetTokens, missingFiles, symbols,
    compression: { originalTokens, compressedTokens, compressor: compressor.name },
  };
}

/** What a naive selection would send: the task's files and every local file they import, in full. */
export async function fullFileContextTokens(workspace: WorkspaceGraph, files: readonly string[], estimate: TokenEstimator = estimateTokens): Promise<number> {
  const all = new Set(files.filter((f) => workspace.graph.has(f)));
  for (const f of [...all]) for (const e of workspace.graph.dependencies(f, { external: false })) all.add(e.to);
  let total = 0;
  for (const f of all) total += estimate(fence(f, (await workspace.text(f)) ?? ''));
  return total;
}
