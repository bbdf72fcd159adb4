import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectVerifyCommand, type ProjectReader } from '../../src/core/verify/detectCommand';

function reader(files: Record<string, string>): ProjectReader {
  return { readText: async (p) => files[p] };
}

const pkg = (scripts: Record<string, string>): string => JSON.stringify({ name: 'x', scripts });

describe('detectVerifyCommand', () => {
  it('runs the tests of a package with a real test script', async () => {
    const found = await detectVerifyCommand(reader({ 'package.json': pkg({ test: 'node --test', build: 'tsc' }), 'tsconfig.json': '{}' }));
    assert.deepEqual(found, { kind: 'npm_test', command: 'npm test' });
  });

  it("does not run npm's placeholder test script; builds instead", async () => {
    const found = await detectVerifyCommand(reader({ 'package.json': pkg({ test: 'echo "Error: no test specified" && exit 1', build: 'tsc -p .' }) }));
    assert.equal(found?.command, 'npm run build');
  });

  it('type-checks a TypeScript project without test or build scripts, never downloading a compiler', async () => {
    const found = await detectVerifyCommand(reader({ 'package.json': pkg({ start: 'node .' }), 'tsconfig.json': '{}' }));
    assert.equal(found?.command, 'npx --no tsc --noEmit');
  });

  it('finds pytest from its config files, but not from any pyproject', async () => {
    assert.equal((await detectVerifyCommand(reader({ 'pytest.ini': '[pytest]' })))?.command, 'pytest');
    assert.equal((await detectVerifyCommand(reader({ 'pyproject.toml': '[tool.pytest.ini_options]\n' })))?.command, 'pytest');
    assert.equal(await detectVerifyCommand(reader({ 'pyproject.toml': '[tool.black]\n' })), undefined);
  });

  it('finds cargo and go projects', async () => {
    assert.equal((await detectVerifyCommand(reader({ 'Cargo.toml': '[package]' })))?.command, 'cargo test');
    assert.equal((await detectVerifyCommand(reader({ 'go.mod': 'module x' })))?.command, 'go test ./...');
  });

  it('prefers the package scripts in a polyglot repository', async () => {
    const found = await detectVerifyCommand(reader({ 'package.json': pkg({ test: 'vitest run' }), 'Cargo.toml': '', 'go.mod': '' }));
    assert.equal(found?.kind, 'npm_test');
  });

  it('finds nothing in a folder without a known project, or with a broken package.json', async () => {
    assert.equal(await detectVerifyCommand(reader({ 'README.md': '# hi' })), undefined);
    assert.equal(await detectVerifyCommand(reader({ 'package.json': '{ not json' })), undefined);
  });
});
