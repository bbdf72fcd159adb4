/**
 * What the .vsix holds, decided by vsce itself: the real package.json and .vscodeignore are put in
 * a scratch folder beside stand-ins for every file a build leaves (each esbuild output, source
 * maps, the sandbox runtime as esbuild.mjs copies it, the repository's media), and vsce's own
 * `listFiles` says which of them it would package. A stand-in tree keeps the test independent of
 * whether dist/ was built, and in production mode, before it runs.
 */
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { listFiles, PackageManager } from '@vscode/vsce';
import type { BuildOptions } from 'esbuild';

interface Manifest {
  main: string;
  icon?: string;
  bin?: Record<string, string>;
  repository?: { type: string; url: string };
  galleryBanner?: { color: string; theme: string };
  keywords?: string[];
  scripts: Record<string, string>;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;

/** The bundles esbuild.mjs writes, as paths under the repository (dist/extension.js, …). */
async function buildOutputs(): Promise<Map<string, BuildOptions>> {
  const { configs } = (await import(pathToFileURL(path.resolve('esbuild.mjs')).href)) as { configs: BuildOptions[] };
  const out = new Map<string, BuildOptions>();
  for (const config of configs) {
    for (const name of Object.keys(config.entryPoints as Record<string, string>)) out.set(`${config.outdir}/${name}.js`, config);
  }
  return out;
}

function filesUnder(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, root) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** What esbuild.mjs copies of the sandbox runtime to dist/node_modules, in kind. */
const SANDBOX_RUNTIME = 'dist/node_modules/@anthropic-ai/sandbox-runtime';
const ZOD = `${SANDBOX_RUNTIME}/node_modules/zod`;
const RUNTIME_NEEDED = [
  `${SANDBOX_RUNTIME}/package.json`,
  `${SANDBOX_RUNTIME}/LICENSE`,
  `${SANDBOX_RUNTIME}/dist/index.js`,
  `${SANDBOX_RUNTIME}/vendor/seccomp/x64/apply-seccomp`,
  `${SANDBOX_RUNTIME}/vendor/seccomp/arm64/apply-seccomp`,
  `${ZOD}/package.json`,
  `${ZOD}/index.cjs`,
  `${ZOD}/v3/index.js`,
  `${ZOD}/v3/index.cjs`,
  'dist/node_modules/commander/esm.mjs',
  'dist/node_modules/node-forge/lib/index.js',
];
const RUNTIME_UNUSED = [`${ZOD}/src/v3/types.ts`, `${ZOD}/v3/index.d.cts`, 'dist/node_modules/node-forge/flash/swf/SocketPool.swf'];

describe('the .vsix', () => {
  let scratch: string;
  let shipped: Set<string>;
  let outputs: Map<string, BuildOptions>;
  const mediaFiles = filesUnder('media').map((f) => `media/${f}`);

  before(async () => {
    outputs = await buildOutputs();
    scratch = mkdtempSync(path.join(tmpdir(), 'helios-vsix-'));
    const put = (file: string, from?: string) => {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      if (from) copyFileSync(from, path.join(scratch, file));
      else writeFileSync(path.join(scratch, file), '');
    };
    for (const file of ['package.json', '.vscodeignore', 'package.nls.json', 'package.nls.ko.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) put(file, file);
    for (const file of filesUnder('l10n')) put(`l10n/${file}`, `l10n/${file}`);
    for (const file of mediaFiles) put(file, file);
    // What a build leaves in dist/: the bundles, their source maps (development builds), the runtime.
    for (const file of outputs.keys()) {
      put(file);
      put(`${file}.map`);
    }
    for (const file of [...RUNTIME_NEEDED, ...RUNTIME_UNUSED]) put(file);
    // Never packaged: the sources, the tests, a .vsix lying around, the README's images.
    for (const file of ['src/extension/extension.ts', 'test/unit/a.test.ts', 'helios-0.1.0.vsix', 'media/readme/dag.png', 'tsconfig.json']) put(file);
    const files = await listFiles({ cwd: scratch, packageManager: PackageManager.None });
    shipped = new Set(files.map((f) => f.split(path.sep).join('/')));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('leaves out the command line, which nothing in the extension runs', () => {
    assert.ok(outputs.has('dist/cli.js'), 'esbuild.mjs builds dist/cli.js');
    assert.ok(!shipped.has('dist/cli.js'), 'dist/cli.js is packaged');
  });

  it('ships the entry point and every other bundle the build writes', () => {
    assert.ok(shipped.has(path.posix.normalize(pkg.main)), `main (${pkg.main}) is not packaged`);
    const missing = [...outputs.keys()].filter((file) => file !== 'dist/cli.js' && !shipped.has(file));
    assert.deepEqual(missing, [], 'bundles left out of the .vsix');
  });

  it('ships the manifest, its translations, the docs, the icon and the panels\' media', () => {
    const expected = ['package.json', 'package.nls.json', 'package.nls.ko.json', 'README.md', 'CHANGELOG.md', 'LICENSE', ...filesUnder('l10n').map((f) => `l10n/${f}`), ...mediaFiles.filter((f) => !f.startsWith('media/readme/') && f !== 'media/icon.svg')];
    assert.deepEqual(expected.filter((f) => !shipped.has(f)), []);
  });

  it('ships what Node loads of the sandbox runtime, and not its sources', () => {
    assert.deepEqual(RUNTIME_NEEDED.filter((f) => !shipped.has(f)), [], 'runtime files left out');
    assert.deepEqual(RUNTIME_UNUSED.filter((f) => shipped.has(f)), [], 'unused runtime files packaged');
  });

  it('leaves out source maps, sources, tests, the README\'s images and the icon\'s SVG', () => {
    const unwanted = [...shipped].filter((f) => f.endsWith('.map') || f === 'media/icon.svg' || /^(src|test|media\/readme)\//.test(f) || f.endsWith('.vsix') || f === 'tsconfig.json');
    assert.deepEqual(unwanted, []);
  });

  it('has a square PNG icon of the size its SVG source declares, at least 128 px', () => {
    assert.equal(pkg.icon, 'media/icon.png');
    const size = pngSize(readFileSync(pkg.icon));
    assert.ok(size, `${pkg.icon} is not a PNG`);
    const svg = readFileSync('media/icon.svg', 'utf8');
    const declared = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(svg);
    assert.ok(declared, 'media/icon.svg declares its width and height');
    assert.deepEqual(size, { width: Number(declared[1]), height: Number(declared[2]) });
    assert.ok(size.width === size.height && size.width >= 128, `icon is ${size.width}×${size.height}`);
  });

  it('names the repository (so no --allow-missing-repository) and the gallery banner', () => {
    assert.match(pkg.repository?.url ?? '', /^https:\/\//);
    assert.doesNotMatch(pkg.scripts['package'] ?? '', /--allow-missing-repository/);
    assert.match(pkg.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok((pkg.keywords ?? []).length > 0 && (pkg.keywords ?? []).length <= 30, 'vsce allows 1–30 keywords');
  });

  it('offers the command line as the package\'s npm bin, runnable as a script', () => {
    assert.equal(pkg.bin?.['helios'], 'dist/cli.js');
    const banner = outputs.get('dist/cli.js')?.banner as { js?: string } | undefined;
    assert.match(banner?.js ?? '', /^#!\/usr\/bin\/env node/);
    if (!existsSync('dist/cli.js')) return;
    const head = Buffer.alloc(20);
    const fd = openSync('dist/cli.js', 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    assert.match(head.toString('utf8'), /^#!\/usr\/bin\/env node\n/, 'dist/cli.js starts with its shebang');
  });
});
