import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanImportsFast } from '../../src/infra/analysis/tsImportScanner';
import { scanExports, scanImportsFromAst } from '../../src/infra/analysis/tsScanner';

const SOURCE = `
import def, { a, type B, c as d, default as e } from './named';
import type { T } from './types';
import type Def from './typeDefault';
import { type X, type Y } from './allTypes';
import * as ns from "ns";
import './side-effect';
import type from './typeNamedDefault';
import x = require('./eq');
export * from './star';
export * as nsx from './starAs';
export { default } from './reDefault';
export { p, q as r } from './named2';
export type { U } from './typeRe';
export { type V } from './typeRe2';
export const local = 1;
const re = /import\\('fake'\\)/g;
const tpl = \`\${ (() => { return 'require("no")'; })() } import('also-no') \${'x'}\`;
const s = "import y from 'not-real'";
obj.require('nope');
const lazy = () => import('./lazy');
const ext = require('pkg/sub');
type Q = typeof import('./typeQuery');
let w: import('./typeRef').W;
import.meta.url;
`;

describe('import scanning', () => {
  it('reads every import form, with kinds, names and type-only flags', () => {
    const found = scanImportsFast('a.ts', SOURCE).map((r) => `${r.kind} ${r.specifier} ${r.typeOnly ? 'type ' : ''}[${r.names.join(',')}]`);
    assert.deepEqual(found, [
      'import ./named [default,a,B,c,default]',
      'import ./types type [T]',
      'import ./typeDefault type [default]',
      'import ./allTypes type [X,Y]',
      'import ns [*]',
      'import ./side-effect []',
      'import ./typeNamedDefault [default]',
      'importEquals ./eq [*]',
      'reexport ./star [*]',
      'reexport ./starAs [*]',
      'reexport ./reDefault [default]',
      'reexport ./named2 [p,q]',
      'reexport ./typeRe type [U]',
      'reexport ./typeRe2 type [V]',
      'dynamic ./lazy [*]',
      'require pkg/sub [*]',
      'dynamic ./typeQuery type [*]',
      'dynamic ./typeRef type [*]',
    ]);
  });

  it('agrees with the AST reference implementation', () => {
    const key = (r: { specifier: string; kind: string; typeOnly: boolean; names: readonly string[] }) => `${r.kind} ${r.specifier} ${r.typeOnly} ${r.names.join()}`;
    assert.deepEqual(scanImportsFast('a.ts', SOURCE).map(key).sort(), scanImportsFromAst('a.ts', SOURCE).map(key).sort());
    const jsx = `import React from 'react';\nexport const A = () => <div className="x">{'{'}</div>;\nconst B = require('./b');\n`;
    assert.deepEqual(scanImportsFast('a.tsx', jsx).map(key), scanImportsFromAst('a.tsx', jsx).map(key));
  });
});

describe('export scanning', () => {
  it('renders exported declarations without bodies', () => {
    const text = `
/** doc */
export function f(a: string): number { return 1; }
export default class K extends Base implements I {
  private hidden = 1;
  #secret = 2;
  static count: number = 3;
  name = 'k';
  constructor(readonly id: string) { super(); }
  get size(): number { return 1; }
  run(): void {}
}
export interface I { a: string }
export type T = { b: number };
export enum E { A }
export declare namespace N { const x: number }
export let v: string = 'x', w = () => 1;
export const long = ${JSON.stringify('x'.repeat(200))};
const local = (n: number) => n;
export { local as renamed, unknownThing };
export * from './all';
export * as star from './ns';
export { a as b } from './re';
export = local;
`;
    const byName = new Map(scanExports('a.ts', text).reverse().map((s) => [s.name, s]));
    assert.equal(byName.get('f')?.signature, 'export function f(a: string): number;');
    assert.equal(byName.get('default')?.kind, 'class');
    assert.match(byName.get('default')!.signature, /^export default class K extends Base implements I \{\n {2}static count: number;\n {2}name = 'k';\n {2}constructor\(readonly id: string\);\n {2}get size\(\): number;\n {2}run\(\): void;\n\}$/);
    assert.equal(byName.get('I')?.kind, 'interface');
    assert.equal(byName.get('T')?.kind, 'type');
    assert.equal(byName.get('E')?.kind, 'enum');
    assert.equal(byName.get('N')?.signature, 'export declare namespace N { … }');
    assert.equal(byName.get('v')?.signature, "export let v: string;");
    assert.equal(byName.get('w')?.signature, 'export let w = () => …;');
    assert.match(byName.get('long')!.signature, /…;$/);
    assert.equal(byName.get('renamed')?.signature, 'const local = (n: number) => …;');
    assert.equal(byName.get('unknownThing')?.signature, 'export { unknownThing };');
    assert.deepEqual([byName.get('*')?.from, byName.get('star')?.importedName, byName.get('b')?.importedName], ['./all', '*', 'a']);
  });
});
