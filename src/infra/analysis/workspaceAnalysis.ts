import type { BuildProgress } from '../../core/analysis/graphTypes';
import { WorkspaceGraph, type BuildStats } from '../../core/analysis/workspaceGraph';
import { GraphCacheFile } from './graphCacheFile';
import { NodeWorkspace } from './nodeWorkspace';
import { readResolverOptions } from './tsconfigPaths';
import { tsScanner } from './tsScanner';

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
}

/**
 * The one entry point to the ts-morph side of analysis. Callers in the extension reach it with a
 * dynamic `import()`, so TypeScript's parser is loaded on first use, never at activation.
 */
export async function openWorkspaceGraph(options: OpenGraphOptions): Promise<OpenGraph> {
  const source = new NodeWorkspace(options.root);
  const { configFile, ...resolver } = readResolverOptions(options.root);
  const { workspace, stats } = await WorkspaceGraph.build({
    source,
    scanner: tsScanner,
    resolver,
    ...(options.cacheDir ? { cache: new GraphCacheFile(options.cacheDir, options.onCorruptCache) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { workspace, source, stats, configFile };
}
