import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseDagPanelMessage,
  resolveInWorkspace,
  workspaceRelativeSegments,
} from '../../src/extension/dagPanel/dagPanelMessages';

describe('parseDagPanelMessage', () => {
  it('accepts ready and a workspace-relative openFile', () => {
    assert.deepEqual(parseDagPanelMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    assert.deepEqual(parseDagPanelMessage({ type: 'openFile', path: 'src/core/plan/a.ts' }), {
      ok: true,
      message: { type: 'openFile', path: 'src/core/plan/a.ts' },
    });
    assert.equal(parseDagPanelMessage({ type: 'openFile', path: './README.md' }).ok, true);
    assert.equal(parseDagPanelMessage({ type: 'openFile', path: 'docs/a..b.md' }).ok, true, '".." inside a name is fine');
  });

  it('rejects non-objects, a missing or unknown type, and a missing path', () => {
    for (const raw of [undefined, null, 'ready', 42, [], {}, { type: 'snapshot' }, { type: 'openFile' }, { type: 'openFile', path: 7 }]) {
      const r = parseDagPanelMessage(raw);
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) assert.ok(r.reason.length > 0);
    }
  });

  it('rejects extra keys', () => {
    assert.equal(parseDagPanelMessage({ type: 'ready', junk: 1 }).ok, false);
    assert.equal(parseDagPanelMessage({ type: 'openFile', path: 'a.ts', line: 3 }).ok, false);
  });

  it('rejects paths that escape the workspace or are absolute', () => {
    const bad = [
      '',
      '../secret',
      'src/../../etc/passwd',
      'src\\..\\..\\x',
      '..',
      '/etc/passwd',
      '\\\\server\\share\\x',
      'C:\\Windows\\win.ini',
      'c:/x',
      'file:///etc/passwd',
      '~/.ssh/id_rsa',
      'a\u0000b',
      '.',
      'x'.repeat(2000),
    ];
    for (const path of bad) {
      assert.equal(parseDagPanelMessage({ type: 'openFile', path }).ok, false, JSON.stringify(path));
    }
  });
});

describe('workspace paths', () => {
  it('splits a relative path into safe segments', () => {
    assert.deepEqual(workspaceRelativeSegments('src//core/./a.ts'), ['src', 'core', 'a.ts']);
    assert.deepEqual(workspaceRelativeSegments('src\\core\\a.ts'), ['src', 'core', 'a.ts']);
    assert.equal(workspaceRelativeSegments('a/../b'), undefined);
  });

  it('resolves only inside the folder', () => {
    assert.equal(resolveInWorkspace('/home/u/proj', 'src/a.ts'), '/home/u/proj/src/a.ts');
    assert.equal(resolveInWorkspace('/c:/Users/u/proj', 'src/a.ts'), '/c:/Users/u/proj/src/a.ts');
    assert.equal(resolveInWorkspace('/home/u/proj', '../proj2/a.ts'), undefined);
    assert.equal(resolveInWorkspace('/home/u/proj', '/etc/passwd'), undefined);
    assert.equal(resolveInWorkspace('/home/u/proj', '.'), undefined);
  });
});
