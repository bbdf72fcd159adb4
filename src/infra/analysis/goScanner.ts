import type { ExportedSymbol, ImportRecord } from '../../core/analysis/graphTypes';
import { withTree, type SyntaxNode } from './treeSitter';

function unquote(s: string): string {
  return s.replace(/^["`]|["`]$/g, '');
}

/** `pkg.Name` selectors and `pkg.Type` qualified types in the file, by package identifier. */
function qualifiedNames(root: SyntaxNode): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (pkg: string | undefined, name: string | undefined) => {
    if (!pkg || !name) return;
    const set = used.get(pkg) ?? new Set<string>();
    set.add(name);
    used.set(pkg, set);
  };
  for (const n of root.descendantsOfType(['selector_expression', 'qualified_type'])) {
    if (!n) continue;
    if (n.type === 'qualified_type') add(n.childForFieldName('package')?.text, n.childForFieldName('name')?.text);
    else if (n.childForFieldName('operand')?.type === 'identifier') add(n.childForFieldName('operand')?.text, n.childForFieldName('field')?.text);
  }
  return used;
}

/**
 * Every import of the file, by import path; the resolver (`core/analysis/goResolver.ts`) decides
 * which are packages of the workspace's module. `names` are the `x.Name` selectors the importer
 * uses (`*` for a dot import or when none is seen). Blank imports (`_`) are edges with no names.
 */
export function scanGoImports(text: string): ImportRecord[] {
  return (
    withTree('go', text, (root) => {
      const out: ImportRecord[] = [];
      const used = qualifiedNames(root);
      for (const spec of root.descendantsOfType('import_spec')) {
        if (!spec) continue;
        const importPath = unquote(spec.childForFieldName('path')?.text ?? '');
        const alias = spec.childForFieldName('name')?.text ?? importPath.slice(importPath.lastIndexOf('/') + 1);
        const names = alias === '.' ? ['*'] : alias === '_' ? [] : [...(used.get(alias) ?? [])].sort();
        out.push({ specifier: importPath, kind: 'import', typeOnly: false, names: names.length > 0 || alias === '_' ? names : ['*'] });
      }
      return out;
    }) ?? []
  );
}

const exported = (name: string | undefined): name is string => name !== undefined && /^\p{Lu}/u.test(name);

function withoutBody(node: SyntaxNode): string {
  const body = node.childForFieldName('body');
  const full = node.text;
  return (body ? full.slice(0, full.length - (node.endIndex - body.startIndex)) : full).trimEnd();
}

/** Exported (capitalised) functions, methods, types, constants and variables, bodies left out. */
export function scanGoExports(text: string): ExportedSymbol[] {
  return (
    withTree('go', text, (root) => {
      const out: ExportedSymbol[] = [];
      for (const decl of root.namedChildren) {
        if (!decl) continue;
        if (decl.type === 'function_declaration' || decl.type === 'method_declaration') {
          const name = decl.childForFieldName('name')?.text;
          if (exported(name)) out.push({ name, kind: 'function', signature: withoutBody(decl) });
        } else if (decl.type === 'type_declaration') {
          for (const spec of decl.namedChildren) {
            const name = spec?.childForFieldName('name')?.text;
            if (!spec || !exported(name)) continue;
            const type = spec.childForFieldName('type')?.type;
            out.push({ name, kind: type === 'interface_type' ? 'interface' : type === 'struct_type' ? 'class' : 'type', signature: `type ${spec.text}` });
          }
        } else if (decl.type === 'const_declaration' || decl.type === 'var_declaration') {
          const keyword = decl.type === 'const_declaration' ? 'const' : 'var';
          const specs = decl.descendantsOfType(keyword === 'const' ? 'const_spec' : 'var_spec');
          for (const spec of specs) {
            if (!spec) continue;
            const type = spec.childForFieldName('type')?.text;
            for (const n of spec.childrenForFieldName('name')) {
              if (exported(n.text)) out.push({ name: n.text, kind: 'variable', signature: `${keyword} ${n.text}${type ? ` ${type}` : ''}` });
            }
          }
        }
      }
      return out;
    }) ?? []
  );
}
