/**
 * No English in the Korean UI: every user-facing string goes through `vscode.l10n.t` (host) or
 * `package.nls.json` (manifest) and has a Korean entry, and the webviews build no English text of
 * their own (they show what the host sends). The scans read the sources with the TypeScript
 * compiler API, so comments, imports and log lines are never mistaken for UI text.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Names that stay as they are in Korean: products, models, formats, tools. A string made only of
 * these (and numbers, placeholders, symbols) needs no Korean.
 */
const PROPER_NOUNS = new Set([
  'Helios', 'CLI', 'Claude', 'Anthropic', 'Opus', 'Sonnet', 'Haiku', 'Fable', 'Mythos', 'API', 'PRD', 'PRDs', 'MCP', 'CI', 'JSON', 'URL',
  'Git', 'git', 'GitHub', 'macOS', 'Linux', 'Windows', 'Debian', 'Ubuntu', 'bubblewrap', 'socat', 'direnv', 'npm', 'Markdown',
  'UTF', 'Redis', 'Grafana', 'Prometheus', 'TypeScript', 'JavaScript', 'JS', 'TS', 'Max', 'Pro', 'KB', 'MB', 'ms', 'pid', 'OK',
]);
/** Phrases that are names as a whole. */
const PROPER_PHRASES = [/\bClaude Code\b/g, /\bVS Code\b/g, /\bsandbox-exec\b/g];

