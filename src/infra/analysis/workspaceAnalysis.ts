import type { BuildProgress } from '../../core/analysis/graphTypes';
import { WorkspaceGraph, type BuildStats } from '../../core/analysis/workspaceGraph';
import { GraphCacheFile } from './graphCacheFile';
import { lazyTsScanner, parserLoad } from './lazyTsScanner';
import { NodeWorkspace } from './nodeWorkspace';
import { createGoResolver } from '../../core/analysis/goResolver';
import { LANGUAGE_RESOLVERS } from '../../core/analysis/languageResolver';
import { polyglotScanner, TreeSitterWorkspace } from './treeSitterWorkspace';
import { cachedResolverOptions } from './tsconfigPaths';

export interface OpenGraphOptions {
  readonly root: string;
  /** Where the graph cache lives (workspace storage); no cache when absent. */
  readonly cacheDir?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildProgress) => void;
  readonly onCorruptCache?: (error: string) => void;
}

export interface OpenGraph {
  readonly workspace: WorkspaceGraph;
  readonly source: NodeWorkspace;
  readonly stats: BuildStats;
  readonly configFile: string | undefined;
  /** Where a first build's time went besides `stats`: reading tsconfig, and loading TypeScript (0 when not needed or loaded before). */
  readonly firstBuild: { readonly configMs: number; readonly configFromCache: boolean; readonly parserLoadMs: number };
}

/**
 * The one entry point to the ts-morph side of analysis. Callers in the extension reach it with a
 * dynamic `import()`, so TypeScript's parser is loaded on first use, never at activation; and
 * within it, only when a file or the tsconfig must be parsed (not on a reopened workspace whose
 * cache matches).
 */
export async function openWorkspaceGraph(options: OpenGraphOptions): Promise<OpenGraph> {
  const source = new NodeWorkspace(options.root);
  const polyglot = new TreeSitterWorkspace(source, options.root);
  const t0 = performance.now();
  const parserBefore = parserLoad();
  const { configFile, inputs: _inputs, fromCache, ...resolver } = await cachedResolverOptions(options.root, options.cacheDir);
  const configMs = performance.now() - t0;
  const { workspace, stats } = await WorkspaceGraph.build({
    // Python and Go files go to tree-sitter, loaded only when the workspace has such files.
    source: polyglot,
    scanner: polyglotScanner(lazyTsScanner),
    resolver: { ...resolver, languages: [...LANGUAGE_RESOLVERS, createGoResolver(polyglot)] },
    ...(options.cacheDir ? { cache: new GraphCacheFile(options.cacheDir, options.onCorruptCache) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const parserLoadMs = parserBefore.loaded ? 0 : parserLoad().ms;
  return { workspace, source, stats, configFile, firstBuild: { configMs, configFromCache: fromCache, parserLoadMs } };
}
