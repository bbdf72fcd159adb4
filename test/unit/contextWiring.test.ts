import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { contextTargets, summarizeContext, type ModeMetrics } from '../../src/cli/benchWorkflowMetrics';
import { buildContext, fullFileContextTokens } from '../../src/core/context/contextBuilder';
import { measureContextReduction } from '../../src/core/context/contextBenchmark';
import { buildMemoryGraph, scanExportsLight, scanImportsLight } from '../../src/core/context/lightScanner';
import { tsScanner } from '../../src/infra/analysis/tsScanner';

const FIXTURE = 'test/fixtures/analysis/basic';

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

/** A small workspace with cross-file imports, re-exports and a namespace import. */
const FILES = new Map<string, string>([
  ['src/util/format.ts', [
    '/** Pads a number. */',
    'export function pad(n: number, width = 2): string {',
    "  return String(n).padStart(width, '0');",
    '}',
    '',
    'export interface FormatOptions {',
    '  readonly width?: number;',
    '}',
    '',
    'export function unused(a: string): string {',
    ...Array.from({ length: 30 }, (_, i) => `  a += ${JSON.stringify(`line ${i} of a long body that the builder should not send`)};`),
    '  return a;',
    '}',
  ].join('\n')],
  ['src/util/index.ts', "export { pad, type FormatOptions } from './format';\nexport * from './math';\n"],
  ['src/util/math.ts', [
    'export const TAU = 6.283185307179586;',
    'export function clamp(x: number, lo: number, hi: number): number {',
    ...Array.from({ length: 20 }, (_, i) => `  // step ${i}: a comment and some code\n  x = Math.min(hi, Math.max(lo, x + ${i} - ${i}));`),
    '  return x;',
    '}',
    'export class Counter {',
    '  private n = 0;',
    '  inc(): number {',
    '    return ++this.n;',
    '  }',
    '}',
  ].join('\n')],
  ['src/app/main.ts', [
    "import { pad, clamp, type FormatOptions } from '../util';",
    "import * as math from '../util/math';",
    "import assert from 'node:assert/strict';",
    '',
    'export function main(o: FormatOptions): string {',
    '  assert.ok(math.TAU > 6);',
    '  return pad(clamp(3, 0, 9), o.width);',
    '}',
  ].join('\n')],
  ['README.md', '# Demo\n\nNot code.\n'],
]);

describe('light scanner (no TypeScript parser)', () => {
  it('reads the same imports as the TypeScript scanner on the analysis fixture', () => {
    for (const file of listFiles(FIXTURE).filter((f) => /\.[jt]s$/.test(f))) {
      const text = readFileSync(path.join(FIXTURE, file), 'utf8');
      const key = (r: { specifier: string; kind: string; names: readonly string[] }) => `${r.kind} ${r.specifier} [${[...r.names].sort().join(',')}]`;
      assert.deepEqual(scanImportsLight(file, text).map(key).sort(), tsScanner.scanImports(file, text).map(key).sort(), file);
      const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name).sort();
      assert.deepEqual(names(scanExportsLight(file, text)), names(tsScanner.scanExports(file, text)), file);
    }
  });

  it('cuts bodies from signatures and ignores non-code files', () => {
    const exports = scanExportsLight('src/util/format.ts', FILES.get('src/util/format.ts')!);
    const pad = exports.find((e) => e.name === 'pad')!;
    assert.equal(pad.kind, 'function');
    assert.equal(pad.signature, "export function pad(n: number, width = 2): string;");
    assert.match(exports.find((e) => e.name === 'FormatOptions')!.signature, /readonly width\?: number;/);
    assert.deepEqual(scanImportsLight('README.md', "import x from './y';"), []);
  });
});

describe('context builder over an in-memory workspace (the workflow bench wiring)', () => {
  it('includes every imported symbol and is smaller than full-file context', async () => {
    const graph = await buildMemoryGraph(FILES);
    assert.ok(graph.graph.has('README.md'), 'non-code files are listed so they can be shown as task files');
    const built = await buildContext(graph, { task: 'Print the padded value', files: ['src/app/main.ts'], budgetTokens: 400 });
    const names = built.symbols.map((s) => `${s.name}@${s.declaredIn ?? '?'}`).sort();
    assert.deepEqual(names, ['FormatOptions@src/util/format.ts', 'clamp@src/util/math.ts', 'pad@src/util/format.ts']);
    for (const s of built.symbols) assert.ok(built.text.includes(s.name), s.name);
    assert.ok(built.text.includes('TAU'), 'the namespace import brings every export of math.ts');
    assert.ok(!built.text.includes('long body'), 'bodies of unused declarations are not sent');
    const full = await fullFileContextTokens(graph, ['src/app/main.ts']);
    const m = await measureContextReduction(graph, [{ id: 't', text: 'Print the padded value', files: ['src/app/main.ts'] }]);
    assert.equal(m.allSymbolsPresent, true);
    assert.ok(m.builtTokens < full, `${m.builtTokens} < ${full}`);
  });

  it('summarizes the bench samples and checks the two context targets', () => {
    const mode = (input: number) => ({ input_tokens: input, cache_write_tokens: 0, cache_read_tokens: 0 }) as ModeMetrics;
    const c = summarizeContext([
      { builtTokens: 100, workspaceTokens: 1_000, fullFileTokens: 80, importedSymbols: 2, missingSymbols: [] },
      { builtTokens: 300, workspaceTokens: 1_000, fullFileTokens: 320, importedSymbols: 0, missingSymbols: [] },
    ], mode(10_000), mode(1_000));
    assert.equal(c.reduction_vs_full_workspace, 0.8);
    assert.equal(c.coder_input_tokens_ratio, 0.1);
    assert.deepEqual(contextTargets(c), { context_cut_at_least_60pct: true, all_imported_symbols_present: true });
    const bad = summarizeContext([{ builtTokens: 10, workspaceTokens: 20, fullFileTokens: 10, importedSymbols: 1, missingSymbols: ['x'] }], mode(1), mode(1));
    assert.deepEqual(contextTargets(bad), { context_cut_at_least_60pct: false, all_imported_symbols_present: false });
  });
});
