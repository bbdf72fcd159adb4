import type { ExportedSymbol, ImportRecord } from '../../core/analysis/graphTypes';
import { withTree, type SyntaxNode } from './treeSitter';

/**
 * Python imports and top-level signatures from tree-sitter's Python grammar. Imports are found
 * anywhere in the file (inside functions and `if TYPE_CHECKING:` too, as grimp counts them);
 * the latter are flagged type-only. Specifiers use the form `pythonResolver.ts` reads.
 */
function isTypeChecking(node: SyntaxNode): boolean {
  for (let at = node.parent; at; at = at.parent) {
    if (at.type === 'if_statement' && /\bTYPE_CHECKING\b/.test(at.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

function importedName(node: SyntaxNode): { name: string; alias: string } {
  if (node.type === 'aliased_import') {
    const name = node.childForFieldName('name')?.text ?? '';
    return { name, alias: node.childForFieldName('alias')?.text ?? name };
  }
  return { name: node.text, alias: node.text };
}

function fromImport(node: SyntaxNode): { module: string; names: Array<{ name: string; alias: string }> } {
  const module = (node.childForFieldName('module_name')?.text ?? '').replace(/\s+/g, '');
  const star = node.namedChildren.some((c) => c?.type === 'wildcard_import');
  const names = star ? [{ name: '*', alias: '*' }] : node.childrenForFieldName('name').map((n) => importedName(n));
  return { module, names };
}

export function scanPythonImports(text: string): ImportRecord[] {
  return (
    withTree('python', text, (root) => {
      const out: ImportRecord[] = [];
      for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
        if (!node) continue;
        const typeOnly = isTypeChecking(node);
        if (node.type === 'import_statement') {
          for (const n of node.childrenForFieldName('name')) out.push({ specifier: importedName(n).name, kind: 'import', typeOnly, names: ['*'] });
          continue;
        }
        const { module, names } = fromImport(node);
        for (const n of names) out.push({ specifier: `${module}:${n.name}`, kind: 'import', typeOnly, names: [n.name] });
      }
      return out;
    }) ?? []
  );
}

const BODY_PLACEHOLDER = ' ...';

/** The header of a `def`/`class` (decorators included), up to and including its colon. */
function header(node: SyntaxNode, def: SyntaxNode): string {
  const body = def.childForFieldName('body');
  const full = node.text;
  if (!body) return full.trim();
  const cut = full.length - (node.endIndex - body.startIndex);
  return full.slice(0, Math.max(0, cut)).trimEnd();
}

function definitionOf(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'decorated_definition') return node.childForFieldName('definition') ?? undefined;
  return node.type === 'function_definition' || node.type === 'class_definition' ? node : undefined;
}

function classSignature(node: SyntaxNode, def: SyntaxNode): string {
  const lines = [header(node, def)];
  for (const member of def.childForFieldName('body')?.namedChildren ?? []) {
    if (!member) continue;
    const inner = definitionOf(member);
    if (inner?.type === 'function_definition') {
      const name = inner.childForFieldName('name')?.text ?? '';
      if (name.startsWith('_') && !(name.startsWith('__') && name.endsWith('__'))) continue;
      lines.push(`    ${header(member, inner).replace(/\n\s*/g, ' ')}${BODY_PLACEHOLDER}`);
    } else if (member.type === 'expression_statement') {
      const a = member.namedChildren[0];
      if (a?.type === 'assignment' && a.childForFieldName('type')) lines.push(`    ${a.childForFieldName('left')?.text ?? ''}: ${a.childForFieldName('type')?.text ?? ''}`);
    }
  }
  if (lines.length === 1) lines[0] += BODY_PLACEHOLDER;
  return lines.join('\n');
}

function assignmentSignature(a: SyntaxNode): { name: string; signature: string } | undefined {
  const left = a.childForFieldName('left');
  if (left?.type !== 'identifier') return undefined;
  const type = a.childForFieldName('type')?.text;
  const right = a.childForFieldName('right')?.text;
  const value = right === undefined ? '' : right.length <= 60 && !right.includes('\n') ? ` = ${right}` : ' = ...';
  return { name: left.text, signature: `${left.text}${type ? `: ${type}` : ''}${value}` };
}

/** `__all__ = [...]` as a list of names, when it is a literal. */
function dunderAll(root: SyntaxNode): Set<string> | undefined {
  for (const stmt of root.namedChildren) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type !== 'assignment' || a.childForFieldName('left')?.text !== '__all__') continue;
    const right = a.childForFieldName('right');
    if (right?.type !== 'list' && right?.type !== 'tuple') return undefined;
    return new Set(right.namedChildren.filter((c) => c?.type === 'string').map((c) => c.text.replace(/^[rbuRBU]*['"]+|['"]+$/g, '')));
  }
  return undefined;
}

/**
 * Public top-level names with their signatures: `def` and `class` headers (a class with its
 * public method headers and annotated fields), assignments (`NAME: T = value`), and in an
 * `__init__.py` the names it re-exports with `from … import`. `__all__`, when a literal, decides.
 */
export function scanPythonExports(file: string, text: string): ExportedSymbol[] {
  const isInit = /(^|\/)__init__\.pyi?$/.test(file);
  return (
    withTree('python', text, (root) => {
      const out: ExportedSymbol[] = [];
      const all = dunderAll(root);
      const visible = (name: string) => (all ? all.has(name) : !name.startsWith('_'));
      for (const stmt of root.namedChildren) {
        if (!stmt) continue;
        const def = definitionOf(stmt);
        if (def) {
          const name = def.childForFieldName('name')?.text ?? '';
          if (!visible(name)) continue;
          out.push(def.type === 'class_definition'
            ? { name, kind: 'class', signature: classSignature(stmt, def) }
            : { name, kind: 'function', signature: `${header(stmt, def)}${BODY_PLACEHOLDER}` });
        } else if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'assignment') {
          const a = assignmentSignature(stmt.namedChildren[0]);
          if (a && a.name !== '__all__' && visible(a.name)) out.push({ name: a.name, kind: 'variable', signature: a.signature });
        } else if (isInit && stmt.type === 'import_from_statement') {
          const { module, names } = fromImport(stmt);
          for (const n of names) {
            if (n.name === '*' || visible(n.alias)) out.push({ name: n.alias, kind: 'reexport', signature: '', from: `${module}:${n.name}`, importedName: n.name });
          }
        }
      }
      // `from pkg import mod` names a module, not an attribute: the module's own name leads to all
      // its exports, so the context builder finds what such an import brings in.
      const parts = file.replace(/\.pyi?$/, '').split('/');
      const self = isInit ? parts[parts.length - 2] : parts[parts.length - 1];
      if (self && !out.some((s) => s.name === self)) out.push({ name: self, kind: 'reexport', signature: '', from: isInit ? '.:*' : `.${self}:*`, importedName: '*' });
      return out;
    }) ?? []
  );
}
