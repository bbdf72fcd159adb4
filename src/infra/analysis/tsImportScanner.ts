import ts from '@ts-morph/common/dist/typescript.js';
import type { ImportRecord } from '../../core/analysis/graphTypes';

/**
 * Imports from TypeScript's scanner alone (no parser, no AST): about five times faster than
 * `createSourceFile` and enough to read import and export-from statements, `import()` and
 * `require()` with a literal, and the `type` markers. Template literals and regular expressions
 * are re-scanned the way the parser would, so their contents never look like imports.
 */
const K = ts.SyntaxKind;
const scanner = ts.createScanner(ts.ScriptTarget.Latest, true);

function isIdentLike(t: ts.SyntaxKind): boolean {
  return t === K.Identifier || (t >= K.FirstFutureReservedWord && t <= K.LastKeyword);
}

/** Any identifier or keyword: `export { default } from`, `import { for as f }` are legal. */
function isName(t: ts.SyntaxKind): boolean {
  return t === K.Identifier || (t >= K.FirstKeyword && t <= K.LastKeyword);
}

/** After these tokens a `/` is division; elsewhere it starts a regular expression. */
function endsExpression(t: ts.SyntaxKind): boolean {
  return isIdentLike(t) || t === K.ThisKeyword || t === K.SuperKeyword || t === K.NullKeyword || t === K.TrueKeyword || t === K.FalseKeyword ||
    t === K.NumericLiteral || t === K.BigIntLiteral || t === K.StringLiteral || t === K.NoSubstitutionTemplateLiteral || t === K.TemplateTail ||
    t === K.RegularExpressionLiteral || t === K.CloseParenToken || t === K.CloseBracketToken || t === K.CloseBraceToken ||
    t === K.PlusPlusToken || t === K.MinusMinusToken;
}

function isString(t: ts.SyntaxKind): boolean {
  return t === K.StringLiteral || t === K.NoSubstitutionTemplateLiteral;
}

class ImportReader {
  private token: ts.SyntaxKind = K.Unknown;
  private prev: ts.SyntaxKind = K.Unknown;
  private braces = 0;
  private readonly templates: number[] = [];
  readonly out: ImportRecord[] = [];

