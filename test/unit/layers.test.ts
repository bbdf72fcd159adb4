import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The layer rule over every source file, including files no bundle reaches (the esbuild plugin
 * checks only what is bundled): shared ← core ← infra ← extension/cli, webview → shared, and
 * simulator → shared (a standalone fake API server that only extension/cli start).
 */
const ALLOWED: Record<string, string[]> = {
  shared: [], core: ['shared'], infra: ['core', 'shared'], extension: ['infra', 'core', 'shared', 'simulator'], cli: ['infra', 'core', 'shared', 'simulator'],
  webview: ['shared'], simulator: ['shared'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(n) ? [full] : [];
  });
}

describe('layer rule', () => {
  it('no file imports a layer it may not', () => {
    const violations: string[] = [];
    for (const file of sources('src')) {
      const layer = path.relative('src', file).split(path.sep)[0]!;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec === 'vscode' && layer !== 'extension') violations.push(`${file} imports vscode`);
        if (layer === 'shared' && !spec.startsWith('.')) violations.push(`${file} imports ${spec}`);
        // The simulator stands alone: node's own modules and src/shared only, no npm package.
        if (layer === 'simulator' && !spec.startsWith('.') && !spec.startsWith('node:')) violations.push(`${file} imports ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = path.relative('src', path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
        if (target !== layer && !(ALLOWED[layer] ?? []).includes(target)) violations.push(`${file} imports src/${target}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('knows every folder under src/ (a new layer must be placed in the rule)', () => {
    const layers = readdirSync('src').filter((n) => statSync(path.join('src', n)).isDirectory());
    assert.deepEqual(layers.filter((l) => !(l in ALLOWED)), []);
  });
});
