import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { stripCodeComments } from '../../src/core/context/commentStripper';
import { buildContext } from '../../src/core/context/contextBuilder';
import { scanExports } from '../../src/infra/analysis/tsScanner';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';

/** Comment markers in regular expressions, division, strings and templates, then code that must survive. */
const TRICKY = String.raw`const slashStar = /\/*/g; // the old stripper opened a comment here
const classMarks = /[/*]/, doubled = /[//]/, closer = /a*/;
const ratio = a / b / c; // division, not a regular expression
let n = 8; n /= 2; /* block */ n = n / 2;
if (ok) /\/*/.test(s);
const assign = /=\//.source;
const quoted = '/* not a comment */' + "// nor this";
const tpl = ${'`'}// ${'${'} ${'`'}/* ${'${'}n /* inner */} */${'`'} } */${'`'};
/**
 * JSDoc goes too.
 */
export const survivor = 'kept'; // trailing
export function after(): number { return 42; }
`;

const TRICKY_STRIPPED = String.raw`const slashStar = /\/*/g; 
const classMarks = /[/*]/, doubled = /[//]/, closer = /a*/;
const ratio = a / b / c; 
let n = 8; n /= 2; n = n / 2;
if (ok) /\/*/.test(s);
const assign = /=\//.source;
const quoted = '/* not a comment */' + "// nor this";
const tpl = ${'`'}// ${'${'} ${'`'}/* ${'${'}n } */${'`'} } */${'`'};

export const survivor = 'kept'; 
export function after(): number { return 42; }
`;

describe('comment stripping with the TypeScript scanner', () => {
  it('keeps comment markers inside regular expressions, strings and templates, and the code after them', () => {
    assert.equal(stripCodeComments(ts, TRICKY, 'src/tricky.ts'), TRICKY_STRIPPED);
    assert.equal(stripCodeComments(ts, TRICKY), TRICKY_STRIPPED, 'no file name: read as TypeScript');
    assert.equal(stripCodeComments(ts, TRICKY.replace(/: number/g, ''), 'src/tricky.mjs'), TRICKY_STRIPPED.replace(/: number/g, ''));
  });

  it('does not glue tokens a block comment separated', () => {
    assert.equal(stripCodeComments(ts, 'return a/**/b;'), 'return a b;');
    assert.equal(stripCodeComments(ts, 'f(a, /* why */ b);\n\t/* lead */ g();'), 'f(a, b);\n\tg();');
  });

  it('leaves JSX as it is: its text is not code', () => {
    const jsx = `export const Hello = () => <p>// not a comment {/* a comment */}</p>; // c\nexport const after = 1;\n`;
    assert.equal(stripCodeComments(ts, jsx, 'src/hello.tsx'), jsx);
    assert.equal(stripCodeComments(ts, jsx.replace('{/* a comment */}', ''), 'src/hello.jsx'), jsx.replace('{/* a comment */}', ''));
    assert.equal(stripCodeComments(ts, 'export function App(p: Props): Array<Node>; // c', 'src/app.tsx'), 'export function App(p: Props): Array<Node>; ');
  });

  it('leaves the text as it is when the scanner is unsure or the language is not JavaScript or TypeScript', () => {
    for (const code of ['a /* unterminated', "const s = 'open\n// c", 'const t = `open ${x} // c', 'const r = /open // c\n', '<<<<<<< HEAD\n// c\n']) {
      assert.equal(stripCodeComments(ts, code), code, code);
    }
    assert.equal(stripCodeComments(ts, 'x = 1 // c', 'script.py'), 'x = 1 // c');
    assert.equal(stripCodeComments(ts, 'export let w = () => …; // c'), 'export let w = () => …; ', 'a cut signature is still read');
  });
});

describe('signatures agents see', () => {
  it('the scanner strips comments from each signature, and a regular expression does not hide the exports after it', () => {
    const byName = new Map(scanExports('src/lib.ts', TRICKY + 'export const re = /\\/*/g; // x\n/** doc */\nexport function last(a: string /* why */): string { return a; }\n').map((s) => [s.name, s.signature]));
    assert.equal(byName.get('survivor'), "export const survivor = 'kept';");
    assert.equal(byName.get('after'), 'export function after(): number;');
    assert.equal(byName.get('re'), 'export const re = /\\/*/g;');
    assert.equal(byName.get('last'), 'export function last(a: string ): string;');
  });

  it('the context builder passes every used declaration of a file with such a regular expression', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'helios-comments-'));
    try {
      await mkdir(path.join(root, 'src'));
      await writeFile(path.join(root, 'src/lib.ts'), 'export const slashStar = /\\/*/g;\nexport function first(): void {}\n// between\nexport function second(x: number, /* between */ y = 1): number { return x + y; }\n');
      await writeFile(path.join(root, 'src/main.ts'), "import { slashStar, first, second } from './lib';\nfirst(); second(slashStar.lastIndex);\n");
      const { workspace } = await openWorkspaceGraph({ root });
      const ctx = await buildContext(workspace, { task: 'use lib', files: ['src/main.ts'], budgetTokens: 2000 });
      const deps = ctx.sections.find((s) => s.kind === 'dependencies')?.text ?? '';
      for (const line of ['export const slashStar = /\\/*/g;', 'export function first(): void;', 'export function second(x: number, y = 1): number;']) assert.ok(deps.includes(line), `${line}\n${deps}`);
      assert.ok(!deps.includes('between'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