  constructor(text: string, jsx: boolean) {
    scanner.setLanguageVariant(jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
    scanner.setText(text);
    scanner.setOnError(undefined);
  }

  read(): ImportRecord[] {
    this.next();
    while (this.token !== K.EndOfFileToken) {
      if (this.token === K.ImportKeyword && this.prev !== K.DotToken) this.importStatement();
      else if (this.token === K.ExportKeyword) this.exportStatement();
      else if (isIdentLike(this.token) && this.prev !== K.DotToken && scanner.getTokenValue() === 'require') this.requireCall('require');
      else this.next();
    }
    return this.out;
  }

  private next(): ts.SyntaxKind {
    let t = scanner.scan();
    if ((t === K.SlashToken || t === K.SlashEqualsToken) && !endsExpression(this.token)) t = scanner.reScanSlashToken();
    if (t === K.CloseBraceToken && this.templates.length > 0 && this.templates[this.templates.length - 1] === this.braces) {
      t = scanner.reScanTemplateToken(false);
      if (t === K.TemplateTail) this.templates.pop();
    } else if (t === K.OpenBraceToken) this.braces++;
    else if (t === K.CloseBraceToken) this.braces--;
    if (t === K.TemplateHead) this.templates.push(this.braces);
    this.prev = this.token;
    this.token = t;
    return t;
  }

  private value(): string {
    return scanner.getTokenValue();
  }

  private importStatement(): void {
    const before = this.prev;
    let t = this.next();
    // `typeof import('x')` is a type query, not a load: a type-only edge.
    if (t === K.OpenParenToken) return this.literalCall('dynamic', before === K.TypeOfKeyword);
    if (t === K.DotToken) return;
    if (isString(t)) {
      this.out.push({ specifier: this.value(), kind: 'import', typeOnly: false, names: [] });
      this.next();
      return;
    }
    let typeOnly = false;
    const names: string[] = [];
    if (t === K.TypeKeyword) {
      t = this.next();
      if (t === K.FromKeyword || t === K.CommaToken || t === K.EqualsToken) names.push('default');
      else typeOnly = true;
    }
    if (isIdentLike(t) && t !== K.FromKeyword) {
      names.push('default');
      t = this.next();
    }
    if (t === K.EqualsToken) {
      t = this.next();
      if (isIdentLike(t) && this.value() === 'require') this.requireCall('importEquals', typeOnly);
      return;
    }
    if (t === K.CommaToken) t = this.next();
    let namedAllTypes = false;
    if (t === K.AsteriskToken) {
      names.push('*');
      this.next();
      this.next();
      t = this.next();
    } else if (t === K.OpenBraceToken) {
      const named = this.namedBindings();
      names.push(...named.names);
      namedAllTypes = named.allTypes && !names.includes('default');
      t = this.token;
    }
    if (t !== K.FromKeyword) return;
    if (!isString(this.next())) return;
    this.out.push({ specifier: this.value(), kind: 'import', typeOnly: typeOnly || namedAllTypes, names });
    this.next();
  }

  private exportStatement(): void {
    let t = this.next();
    let typeOnly = false;
    if (t === K.TypeKeyword) {
      t = this.next();
      if (t !== K.OpenBraceToken && t !== K.AsteriskToken) return;
      typeOnly = true;
    }
    let names: string[];
    let allTypes = false;
    if (t === K.AsteriskToken) {
      names = ['*'];
      t = this.next();
      if (t === K.AsKeyword) {
        this.next();
        t = this.next();
      }
    } else if (t === K.OpenBraceToken) {
      const named = this.namedBindings();
      names = named.names;
      allTypes = named.allTypes;
      t = this.token;
    } else {
      return;
    }
    if (t !== K.FromKeyword) return;
    if (!isString(this.next())) return;
    this.out.push({ specifier: this.value(), kind: 'reexport', typeOnly: typeOnly || allTypes, names });
    this.next();
  }

  /** `{ a, type b, c as d, 'e' as f }` → exported names; leaves the token after `}`. */
  private namedBindings(): { names: string[]; allTypes: boolean } {
    const names: string[] = [];
    let allTypes = true;
    let t = this.next();
    while (t !== K.CloseBraceToken && t !== K.EndOfFileToken) {
      let isType = false;
      if (t === K.TypeKeyword) {
        const after = this.next();
        // `{ type }`, `{ type, … }` and `{ type as x }` bind a value named `type`.
        if (after === K.CommaToken || after === K.CloseBraceToken || after === K.AsKeyword) {
          names.push('type');
          allTypes = false;
          t = this.token;
          if (t === K.AsKeyword) {
            this.next();
            t = this.next();
          }
          if (t === K.CommaToken) t = this.next();
          continue;
        }
        isType = true;
        t = after;
      }
      if (!isName(t) && !isString(t)) {
        t = this.next();
        continue;
      }
      names.push(this.value());
      if (!isType) allTypes = false;
      t = this.next();
      if (t === K.AsKeyword) {
        this.next();
        t = this.next();
      }
      if (t === K.CommaToken) t = this.next();
    }
    this.next();
    return { names, allTypes: allTypes && names.length > 0 };
  }

  private requireCall(kind: 'require' | 'importEquals', typeOnly = false): void {
    if (this.next() !== K.OpenParenToken) return;
    this.literalCall(kind, typeOnly);
  }

  /** At `(` of `import(` / `require(`: records the call when its first argument is a literal. */
  private literalCall(kind: 'dynamic' | 'require' | 'importEquals', typeOnly = false): void {
    if (!isString(this.next())) return;
    const specifier = this.value();
    const t = this.next();
    const typeReference = kind === 'dynamic' && !typeOnly && t === K.CloseParenToken && this.isImportType();
    if (t === K.CloseParenToken || (kind === 'dynamic' && t === K.CommaToken)) this.out.push({ specifier, kind, typeOnly: typeOnly || typeReference, names: ['*'] });
  }

  /** At the `)` of `import('x')`: `import('x').Name` not followed by `(` is a type reference (`let v: import('x').T`), not a load. */
  private isImportType(): boolean {
    if (this.next() !== K.DotToken) return false;
    if (!isName(this.next())) return false;
    return this.next() !== K.OpenParenToken;
  }
}

export function scanImportsFast(file: string, text: string): ImportRecord[] {
  return new ImportReader(text, /\.[jt]sx$/.test(file)).read();
}
