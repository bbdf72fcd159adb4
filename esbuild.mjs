// Bundles the extension host, the CLI and the webviews, and enforces the layer rule:
//   shared ← core ← infra ← extension/cli, webview → shared, and simulator → shared (the
//   embedded fake Messages API: only extension/cli start it; core and infra never import it).
// A forbidden import fails the build, so the rule does not depend on review.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(new URL(import.meta.url).pathname);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
/** Imported (by test/unit/startupBundle.test.ts), this file only describes the build. */
const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

/** Which layers each layer may import from (besides itself and npm packages). */
const ALLOWED = {
  shared: [],
  core: ['shared'],
  infra: ['core', 'shared'],
  extension: ['infra', 'core', 'shared', 'simulator'],
  cli: ['infra', 'core', 'shared', 'simulator'],
  webview: ['shared'],
  simulator: ['shared'],
};
/** Packages a layer may never import. */
const FORBIDDEN_PACKAGES = {
  shared: ['vscode'],
  core: ['vscode'],
  infra: ['vscode'],
  cli: ['vscode'],
  webview: ['vscode'],
  simulator: ['vscode'],
};

function layerOf(file) {
  const rel = path.relative(path.join(root, 'src'), file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(path.sep)[0];
}

const layerRule = {
  name: 'helios-layer-rule',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!args.importer) return undefined;
      const from = layerOf(args.importer);
      if (!from || !(from in ALLOWED)) return undefined;
      const isRelative = args.path.startsWith('.');
      if (!isRelative) {
        const pkg = args.path.split('/')[0];
        if ((FORBIDDEN_PACKAGES[from] ?? []).includes(pkg)) {
          return { errors: [{ text: `layer rule: src/${from} must not import '${args.path}' (${path.relative(root, args.importer)})` }] };
        }
        if (from === 'shared') {
          return { errors: [{ text: `layer rule: src/shared imports nothing ('${args.path}' in ${path.relative(root, args.importer)})` }] };
        }
        if (from === 'simulator' && !args.path.startsWith('node:')) {
          return { errors: [{ text: `layer rule: src/simulator imports only node: modules and src/shared ('${args.path}' in ${path.relative(root, args.importer)})` }] };
        }
        return undefined;
      }
      const to = layerOf(path.resolve(args.resolveDir, args.path));
      if (to && to !== from && !ALLOWED[from].includes(to)) {
        return { errors: [{ text: `layer rule: src/${from} must not import src/${to} (${path.relative(root, args.importer)} → ${args.path})` }] };
      }
      return undefined;
    });
  },
};

/**
 * Packages the extension loads on first use from a bundle of their own beside extension.js
 * (`dist/<name>.js`), through `import()`, which this build points at that file.
 * Bundled in, even behind `import()`, their code would be compiled at every activation: vectra,
 * with wink's English model, gpt-tokenizer, cheerio and axios, is 10.9 MB of a 13.8 MB
 * extension.js (numbers in src/core/cache/README.md); ioredis serves team mode only. A static
 * import fails the build.
 */
const LAZY_PACKAGES = ['vectra', 'ioredis'];

const lazyPackages = {
  name: 'helios-lazy-packages',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(?:${LAZY_PACKAGES.join('|')})$`) }, (args) => {
      if (args.kind === 'dynamic-import') return { path: `./${args.path}.js`, external: true };
      return { errors: [{ text: `'${args.path}' is loaded on first use from dist/${args.path}.js: reach it only through import() (${path.relative(root, args.importer)})` }] };
    });
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  plugins: [layerRule],
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};

export const configs = [
  {
    ...node,
    // `import()` stays `import()`: the lazy bundles resolve beside extension.js, and the sandbox
    // runtime (ESM, loaded by file URL) cannot be `require`d.
    plugins: [layerRule, lazyPackages],
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
  },
  ...LAZY_PACKAGES.map((name) => ({ ...node, entryPoints: { [name]: name }, outdir: 'dist' })),
  { ...node, entryPoints: { cli: 'src/cli/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // ts-morph and TypeScript (~14 MB) live in their own bundle, loaded on first analysis only.
  { ...node, entryPoints: { analysis: 'src/infra/analysis/workspaceAnalysis.ts' }, outdir: 'dist' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { dag: 'src/webview/dag/main.ts', budget: 'src/webview/budget/main.ts', dashboard: 'src/webview/dashboard/main.ts' },
    outdir: 'dist/webview',
  },
];

// A release build starts from an empty dist/, so no stale source maps are packaged.
if (isMain && production) rmSync(path.join(root, 'dist'), { recursive: true, force: true });

/**
 * Anthropic's sandbox runtime is not bundled: it runs binaries it ships (a seccomp filter, a proxy
 * agent) from its own folder, so it must stay a package on disk. A release build copies it and
 * its dependencies to dist/node_modules, where the extension's `require.resolve` finds it
 * (without its Windows helper: Helios does not verify on Windows yet).
 */
function copySandboxRuntime() {
  const seen = new Set();
  const copy = (name, from) => {
    // Node's lookup, by hand: `exports` may hide package.json from require.resolve.
    let dir;
    for (let at = from; !dir; at = path.dirname(at)) {
      const candidate = path.join(at, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) dir = candidate;
      else if (at === path.dirname(at)) throw new Error(`${name} (needed by ${from}) is not installed`);
    }
    const manifest = path.join(dir, 'package.json');
    if (seen.has(dir)) return;
    seen.add(dir);
    const target = path.join(root, 'dist', 'node_modules', path.relative(path.join(root, 'node_modules'), dir));
    cpSync(dir, target, { recursive: true, dereference: true, filter: (src) => !/\.(map|d\.ts|d\.mts|md)$/.test(src) && !src.includes(`${path.sep}srt-win`) });
    const deps = JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {};
    for (const dep of Object.keys(deps)) copy(dep, dir);
  };
  copy('@anthropic-ai/sandbox-runtime', root);
}

/**
 * web-tree-sitter's runtime and the Python and Go grammars are WASM files the analysis bundle
 * loads from beside itself (src/infra/analysis/treeSitter.ts), only for workspaces with such files.
 */
export const TREE_SITTER_WASM = ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm', 'tree-sitter-go/tree-sitter-go.wasm'];

function copyTreeSitterWasm() {
  for (const file of TREE_SITTER_WASM) cpSync(path.join(root, 'node_modules', file), path.join(root, 'dist', path.basename(file)));
}

if (isMain && watch) {
  copyTreeSitterWasm();
  for (const c of configs) await (await esbuild.context(c)).watch();
} else if (isMain) {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  copyTreeSitterWasm();
  if (production) copySandboxRuntime();
}
