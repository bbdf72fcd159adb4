import ts from '@ts-morph/common/dist/typescript.js';
import { stripCodeComments } from '../../core/context/commentStripper';
import { TS_SCANNER_VERSION } from './lazyTsScanner';
import { scanImportsFast } from './tsImportScanner';
import type { ExportedSymbol, ImportRecord, SourceScanner, SymbolKind } from '../../core/analysis/graphTypes';

/**
 * Imports and exports from TypeScript's own parser (the one ts-morph bundles), with no program,
 * binder or type checker: one `createSourceFile` per file. Only statements are walked for static
 * imports; the whole tree is walked for `import()` / `require()` only when the text mentions them.
 */
const DYNAMIC_HINT = /\b(?:import|require)\s*\(/;
const LONG_INITIALIZER = 120;

function scriptKindOf(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(file));
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function importNames(clause: ts.ImportClause | undefined): { names: string[]; allTypes: boolean } {
  if (!clause) return { names: [], allTypes: false };
  const names: string[] = [];
  if (clause.name) names.push('default');
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
  let allTypes = false;
  if (bindings && ts.isNamedImports(bindings)) {
    for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
    allTypes = !clause.name && bindings.elements.length > 0 && bindings.elements.every((el) => el.isTypeOnly);
  }
  return { names, allTypes };
}

function collectCalls(node: ts.Node, out: ImportRecord[]): void {
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
    const spec = literalText(node.argument.literal);
    if (spec !== undefined) out.push({ specifier: spec, kind: 'dynamic', typeOnly: true, names: ['*'] });
  }
  if (ts.isCallExpression(node) && node.arguments.length >= 1) {
    const spec = literalText(node.arguments[0]);
    if (spec !== undefined) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) out.push({ specifier: spec, kind: 'dynamic', typeOnly: false, names: ['*'] });
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
        out.push({ specifier: spec, kind: 'require', typeOnly: false, names: ['*'] });
      }
    }
  }
  ts.forEachChild(node, (child) => collectCalls(child, out));
}

/** The reference implementation over the full AST; the graph uses the scanner-only `scanImportsFast`. */
export function scanImportsFromAst(file: string, text: string): ImportRecord[] {
  const sf = parse(file, text);
  const out: ImportRecord[] = [];
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s)) {
      const spec = literalText(s.moduleSpecifier);
      if (spec === undefined) continue;
      const { names, allTypes } = importNames(s.importClause);
      out.push({ specifier: spec, kind: 'import', typeOnly: (s.importClause?.isTypeOnly ?? false) || allTypes, names });
    } else if (ts.isExportDeclaration(s) && s.moduleSpecifier) {
      const spec = literalText(s.moduleSpecifier);
      if (spec === undefined) continue;
      const clause = s.exportClause;
      const names = clause && ts.isNamedExports(clause) ? clause.elements.map((el) => (el.propertyName ?? el.name).text) : ['*'];
      const allTypes = !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((el) => el.isTypeOnly);
      out.push({ specifier: spec, kind: 'reexport', typeOnly: s.isTypeOnly || allTypes, names });
    } else if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)) {
      const spec = literalText(s.moduleReference.expression);
      if (spec !== undefined) out.push({ specifier: spec, kind: 'importEquals', typeOnly: s.isTypeOnly, names: ['*'] });
    }
  }
  if (DYNAMIC_HINT.test(text)) collectCalls(sf, out);
  return out;
}

function modifiersOf(node: ts.Node): readonly ts.ModifierLike[] {
  return ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : [];
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return modifiersOf(node).some((m) => m.kind === kind);
}

/**
 * Source text from `start` to `end` without comments: signatures are what agents read, and a
 * comment's words cost tokens without saying what the code does. Cut before the signature is
 * assembled, so a trailing comment never takes the `;` or `{ … }` added after it.
 */
function source(sf: ts.SourceFile, start: number, end: number): string {
  return stripCodeComments(ts, sf.text.slice(start, end), sf.fileName);
}

function textOf(sf: ts.SourceFile, node: ts.Node): string {
  return source(sf, node.getStart(sf), node.end);
}

/** Source text of `node` from its first token up to `stop` (a body), trailing `{`/`=` trimmed. */
function head(sf: ts.SourceFile, node: ts.Node, stop: ts.Node | undefined): string {
  const end = stop ? stop.getStart(sf) : node.end;
  return source(sf, node.getStart(sf), end).trim().replace(/\s*(?:=>|=)?\s*$/, '');
}

function classSignature(sf: ts.SourceFile, node: ts.ClassDeclaration | ts.ClassExpression): string {
  const header = source(sf, node.getStart(sf), node.members.pos).trim().replace(/\{$/, '').trim();
  const lines: string[] = [];
  for (const m of node.members) {
    if (hasModifier(m, ts.SyntaxKind.PrivateKeyword) || (m.name && ts.isPrivateIdentifier(m.name))) continue;
    if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
      lines.push(`  ${head(sf, m, m.body)};`);
    } else if (ts.isPropertyDeclaration(m)) {
      lines.push(`  ${m.type ? head(sf, m, m.initializer) : textOf(sf, m).replace(/;$/, '')};`);
    } else if (!ts.isSemicolonClassElement(m) && !ts.isClassStaticBlockDeclaration(m)) {
      lines.push(`  ${textOf(sf, m)}`);
    }
  }
  return `${header} {\n${lines.join('\n')}\n}`;
}

