import type { ExportedSymbol, ImportRecord, SourceScanner } from '../../core/analysis/graphTypes';
import { version as tsMorphVersion } from '@ts-morph/common/package.json';
import type * as TsScanner from './tsScanner';

/**
 * The scanner the workspace graph uses, with TypeScript loaded on the first file that must be
 * parsed, not when the module is. A reopened workspace whose files all match the persisted cache
 * parses nothing, so it never evaluates TypeScript (~0.6–1 s in a fresh process, most of a first
 * build). The version names the release of @ts-morph/common (which fixes the TypeScript it bundles) so
 * it is known without loading TypeScript; `-3` is the record format (`-2`: signatures without comments).
 */
export const TS_SCANNER_VERSION = `ts-morph-common${tsMorphVersion}-3`;

let loaded: typeof TsScanner | undefined;
let loadMs = 0;

function parser(): typeof TsScanner {
  if (!loaded) {
    const t = performance.now();
    // A synchronous require, so the bundle evaluates TypeScript here and only here (esbuild keeps
    // the module lazy); scanning stays synchronous for the graph's `update`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('./tsScanner') as typeof TsScanner;
    loadMs = performance.now() - t;
  }
  return loaded;
}

/** Whether TypeScript has been loaded in this process by the scanner, and what that took. */
export function parserLoad(): { readonly loaded: boolean; readonly ms: number } {
  return { loaded: loaded !== undefined, ms: loadMs };
}

export const lazyTsScanner: SourceScanner & { readonly version: string } = {
  version: TS_SCANNER_VERSION,
  scanImports: (file: string, text: string): ImportRecord[] => parser().scanImportsFast(file, text),
  scanExports: (file: string, text: string): ExportedSymbol[] => parser().scanExports(file, text),
};
