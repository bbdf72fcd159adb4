import type { Resolution } from './graphTypes';

/**
 * Python import resolution against the known file set, following grimp's semantics (what
 * import-linter uses) so the two graphs can be compared edge for edge:
 *
 * - `import a.b.c` is an edge to `a.b.c` only (`a/b/c.py` or `a/b/c/__init__.py`), not to `a` and `a.b`;
 * - `from X import n` is an edge to the submodule `X.n` when it exists, else to `X` (its
 *   `__init__.py` for a package): the name is then an attribute of `X`;
 * - relative imports count dots from the importer's package (an `__init__.py` is its own package);
 * - absolute names are looked up under each source root: the workspace root, then `src/`.
 *
 * Specifiers are written by the Python scanner: `a.b.c` for `import a.b.c`, `X:n` for
 * `from X import n` (`X` may be `.`, `..a`), `X:*` for a star import.
 */
export const PYTHON_SOURCE_ROOTS: readonly string[] = ['', 'src'];

/** `a/b` → `a/b/__init__.py` (a regular package wins, as in CPython's finder) or `a/b.py`. */
function moduleFile(base: string, hasFile: (file: string) => boolean): string | undefined {
  if (base === '') return hasFile('__init__.py') ? '__init__.py' : undefined;
  for (const candidate of [`${base}/__init__.py`, `${base}.py`, `${base}/__init__.pyi`, `${base}.pyi`]) if (hasFile(candidate)) return candidate;
  return undefined;
}

/**
 * An answer a new file could change (`from X import n` landing on X until `X/n.py` appears): given
 * as a file set, so the graph re-links the importer when files are added.
 */
function fallback(file: string, sub: string | undefined): Resolution {
  return sub === undefined ? { kind: 'local', file } : { kind: 'local', file, files: [file] };
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export function parsePythonSpecifier(specifier: string): { module: string; name: string | undefined } {
  const colon = specifier.lastIndexOf(':');
  return colon < 0 ? { module: specifier, name: undefined } : { module: specifier.slice(0, colon), name: specifier.slice(colon + 1) };
}

export function resolvePythonImport(specifier: string, fromFile: string, hasFile: (file: string) => boolean, roots: readonly string[] = PYTHON_SOURCE_ROOTS): Resolution {
  const { module, name } = parsePythonSpecifier(specifier);
  const dots = /^\.*/.exec(module)![0].length;
  const rest = module.slice(dots).split('.').filter((s) => s !== '').join('/');
  const sub = name !== undefined && name !== '*' ? name : undefined;
  if (dots > 0) {
    const dir = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/')) : '';
    const segments = dir === '' ? [] : dir.split('/');
    if (dots - 1 > segments.length) return { kind: 'unresolved' };
    const base = join(segments.slice(0, segments.length - (dots - 1)).join('/'), rest);
    const asModule = sub !== undefined ? moduleFile(join(base, sub), hasFile) : undefined;
    if (asModule) return { kind: 'local', file: asModule };
    const file = moduleFile(base, hasFile);
    return file ? fallback(file, sub) : { kind: 'unresolved' };
  }
  const parts = rest.split('/');
  let local = false;
  for (const root of roots) {
    if (sub !== undefined) {
      const file = moduleFile(join(root, rest, sub), hasFile);
      if (file) return { kind: 'local', file };
    }
    const file = moduleFile(join(root, rest), hasFile);
    if (file) return fallback(file, sub);
    if (moduleFile(join(root, parts[0]!), hasFile)) local = true;
  }
  if (!local) return { kind: 'external', pkg: parts[0] ?? module };
  // A local top-level package with no such module: the nearest enclosing module that exists.
  for (let n = parts.length - 1; n > 0; n--) {
    for (const root of roots) {
      const file = moduleFile(join(root, parts.slice(0, n).join('/')), hasFile);
      if (file) return fallback(file, '');
    }
  }
  return { kind: 'unresolved' };
}

/** `src/pkg/a/__init__.py` → `pkg.a`; `pkg/b.py` → `pkg.b` (the dotted name grimp reports). */
export function pythonModuleName(file: string, roots: readonly string[] = PYTHON_SOURCE_ROOTS): string {
  let rel = file;
  for (const root of [...roots].sort((a, b) => b.length - a.length)) {
    if (root !== '' && file.startsWith(`${root}/`)) {
      rel = file.slice(root.length + 1);
      break;
    }
  }
  return rel.replace(/\.pyi?$/, '').replace(/\/__init__$/, '').replace(/^__init__$/, '').split('/').join('.');
}
