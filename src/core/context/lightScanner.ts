import type { ExportedSymbol, ImportRecord, SourceScanner, SymbolKind } from '../analysis/graphTypes';
import { WorkspaceGraph } from '../analysis/workspaceGraph';

/**
 * A dependency-free scanner for small in-memory workspaces (the workflow benchmark, tests): regular
 * expressions over comment-stripped text, no TypeScript parser. It reads static `import`/`export … from`
 * statements, `import()`/`require()` with a literal, and top-level `export` declarations. Bodies are
 * cut at the first `{` of a function or class, initializers after 120 characters. The real
 * workspace uses the TypeScript-based scanner in infra; this one trades exactness for no load cost.
 */
const CODE = /\.[cm]?[jt]sx?$/;
const IMPORT_FROM = /^[ \t]*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*['"]([^'"\n]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\b(import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;
const DECL = /^export\s+(default\s+)?(declare\s+)?(async\s+)?(abstract\s+)?(function\*?|class|interface|type|enum|const\s+enum|const|let|var|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const LOCAL_EXPORT = /^[ \t]*export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)\s*;?/gm;
const LONG_INITIALIZER = 120;

/** Comments out, strings and line structure kept (offsets stay meaningful for line starts). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:\\'"`])\/\/[^\n]*/g, (m, pre: string | undefined) => (m.startsWith('/*') ? m.replace(/[^\n]/g, ' ') : `${pre ?? ''}`));
}

function namesOf(clause: string): { names: string[]; allTypes: boolean } {
  const names: string[] = [];
  let typed = 0;
  let count = 0;
  const braces = /\{([\s\S]*)\}/.exec(clause);
  const outside = clause.replace(/\{[\s\S]*\}/, '').replace(/,/g, ' ').trim();
  if (/^\*\s*as\s+\w+/.test(outside) || outside === '*') names.push('*');
  else if (/^[A-Za-z_$][\w$]*/.test(outside)) names.push('default');
  if (/\*\s*as\s+\w+/.test(outside) && !names.includes('*')) names.push('*');
  if (braces) {
    for (const raw of braces[1]!.split(',')) {
      const part = raw.trim();
      if (!part) continue;
      count++;
      const isType = /^type\s+/.test(part);
      if (isType) typed++;
      const name = part.replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim();
      if (name) names.push(name);
    }
  }
  return { names, allTypes: count > 0 && typed === count && names.length === count };
}

export function scanImportsLight(file: string, text: string): ImportRecord[] {
  if (!CODE.test(file)) return [];
  const src = stripComments(text);
  const out: ImportRecord[] = [];
  for (const m of src.matchAll(IMPORT_FROM)) {
    const kind = m[1] === 'import' ? 'import' : 'reexport';
    const { names, allTypes } = namesOf(m[3]!);
    out.push({ specifier: m[4]!, kind, typeOnly: Boolean(m[2]) || allTypes, names });
  }
  for (const m of src.matchAll(SIDE_EFFECT)) out.push({ specifier: m[1]!, kind: 'import', typeOnly: false, names: [] });
  for (const m of src.matchAll(DYNAMIC)) out.push({ specifier: m[2]!, kind: m[1] === 'import' ? 'dynamic' : 'require', typeOnly: false, names: ['*'] });
  return out;
}

function kindOf(keyword: string): SymbolKind {
  if (keyword.startsWith('function')) return 'function';
  if (keyword === 'const enum') return 'enum';
  if (keyword === 'const' || keyword === 'let' || keyword === 'var') return 'variable';
  return keyword as SymbolKind;
}

/** The declaration's head: up to the body's `{` for functions and classes, the whole of a type-like declaration. */
function signatureAt(src: string, start: number, kind: SymbolKind): string {
  if (kind === 'interface' || kind === 'enum' || kind === 'namespace') {
    const open = src.indexOf('{', start);
    return open < 0 ? src.slice(start, statementEnd(src, start)).trim() : src.slice(start, matchBrace(src, open) + 1).trim();
  }
  if (kind === 'type') return src.slice(start, statementEnd(src, start)).trim();
  if (kind === 'variable') {
    const s = src.slice(start, statementEnd(src, start)).trim();
    return s.length > LONG_INITIALIZER ? `${s.slice(0, LONG_INITIALIZER)}…` : s;
  }
  // function or class: up to the `{` that opens the body (after the parameter list's parentheses).
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === '(' || c === '<') depth++;
    else if (c === ')' || c === '>') depth = Math.max(0, depth - 1);
    else if (c === '{' && depth === 0) return `${src.slice(start, i).trim()};`;
    else if (c === ';' && depth === 0) return src.slice(start, i + 1).trim();
  }
  return src.slice(start).trim();
}

function matchBrace(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i;
  }
  return src.length - 1;
}

function statementEnd(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === ';' || (c === '\n' && /^\n\s*(export|import|function|class|const|let|var|interface|type)\b/.test(src.slice(i, i + 20))))) return c === ';' ? i + 1 : i;
  }
  return src.length;
}

export function scanExportsLight(file: string, text: string): ExportedSymbol[] {
  if (!CODE.test(file)) return [];
  const src = stripComments(text);
  const out: ExportedSymbol[] = [];
  for (const m of src.matchAll(DECL)) {
    const kind = kindOf(m[5]!.replace(/\*$/, ''));
    out.push({ name: m[1] ? 'default' : m[6]!, kind, signature: signatureAt(src, m.index, kind) });
  }
  for (const m of src.matchAll(LOCAL_EXPORT)) {
    for (const raw of m[1]!.split(',')) {
      const part = raw.trim().replace(/^type\s+/, '');
      if (!part) continue;
      const [local, name] = part.split(/\s+as\s+/).map((x) => x.trim());
      const decl = new RegExp(`^(?:declare\\s+)?(?:async\\s+)?(function\\*?|class|interface|type|enum|const|let|var)\\s+${local!.replace(/\$/g, '\\$')}\\b`, 'm').exec(src);
      const kind = decl ? kindOf(decl[1]!.replace(/\*$/, '')) : 'variable';
      out.push({ name: name ?? local!, kind, signature: decl ? signatureAt(src, decl.index, kind) : `export { ${part} };` });
    }
  }
  for (const m of src.matchAll(IMPORT_FROM)) {
    if (m[1] !== 'export') continue;
    const clause = m[3]!.trim();
    if (clause.startsWith('*')) {
      const ns = /^\*\s*as\s+([\w$]+)/.exec(clause);
      out.push({ name: ns ? ns[1]! : '*', kind: 'reexport', signature: m[0].trim(), from: m[4]!, importedName: '*' });
      continue;
    }
    for (const raw of (/\{([\s\S]*)\}/.exec(clause)?.[1] ?? '').split(',')) {
      const part = raw.trim().replace(/^type\s+/, '');
      if (!part) continue;
      const [imported, local] = part.split(/\s+as\s+/).map((s) => s.trim());
      out.push({ name: local ?? imported!, kind: 'reexport', signature: m[0].trim(), from: m[4]!, importedName: imported! });
    }
  }
  return out;
}

export const lightScanner: SourceScanner & { readonly version: string } = { version: 'light-1', scanImports: scanImportsLight, scanExports: scanExportsLight };

/** A dependency graph over files held in memory (every file is listed; only code files have edges). */
export async function buildMemoryGraph(files: ReadonlyMap<string, string>): Promise<WorkspaceGraph> {
  const { workspace } = await WorkspaceGraph.build({
    source: { listFiles: () => Promise.resolve([...files.keys()].sort()), readFile: (f) => Promise.resolve(files.get(f)) },
    scanner: lightScanner,
  });
  return workspace;
}
