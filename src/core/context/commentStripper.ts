import type { ts as TypeScript } from 'ts-morph';

/**
 * TypeScript's API, passed in by whoever has it loaded (infra's scanners, tests). Core never loads
 * it: this folder is part of extension.js, and TypeScript bundled there would be compiled at every
 * activation (see core/analysis/README.md).
 */
export type TypeScriptApi = typeof TypeScript;

type Kind = TypeScript.SyntaxKind;

/** Diagnostic codes the scanner reports that leave the token stream intact: `Invalid character.` */
const INVALID_CHARACTER = 1127;

/** Keywords after which an expression starts, so a `/` there opens a regular expression. */
function expressionKeywords(ts: TypeScriptApi): ReadonlySet<Kind> {
  const K = ts.SyntaxKind;
  return new Set([K.ReturnKeyword, K.TypeOfKeyword, K.InstanceOfKeyword, K.InKeyword, K.OfKeyword, K.NewKeyword, K.DeleteKeyword,
    K.VoidKeyword, K.ThrowKeyword, K.CaseKeyword, K.DoKeyword, K.ElseKeyword, K.YieldKeyword, K.AwaitKeyword, K.DefaultKeyword]);
}

/**
 * Whether a `/` after this token is division. A regular expression read as division is the
 * dangerous mistake (the `/*` inside one would open a comment and swallow code), so where both readings are
 * possible the answer is "no": a division read as a regular expression only keeps text, or ends
 * unterminated, which leaves the whole text as it was. `)` is division unless it closes the
 * condition of `if`/`while`/`for`/`with`; `}` never is (a block ends there; no one divides an
 * object literal).
 */
function endsExpression(ts: TypeScriptApi, kind: Kind, keywords: ReadonlySet<Kind>, closesCondition: boolean): boolean {
  const K = ts.SyntaxKind;
  if (kind === K.CloseParenToken) return !closesCondition;
  if (kind >= K.FirstKeyword && kind <= K.LastKeyword) return !keywords.has(kind);
  return kind === K.Identifier || kind === K.PrivateIdentifier || kind === K.NumericLiteral || kind === K.BigIntLiteral ||
    kind === K.StringLiteral || kind === K.RegularExpressionLiteral || kind === K.NoSubstitutionTemplateLiteral ||
    kind === K.TemplateTail || kind === K.CloseBracketToken || kind === K.PlusPlusToken || kind === K.MinusMinusToken;
}

/** The scanner's language variant for a file name; undefined for a language it does not read. */
function variantOf(ts: TypeScriptApi, fileName: string | undefined): TypeScript.LanguageVariant | undefined {
  if (fileName === undefined || /\.[cm]?[jt]s$/i.test(fileName)) return ts.LanguageVariant.Standard;
  if (/\.[jt]sx$/i.test(fileName)) return ts.LanguageVariant.JSX;
  return undefined;
}

/**
 * `code` without its `//` and `/* *\/` comments (JSDoc included), read with TypeScript's scanner:
 * strings, template literals (nested `${}` too) and regular expressions keep what looks like a
 * comment inside them. Newlines after line comments stay; a block comment between two tokens
 * leaves one space, so they are neither glued together nor spaced twice.
 * Returned unchanged whenever the scanner cannot be sure: a scan error (an unterminated string,
 * template, regular expression or comment), a `<` that may open JSX in a `.tsx`/`.jsx` file (JSX
 * text is not code: `<p>// hi</p>`), or a file name that is not JavaScript or TypeScript. Without
 * a file name the code is read as TypeScript.
 */
export function stripCodeComments(ts: TypeScriptApi, code: string, fileName?: string): string {
  const variant = variantOf(ts, fileName);
  if (variant === undefined || !code.includes('/')) return code;
  const K = ts.SyntaxKind;
  let failed = false;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, variant, code, (message) => {
    // `…` (a cut signature) and other stray non-ASCII characters are single tokens; anything else is not safe.
    if (message.code !== INVALID_CHARACTER || code.charCodeAt(scanner.getTokenEnd()) < 0x80) failed = true;
  });
  const keywords = expressionKeywords(ts);
  /** Open `{` and `${`, innermost last: a `}` that closes a `${` continues its template. */
  const braces: Array<'block' | 'template'> = [];
  /** Open `(`, innermost last: whether it is the condition of `if`/`while`/`for`/`with`. */
  const parens: boolean[] = [];
  let previous: Kind = K.Unknown;
  let closedCondition = false;
  let out = '';
  let copied = 0;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken && !failed; kind = scanner.scan()) {
    if (kind === K.WhitespaceTrivia || kind === K.NewLineTrivia || kind === K.ShebangTrivia) continue;
    const start = scanner.getTokenStart();
    if (kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia) {
      let end = scanner.getTokenEnd();
      const spaceBefore = /\s/.test(code[start - 1] ?? ' ');
      const glue = kind === K.MultiLineCommentTrivia && !spaceBefore && /\S/.test(code[end] ?? ' ');
      // `a /* c */ b` becomes `a b`, not `a  b`.
      if (kind === K.MultiLineCommentTrivia && spaceBefore) while (code[end] === ' ' || code[end] === '\t') end++;
      out += code.slice(copied, start) + (glue ? ' ' : '');
      copied = end;
      continue;
    }
    const expressionStart = previous === K.Unknown || !endsExpression(ts, previous, keywords, closedCondition);
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && expressionStart) kind = scanner.reScanSlashToken();
    else if (kind === K.LessThanToken && expressionStart && variant === ts.LanguageVariant.JSX) return code;
    else if (kind === K.CloseBraceToken && braces.pop() === 'template') kind = scanner.reScanTemplateToken(false);
    if (kind === K.OpenBraceToken) braces.push('block');
    else if (kind === K.TemplateHead || kind === K.TemplateMiddle) braces.push('template');
    closedCondition = kind === K.CloseParenToken && parens.pop() === true;
    if (kind === K.OpenParenToken) parens.push(previous === K.IfKeyword || previous === K.WhileKeyword || previous === K.ForKeyword || previous === K.WithKeyword);
    previous = kind;
  }
  return failed ? code : out + code.slice(copied);
}
