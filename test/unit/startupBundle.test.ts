import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** The real build's configs: imported, esbuild.mjs only describes the build. */
async function extensionConfig(): Promise<{ extension: esbuild.BuildOptions; all: readonly esbuild.BuildOptions[] }> {
  const { configs } = (await import(pathToFileURL(path.resolve('esbuild.mjs')).href)) as { configs: esbuild.BuildOptions[] };
  const names = (c: esbuild.BuildOptions) => Object.keys(c.entryPoints as Record<string, string>);
  const extension = configs.find((c) => names(c).includes('extension'));
  assert.ok(extension, 'esbuild.mjs builds dist/extension.js');
  return { extension, all: configs };
}

/**
 * Loads a bundle with a stand-in `vscode` (every member a callable, constructible proxy: only the
 * module's top level runs, no command) and lists the relative files it required.
 */
const LOAD_SCRIPT = `
const Module = require('node:module');
const bundle = process.argv[1];
const names = [...new Set([...require('node:fs').readFileSync(bundle, 'utf8').matchAll(/\\bvscode\\d*\\.([A-Za-z_$][\\w$]*)/g)].map((m) => m[1]))];
const any = { get: (_t, p) => (p === 'then' ? undefined : new Proxy(function () {}, any)), apply: () => new Proxy(function () {}, any), construct: () => new Proxy({}, any) };
const vscode = Object.fromEntries(names.map((n) => [n, new Proxy(function () {}, any)]));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
const requested = [];
const load = Module._load;
Module._load = function (request, ...rest) { if (request.startsWith('.')) requested.push(request); return load.call(this, request, ...rest); };
require(bundle);
process.stdout.write(JSON.stringify(requested));
`;

describe('extension start-up', () => {
  it('keeps vectra and ioredis out of extension.js: each is its own bundle, required on first use only (L3, team mode)', async () => {
    const { extension, all } = await extensionConfig();
    const out = mkdtempSync(path.join(tmpdir(), 'helios-startup-'));
    try {
      const result = await esbuild.build({ ...extension, outdir: out, sourcemap: false, minify: false, metafile: true, logLevel: 'silent' });
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint === 'src/extension/extension.ts');
      const loaded = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, path.join(out, 'extension.js')], { encoding: 'utf8' });
      assert.equal(loaded.status, 0, loaded.stderr);
      for (const name of ['vectra', 'ioredis']) {
        const bundled = Object.keys(result.metafile.inputs).filter((f) => f.includes(`node_modules/${name}/`));
        assert.deepEqual(bundled, [], `${name} is compiled at every activation when it is inside extension.js`);
        assert.deepEqual(output?.imports.filter((i) => i.path.includes(name)).map((i) => [i.path, i.external]), [[`./${name}.js`, true]]);
        assert.ok(all.some((c) => (c.entryPoints as Record<string, string>)[name] === name), `the build makes dist/${name}.js`);
        assert.ok(!(JSON.parse(loaded.stdout) as string[]).includes(`./${name}.js`), `required at load: ${loaded.stdout}`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
