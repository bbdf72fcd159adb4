import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolvePythonImport } from '../../src/core/analysis/pythonResolver';
import { buildContext } from '../../src/core/context/contextBuilder';
import { openWorkspaceGraph, type OpenGraph } from '../../src/infra/analysis/workspaceAnalysis';
import { localTargets, writeRepo } from '../fixtures/analysis/python/fixtureRepo';

/** Hand-written cases a user would notice: what a change to a module reaches, and what the Coder sees. */
const FILES: Record<string, string> = {
  'pkg/__init__.py': 'from .util import f, Config\n__all__ = ["f", "Config"]\n',
  'pkg/util.py': 'import os\n\ndef f(x: int, *, scale: float = 1.0) -> int:\n    """Scales x."""\n    return int(x * scale) + len(os.sep)\n\nclass Config:\n    name: str\n    def load(self, path: str) -> "Config":\n        return self\n    def _private(self):\n        pass\n\nLIMIT: int = 10\n_hidden = 3\n',
  'pkg/sub/__init__.py': '',
  'pkg/sub/deep.py': 'from ..util import LIMIT\nfrom .. import util\n\ndef g() -> int:\n    return LIMIT\n',
  'app/__init__.py': '',
  'app/main.py': 'from pkg.util import f\nimport pkg.sub.deep\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import Config\n\ndef run() -> int:\n    return f(2) + pkg.sub.deep.g()\n',
  'app/cli.py': 'from . import main\nimport requests\n\ndef cli():\n    main.run()\n',
  'src/lib/__init__.py': '',
  'src/lib/core.py': 'from lib.helpers import h\n',
  'src/lib/helpers.py': 'def h(): ...\n',
};

let work: string;
let open: OpenGraph;
before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'helios-python-'));
  writeRepo(work, FILES);
  open = await openWorkspaceGraph({ root: work });
});
after(() => rmSync(work, { recursive: true, force: true }));

const targets = (file: string) => localTargets(open.workspace, file);

describe('Python dependency graph (tree-sitter)', () => {
  it('resolves absolute, relative, package and src/ imports as grimp does', () => {
    assert.deepEqual(targets('app/main.py'), ['pkg/__init__.py', 'pkg/sub/deep.py', 'pkg/util.py']);
    assert.deepEqual(targets('pkg/sub/deep.py'), ['pkg/util.py']);
    assert.deepEqual(targets('pkg/__init__.py'), ['pkg/util.py']);
    assert.deepEqual(targets('app/cli.py'), ['app/main.py']);
    assert.deepEqual(targets('src/lib/core.py'), ['src/lib/helpers.py']);
    assert.ok(open.workspace.graph.dependencies('app/cli.py').some((e) => e.external && e.to === 'requests'));
  });

  it('flags imports under `if TYPE_CHECKING:` as type-only', () => {
    const edge = open.workspace.graph.dependencies('app/main.py').find((e) => e.to === 'pkg/__init__.py');
    assert.equal(edge?.typeOnly, true);
  });

  it('a change to pkg/util.py puts every importer, direct and transitive, in the impact set', () => {
    assert.deepEqual(open.workspace.graph.impactSet(['pkg/util.py']), ['app/cli.py', 'app/main.py', 'pkg/__init__.py', 'pkg/sub/deep.py']);
    assert.deepEqual(open.workspace.graph.impactSet(['src/lib/helpers.py']), ['src/lib/core.py']);
  });

  it('exports public signatures without bodies; __init__ re-exports lead to the declaration', async () => {
    const exports = await open.workspace.exportsOf('pkg/util.py');
    assert.deepEqual(exports.map((s) => s.name), ['f', 'Config', 'LIMIT', 'util']);
    assert.equal(exports[0]?.signature, 'def f(x: int, *, scale: float = 1.0) -> int: ...');
    assert.equal(exports[1]?.signature, 'class Config:\n    name: str\n    def load(self, path: str) -> "Config": ...');
    assert.equal(exports[2]?.signature, 'LIMIT: int = 10');
    const init = await open.workspace.exportsOf('pkg/__init__.py');
    assert.deepEqual(init.map((s) => `${s.name}<${s.from}`), ['f<.util:f', 'Config<.util:Config', 'pkg<.:*']);
  });

  it("the Coder's context for app/main.py holds the imported signatures, not whole files", async () => {
    const built = await buildContext(open.workspace, { task: 'make run() print its result', files: ['app/main.py'], budgetTokens: 4000 });
    assert.ok(built.text.includes('def f(x: int, *, scale: float = 1.0) -> int'), built.text);
    assert.ok(built.text.includes('class Config'), built.text);
    assert.ok(!built.text.includes('Scales x.'), 'bodies and docstrings stay out');
    assert.ok(!built.text.includes('len(os.sep)'));
    assert.ok(built.text.includes('### Declarations used from other files\n```python\n') && built.text.includes('\n# pkg/util.py\ndef f('), built.text);
  });

  it('a module added later captures `from pkg import name` that landed on the package', async () => {
    writeFileSync(path.join(work, 'app/late.py'), 'from pkg import later\n');
    await open.workspace.update('app/late.py');
    assert.deepEqual(targets('app/late.py'), ['pkg/__init__.py']);
    writeFileSync(path.join(work, 'pkg/later.py'), 'def h(): ...\n');
    assert.equal(await open.workspace.update('pkg/later.py'), 'added');
    assert.deepEqual(targets('app/late.py'), ['pkg/later.py']);
  });

  it('an edit re-links only what it affects, as a cold build would', () => {
    open.workspace.updateText('app/cli.py', 'from pkg.sub import deep\n');
    assert.deepEqual(targets('app/cli.py'), ['pkg/sub/deep.py']);
    assert.deepEqual(open.workspace.graph.impactSet(['app/main.py']), []);
  });
});

describe('resolvePythonImport', () => {
  const has = (files: string[]) => (f: string) => files.includes(f);
  it('prefers a package over a module of the same name, and stops relative imports at the root', () => {
    assert.deepEqual(resolvePythonImport('a.b', 'x.py', has(['a/__init__.py', 'a/b.py', 'a/b/__init__.py'])), { kind: 'local', file: 'a/b/__init__.py' });
    assert.deepEqual(resolvePythonImport('...:x', 'a/m.py', has(['x.py'])), { kind: 'unresolved' });
    assert.deepEqual(resolvePythonImport('..:x', 'a/m.py', has(['x.py'])), { kind: 'local', file: 'x.py' });
    assert.deepEqual(resolvePythonImport('a.missing', 'x.py', has(['a/__init__.py'])), { kind: 'local', file: 'a/__init__.py', files: ['a/__init__.py'] });
    assert.deepEqual(resolvePythonImport('numpy:array', 'x.py', has([])), { kind: 'external', pkg: 'numpy' });
  });
});

describe('tree-sitter loading', () => {
  it('a workspace without Python or Go files never loads web-tree-sitter or a grammar', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'helios-ts-only-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b;\n");
      writeFileSync(path.join(dir, 'b.ts'), 'export const b = 1;\n');
      const script = `require('./src/infra/analysis/workspaceAnalysis').openWorkspaceGraph({ root: ${JSON.stringify(dir)} }).then(({ stats }) => {
        const loaded = Object.keys(require.cache).filter((k) => /web-tree-sitter|tree-sitter-(python|go)/.test(k));
        process.stdout.write(JSON.stringify({ files: stats.files, loaded, grammars: require('./src/infra/analysis/treeSitter').treeSitterLoad().languages }));
      });`;
      const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { files: 2, loaded: [], grammars: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