function variableSignature(sf: ts.SourceFile, statement: ts.VariableStatement, decl: ts.VariableDeclaration): string {
  const keyword = statement.declarationList.flags & ts.NodeFlags.Const ? 'const' : statement.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var';
  const prefix = `${hasModifier(statement, ts.SyntaxKind.ExportKeyword) ? 'export ' : ''}${hasModifier(statement, ts.SyntaxKind.DeclareKeyword) ? 'declare ' : ''}${keyword}`;
  const init = decl.initializer;
  if (decl.type || !init) return `${prefix} ${head(sf, decl, init)};`;
  if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return `${prefix} ${head(sf, decl, init.body)} => …;`;
  const text = textOf(sf, decl);
  return `${prefix} ${text.length <= LONG_INITIALIZER ? text : `${text.slice(0, LONG_INITIALIZER)}…`};`;
}

interface Local {
  readonly kind: SymbolKind;
  readonly signature: string;
}

function declarationOf(sf: ts.SourceFile, s: ts.Statement): Array<[string, Local]> {
  if (ts.isFunctionDeclaration(s)) return [[s.name?.text ?? 'default', { kind: 'function', signature: `${head(sf, s, s.body)};` }]];
  if (ts.isClassDeclaration(s)) return [[s.name?.text ?? 'default', { kind: 'class', signature: classSignature(sf, s) }]];
  if (ts.isInterfaceDeclaration(s)) return [[s.name.text, { kind: 'interface', signature: textOf(sf, s) }]];
  if (ts.isTypeAliasDeclaration(s)) return [[s.name.text, { kind: 'type', signature: textOf(sf, s) }]];
  if (ts.isEnumDeclaration(s)) return [[s.name.text, { kind: 'enum', signature: textOf(sf, s) }]];
  if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) return [[s.name.text, { kind: 'namespace', signature: `${head(sf, s, s.body)} { … }` }]];
  if (ts.isVariableStatement(s)) {
    return s.declarationList.declarations.flatMap((d): Array<[string, Local]> =>
      ts.isIdentifier(d.name) ? [[d.name.text, { kind: 'variable', signature: variableSignature(sf, s, d) }]] : []);
  }
  return [];
}

export function scanExports(file: string, text: string): ExportedSymbol[] {
  const sf = parse(file, text);
  const locals = new Map<string, Local>();
  const out: ExportedSymbol[] = [];
  const localExports: Array<{ name: string; local: string }> = [];
  for (const s of sf.statements) {
    const decls = declarationOf(sf, s);
    const exported = hasModifier(s, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(s, ts.SyntaxKind.DefaultKeyword);
    for (const [name, local] of decls) {
      locals.set(name, local);
      if (exported) out.push({ name: isDefault ? 'default' : name, ...local });
    }
    if (ts.isExportDeclaration(s)) {
      const clause = s.exportClause;
      const from = s.moduleSpecifier ? literalText(s.moduleSpecifier) : undefined;
      if (from !== undefined) {
        if (!clause) out.push({ name: '*', kind: 'reexport', signature: textOf(sf, s), from, importedName: '*' });
        else if (ts.isNamespaceExport(clause)) out.push({ name: clause.name.text, kind: 'reexport', signature: textOf(sf, s), from, importedName: '*' });
        else for (const el of clause.elements) out.push({ name: el.name.text, kind: 'reexport', signature: `export { ${textOf(sf, el)} } from '${from}';`, from, importedName: (el.propertyName ?? el.name).text });
      } else if (clause && ts.isNamedExports(clause)) {
        for (const el of clause.elements) localExports.push({ name: el.name.text, local: (el.propertyName ?? el.name).text });
      }
    } else if (ts.isExportAssignment(s)) {
      const target = ts.isIdentifier(s.expression) ? s.expression.text : undefined;
      localExports.push({ name: 'default', local: target ?? '' });
      if (!target) out.push({ name: 'default', kind: 'variable', signature: head(sf, s, undefined).slice(0, LONG_INITIALIZER) });
    }
  }
  for (const { name, local } of localExports) {
    const found = locals.get(local);
    if (found) out.push({ name, ...found });
    else if (local) out.push({ name, kind: 'variable', signature: `export { ${local === name ? name : `${local} as ${name}`} };` });
  }
  return out;
}

export { scanImportsFast };

/** The scanner with TypeScript loaded; the graph uses `lazyTsScanner`, which loads this on first parse. */
export const tsScanner: SourceScanner & { readonly version: string } = {
  version: TS_SCANNER_VERSION,
  scanImports: scanImportsFast,
  scanExports,
};
