import { createRequire } from 'node:module';
import path from 'node:path';
import type * as WorkspaceAnalysis from '../../infra/analysis/workspaceAnalysis';

/**
 * Loads the ts-morph side of analysis on first use. It is its own bundle, `dist/analysis.js`
 * (an esbuild entry beside `extension.js`), not a dynamic import inside `extension.js`: bundled
 * in, TypeScript's 14 MB would be parsed at every activation even though it is never run
 * (measured: +360 ms to `require` the bundle).
 */
export function loadAnalysis(): Promise<typeof WorkspaceAnalysis> {
  const load = createRequire(__filename);
  return Promise.resolve(load(path.join(__dirname, 'analysis.js')) as typeof WorkspaceAnalysis);
}