/** The Latin words of `text` that are not names, code, ids, paths or placeholders. */
export function englishWords(text: string): string[] {
  let s = text
    .replace(/\$\([a-z0-9-~]+\)/gi, ' ') // codicons: $(pulse)
    .replace(/\{\d+\}/g, ' ') // placeholders
    .replace(/`[^`]*`/g, ' ') // code spans
    .replace(/"[a-z][\w-]*(\.[\w-]+)+"/gi, ' ') // "helios.provider"
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' ') // ids, file names, dotted settings
    .replace(/\S*[\\/]\S*/g, ' ') // paths and URLs
    .replace(/\*\.\S+/g, ' ') // globs
    .replace(/\b[a-z]+(?:-[a-z0-9]+)+\b/gi, ' '); // model ids and kebab names: claude-opus-5-5
  for (const p of PROPER_PHRASES) s = s.replace(p, ' ');
  return (s.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !PROPER_NOUNS.has(w));
}

const HANGUL = /[\uac00-\ud7a3]/;

/** A translation of `english` is missing or still English. */
export function untranslated(english: string, korean: string | undefined): boolean {
  if (korean === undefined) return true;
  return englishWords(english).length > 0 && !HANGUL.test(korean);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

function parse(file: string, text = readFileSync(file, 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The literal text a node can evaluate to: a string, or each branch / static part of an expression. */
function literalTexts(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [[node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' {0} ')];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return literalTexts(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalTexts(node.whenTrue), ...literalTexts(node.whenFalse)];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind)) {
    return [...literalTexts(node.left), ...literalTexts(node.right)];
  }
  return [];
}

/** `vscode.l10n.t(…)`, `l10n.t(…)`, or `t(…)` (the files alias `const t = vscode.l10n.t`). */
function isL10nCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === 't';
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText());
}

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** One finding per place: a literal inside a UI call is met by more than one rule. */
function unique(findings: Finding[]): Finding[] {
  return findings.filter((f, i) => findings.findIndex((g) => g.line === f.line && g.text === f.text) === i);
}

function finding(sf: ts.SourceFile, node: ts.Node, text: string): Finding {
  return { file: path.relative(ROOT, sf.fileName), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text };
}

/** Every literal message passed to l10n in `sf`. */
export function l10nKeys(sf: ts.SourceFile): Finding[] {
  const out: Finding[] = [];
  walk(sf, (n) => {
    if (!ts.isCallExpression(n) || !isL10nCall(n) || n.arguments.length === 0) return;
    const first = n.arguments[0]!;
    if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) out.push(finding(sf, n, first.text));
  });
  return out;
}

/** Calls whose string arguments the user reads (`offer` is Helios' notification-with-buttons helper). */
const UI_CALLS = new Set(['offer', 'report', 'showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'setStatusBarMessage', 'showQuickPick', 'showInputBox', 'withProgress', 'createWebviewPanel', 'createCommentController']);
/** Constructors whose string arguments the user reads. */
const UI_CLASSES = new Set(['TreeItem', 'MarkdownString', 'CodeLens', 'CommentThread']);
/** Properties (assigned, or in object literals) whose string values the user reads. */
const UI_PROPS = new Set(['text', 'name', 'tooltip', 'label', 'description', 'detail', 'title', 'placeHolder', 'placeholder', 'prompt', 'message', 'validationMessage']);
/** What an item built apart from its call shows (`name` and `message` are too common to judge alone). */
const ITEM_PROPS = new Set([...UI_PROPS].filter((p) => p !== 'name' && p !== 'message'));

function uiLiteralFindings(sf: ts.SourceFile, node: ts.Node, out: Finding[]): void {
  if (ts.isCallExpression(node) && isL10nCall(node)) return;
  if (ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && UI_PROPS.has(p.name.text)) uiLiteralFindings(sf, p.initializer, out);
    }
    return;
  }
  if (ts.isArrayLiteralExpression(node)) {
    for (const e of node.elements) uiLiteralFindings(sf, e, out);
    return;
  }
  for (const text of literalTexts(node)) if (englishWords(text).length > 0) out.push(finding(sf, node, text));
}

/** (c) Literal English handed to a VS Code UI API in host code, not through l10n. */
export function unlocalizedUiStrings(sf: ts.SourceFile): Finding[] {
  const out: Finding[] = [];
  walk(sf, (n) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && UI_CALLS.has(n.expression.name.text)) {
      for (const arg of n.arguments) uiLiteralFindings(sf, arg, out);
    } else if (ts.isNewExpression(n)) {
      const name = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
      if (UI_CLASSES.has(name)) for (const arg of n.arguments ?? []) uiLiteralFindings(sf, arg, out);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && UI_PROPS.has(n.left.name.text)) {
      uiLiteralFindings(sf, n.right, out);
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['appendMarkdown', 'appendText'].includes(n.expression.name.text)) {
      for (const arg of n.arguments) uiLiteralFindings(sf, arg, out);
    } else if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && ITEM_PROPS.has(n.name.text)) {
      // Quick-pick items, buttons and tree rows are often built apart from the call that shows them.
      uiLiteralFindings(sf, n.initializer, out);
    }
  });
  return unique(out);
}

/** DOM calls whose string arguments become page text. */
const DOM_TEXT_CALLS = new Set(['append', 'prepend', 'after', 'before', 'createTextNode', 'replaceChildren']);
const DOM_TEXT_PROPS = new Set(['textContent', 'innerText', 'title', 'placeholder', 'alt', 'value']);
const DOM_TEXT_ATTRS = new Set(['aria-label', 'aria-description', 'title', 'placeholder', 'alt', 'aria-valuetext']);

/** A list of CSS classes ("budget-button is-secondary"), not words. */
function isClassList(text: string): boolean {
  const tokens = text.trim().split(/\s+/);
  return tokens.every((t) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(t)) && tokens.some((t) => t.includes('-'));
}

/** Two or more words: what a sentence or a label looks like, as opposed to an id or a class. */
function looksLikeProse(text: string): boolean {
  if (isClassList(text)) return false;
  const words = text.split(/\s+/).filter((w) => /^[A-Za-z]{2,}[.,:;!?]?$/.test(w));
  return words.length >= 2 && englishWords(text).length >= 2;
}

/**
 * (d) English built into a page. Two nets: literals reaching a DOM text sink (`h(tag, cls, text)`,
 * `svgText`, `textContent =`, `setAttribute('aria-label', …)`, `append(…)`, `'aria-label':` in
 * attributes), and any literal anywhere in the page code that reads as prose (two or more words).
 */
export function webviewEnglish(sf: ts.SourceFile): Finding[] {
  const out: Finding[] = [];
  const check = (node: ts.Node, strict: boolean): void => {
    for (const text of literalTexts(node)) {
      if (strict ? englishWords(text).length > 0 && !isClassList(text) : looksLikeProse(text)) out.push(finding(sf, node, text));
    }
  };
  const sinks = new Set<ts.Node>();
  walk(sf, (n) => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if ((name === 'h' || name === 'svgText') && n.arguments[2]) sinks.add(n.arguments[2]);
      if (DOM_TEXT_CALLS.has(name)) for (const a of n.arguments) sinks.add(a);
      if (name === 'setAttribute' && n.arguments[0] && ts.isStringLiteral(n.arguments[0]) && DOM_TEXT_ATTRS.has(n.arguments[0].text) && n.arguments[1]) sinks.add(n.arguments[1]);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && DOM_TEXT_PROPS.has(n.left.name.text)) {
      sinks.add(n.right);
    } else if (ts.isPropertyAssignment(n) && (ts.isStringLiteral(n.name) || ts.isIdentifier(n.name)) && DOM_TEXT_ATTRS.has(n.name.text)) {
      sinks.add(n.initializer);
    }
  });
  for (const s of sinks) check(s, true);
  walk(sf, (n) => {
    if (sinks.has(n) || !(ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n))) return;
    if (ts.isImportDeclaration(n.parent) || ts.isExportDeclaration(n.parent) || ts.isLiteralTypeNode(n.parent)) return;
    check(n, false);
  });
  // A sink inside a sink (a template in an append) is reported once.
  return unique(out);
}

const LOCALE_METHODS = new Set(['toLocaleString', 'toLocaleTimeString', 'toLocaleDateString']);

/**
 * (e) Numbers and dates in a fixed or default locale: `toLocaleString('en-US')` anywhere,
 * `toLocaleString()` with no locale (the machine's, not the UI's), and `toFixed` (always
 * `1234.5`) in what an l10n message is filled with. Log lines may use either.
 */
export function fixedLocaleNumbers(sf: ts.SourceFile): Finding[] {
  const out: Finding[] = [];
  const method = (n: ts.Node): string | undefined =>
    ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : undefined;
  walk(sf, (n) => {
    const name = method(n);
    if (!name || !ts.isCallExpression(n)) return;
    const first = n.arguments[0];
    if (LOCALE_METHODS.has(name) && (!first || (ts.isStringLiteral(first) && first.text === 'en-US'))) out.push(finding(sf, n, n.getText(sf)));
  });
  walk(sf, (n) => {
    if (!ts.isCallExpression(n) || !isL10nCall(n)) return;
    for (const arg of n.arguments.slice(1)) walk(arg, (m) => {
      if (method(m) === 'toFixed') out.push(finding(sf, m, m.getText(sf)));
    });
  });
  return out;
}

function readJson(file: string): Record<string, string> {
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, string>;
}

function manifestKeys(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') {
    const m = /^%([^%]+)%$/.exec(value);
    if (m) out.add(m[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) manifestKeys(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) manifestKeys(v, out);
  }
  return out;
}

const show = (findings: readonly Finding[]): string => findings.map((f) => `  ${f.file}:${f.line}  ${JSON.stringify(f.text)}`).join('\n');

const hostFiles = sourceFiles(path.join(ROOT, 'src/extension'));
const webviewFiles = sourceFiles(path.join(ROOT, 'src/webview'));
const ko = readJson('l10n/bundle.l10n.ko.json');

describe('the Korean l10n bundle', () => {
  const keys = hostFiles.flatMap((f) => l10nKeys(parse(f)));

  it('has a Korean entry for every message the extension passes to l10n', () => {
    const missing = keys.filter((k) => untranslated(k.text, ko[k.text]));
    assert.equal(missing.length, 0, `l10n messages without Korean in l10n/bundle.l10n.ko.json:\n${show(missing)}`);
  });

  it('has no entry that no code uses', () => {
    const used = new Set(keys.map((k) => k.text));
    const stale = Object.keys(ko).filter((k) => !used.has(k));
    assert.deepEqual(stale, [], 'entries in l10n/bundle.l10n.ko.json that no l10n call uses (dead, or their key changed)');
  });
});

describe('the Korean manifest strings', () => {
  it('has a Korean entry for every %key% in package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as unknown;
    const en = readJson('package.nls.json');
    const nlsKo = readJson('package.nls.ko.json');
    const keys = [...manifestKeys(pkg, new Set())].sort();
    assert.deepEqual(keys.filter((k) => en[k] === undefined), [], 'package.json keys missing from package.nls.json');
    assert.deepEqual(keys.filter((k) => untranslated(en[k] ?? k, nlsKo[k])), [], 'package.json keys without Korean in package.nls.ko.json');
    const used = new Set(keys);
    assert.deepEqual([...Object.keys(en), ...Object.keys(nlsKo)].filter((k) => !used.has(k)), [], 'package.nls entries package.json does not use');
  });
});

describe('host code', () => {
  it('hands no literal English to a VS Code UI API', () => {
    const found = hostFiles.flatMap((f) => unlocalizedUiStrings(parse(f)));
    assert.equal(found.length, 0, `user-facing literals not wrapped in vscode.l10n.t:\n${show(found)}`);
  });
});

describe('numbers and dates', () => {
  it('follow the UI language, never a fixed en-US or the machine\'s locale', () => {
    const found = [...hostFiles, ...webviewFiles].flatMap((f) => fixedLocaleNumbers(parse(f)));
    assert.equal(found.length, 0, `format with shared/numberFormat.ts and vscode.env.language (host) or the page locale (webview):\n${show(found)}`);
  });
});

describe('webview code', () => {
  it('builds no English text of its own: every word comes from the host\'s strings', () => {
    const found = webviewFiles.flatMap((f) => webviewEnglish(parse(f)));
    assert.equal(found.length, 0, `English literals in webview code (send them in the panel's strings):\n${show(found)}`);
  });
});

