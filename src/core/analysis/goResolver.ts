import type { Resolution } from './graphTypes';
import type { LanguageResolver } from './languageResolver';

/** The Go files the workspace has, by folder, and the modules (`go.mod`) they belong to. */
export interface GoPackageIndex {
  /** The module whose root holds `file`: its folder (root-relative, `''` for the root) and module path. */
  moduleOf(file: string): { readonly dir: string; readonly path: string } | undefined;
  /** Non-test `.go` files directly in `dir`, sorted. */
  packageFiles(dir: string): readonly string[];
}

/**
 * Go resolution: packages are folders. An import path inside the importer's module (`go.mod`'s
 * `module` line) names the folder under the module root, and is an edge to every non-test file of
 * that package: a change to any of them can break the importer. Package-level tools (`go list`)
 * see the same graph folded to folders. Other import paths (standard library, other modules)
 * are external leaves named by their import path.
 */
export function createGoResolver(index: GoPackageIndex): LanguageResolver {
  return {
    language: 'go',
    handles: (fromFile) => fromFile.endsWith('.go'),
    resolve: (specifier, fromFile, hasFile): Resolution => {
      const mod = index.moduleOf(fromFile);
      if (!mod || (specifier !== mod.path && !specifier.startsWith(`${mod.path}/`))) return { kind: 'external', pkg: specifier };
      const dir = [mod.dir, specifier.slice(mod.path.length + 1)].filter((p) => p !== '').join('/');
      const files = index.packageFiles(dir).filter(hasFile);
      return files.length === 0 ? { kind: 'unresolved' } : { kind: 'local', file: files[0]!, files };
    },
  };
}
