/**
 * The data the dependency graph is made of. Files are named by their POSIX path relative to the
 * workspace root (`src/a.ts`); external packages by their package name (`react`, `@scope/pkg`).
 */

/** How a module refers to another. `reexport` is `export … from`; `importEquals` is `import x = require('…')`. */
export type ImportKind = 'import' | 'reexport' | 'dynamic' | 'require' | 'importEquals';

export interface ImportRecord {
  readonly specifier: string;
  readonly kind: ImportKind;
  /** `import type …`, `export type … from`, or every named binding marked `type`. */
  readonly typeOnly: boolean;
  /**
   * The names the importer uses from the module: `default`, named bindings by their exported name,
   * `*` for a namespace import, `export *` or an untyped `require`/`import()`. Empty for a side-effect import.
   */
  readonly names: readonly string[];
}

export type SymbolKind = 'function' | 'class' | 'interface' | 'type' | 'enum' | 'variable' | 'namespace' | 'reexport';

export interface ExportedSymbol {
  /** The exported name (`default` for a default export). */
  readonly name: string;
  readonly kind: SymbolKind;
  /** The declaration without bodies, as it reads in the source (comments stripped). */
  readonly signature: string;
  /** For `reexport`: the module specifier, and the name in that module (`*` for `export *`). */
  readonly from?: string;
  readonly importedName?: string;
}

/** What one file contributes, keyed by the hash of its content so an unchanged file is never re-parsed. */
export interface FileRecord {
  readonly hash: string;
  readonly imports: readonly ImportRecord[];
  /** Filled lazily: building the graph needs imports only. */
  exports?: readonly ExportedSymbol[];
}

export type Resolution =
  /**
   * `files`: every file the import reaches (a Go package's files), `file` being the first; set also
   * when a file added later could change the answer, so the graph re-links the importer.
   */
  | { readonly kind: 'local'; readonly file: string; readonly files?: readonly string[] }
  | { readonly kind: 'external'; readonly pkg: string }
  | { readonly kind: 'unresolved' };

export interface GraphEdge {
  readonly from: string;
  /** A local file or a package name. */
  readonly to: string;
  readonly external: boolean;
  readonly kind: ImportKind;
  readonly typeOnly: boolean;
  readonly specifier: string;
  readonly names: readonly string[];
}

/** Parses source text. The implementation lives in infra (TypeScript's parser, no type checker). */
export interface SourceScanner {
  scanImports(file: string, text: string): ImportRecord[];
  scanExports(file: string, text: string): ExportedSymbol[];
}

/** Progress of a long build, for a progress notification or a CLI line. */
export interface BuildProgress {
  readonly phase: 'list' | 'scan' | 'resolve';
  readonly done: number;
  readonly total: number;
}