describe('the scanners', () => {
  const fixture = (text: string): ts.SourceFile => parse(path.join(ROOT, 'src/extension/fixture.ts'), text);

  it('catch a notification, a tree item and a status bar text that skip l10n', () => {
    const sf = fixture(`
      import * as vscode from 'vscode';
      void vscode.window.showInformationMessage('Plan saved.', 'Open Plan');
      const item = new vscode.TreeItem(\`Task \${id} finished\`);
      status.text = '$(pulse) Budget left';
      void vscode.window.showQuickPick([{ label: 'Run now', detail: vscode.l10n.t('Starts the plan') }]);
    `);
    assert.deepEqual(unlocalizedUiStrings(sf).map((f) => f.text), ['Plan saved.', 'Open Plan', 'Task  {0}  finished', '$(pulse) Budget left', 'Run now']);
    const apart = fixture(`
      const keep = { label: '$(circle-slash) Keep my version', id: 'keep' };
      void vscode.window.showQuickPick(tasks.map((t) => ({ label: t.id, description: t.status ?? 'pending' })));
    `);
    assert.deepEqual(unlocalizedUiStrings(apart).map((f) => f.text), ['$(circle-slash) Keep my version', 'pending'], 'items built apart from their quick pick');
  });

  it('let through what goes through l10n, names and codicons', () => {
    const sf = fixture(`
      const t = vscode.l10n.t;
      void vscode.window.showInformationMessage(vscode.l10n.t('Plan saved.'), t('Open Plan'));
      status.text = '$(pulse) 12%';
      item.description = 'Claude Code · Opus';
      log.info('Plan saved in the store');
    `);
    assert.deepEqual(unlocalizedUiStrings(sf), []);
    assert.deepEqual(l10nKeys(sf).map((k) => k.text), ['Plan saved.', 'Open Plan']);
  });

  it('catch English built into a page, and not class names, ids or the host\'s strings', () => {
    const sf = fixture(`
      const p = h('p', 'dag-empty is-muted', 'No plan yet');
      label.textContent = \`\${n} attempts\`;
      svg.setAttribute('aria-label', 'Budget gauge');
      el('svg', { class: 'dash-bar', 'aria-label': strings.summary, role: 'img' });
      const fallback = strings.empty || 'Nothing to show here';
      const d = 'M0,0 L10,5 L0,10 z';
      const ok = h('p', 'dag-empty', strings.empty);
    `);
    assert.deepEqual(webviewEnglish(sf).map((f) => f.text), ['No plan yet', ' {0}  attempts', 'Budget gauge', 'Nothing to show here']);
  });

  it('catch numbers formatted in a fixed or default locale', () => {
    const sf = fixture(`
      const a = vscode.l10n.t('{0} tokens', n.toLocaleString('en-US'));
      const b = vscode.l10n.t('Cost {0}', cost.toFixed(4));
      const c = new Date(iso).toLocaleTimeString();
      const d = new Date(iso).toLocaleTimeString(vscode.env.language, { hour: '2-digit' });
      log.info(\`took \${ms.toFixed(0)} ms\`);
    `);
    assert.deepEqual(fixedLocaleNumbers(sf).map((f) => f.text), ["n.toLocaleString('en-US')", 'new Date(iso).toLocaleTimeString()', 'cost.toFixed(4)']);
  });

  it('flag a Korean entry that is missing or still English, and accept names', () => {
    assert.equal(untranslated('Show Log', undefined), true);
    assert.equal(untranslated('Show Log', 'Show Log'), true);
    assert.equal(untranslated('Show Log', '로그 보기'), false);
    assert.equal(untranslated('Claude Code (Max)', 'Claude Code (Max)'), false);
    assert.equal(untranslated('{0} → {1}', '{0} → {1}'), false);
    assert.deepEqual(englishWords('Set "helios.provider" to claude-opus-5-5 in $(gear) settings'), ['Set', 'to', 'in', 'settings']);
  });
});
