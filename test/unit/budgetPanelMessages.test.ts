import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBudgetPanelMessage } from '../../src/extension/budgetPanel/budgetPanelMessages';
import { BUDGET_PANEL_COMMANDS } from '../../src/shared/protocol/budgetPanel';
import { isHostMessage, parseViewState } from '../../src/webview/budget/vscodeApi';

describe('parseBudgetPanelMessage', () => {
  it('accepts ready and each of the four commands', () => {
    assert.deepEqual(parseBudgetPanelMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    for (const command of ['pause', 'resume', 'openSettings', 'showLog']) {
      assert.deepEqual(parseBudgetPanelMessage({ type: 'command', command }), { ok: true, message: { type: 'command', command } });
    }
    assert.deepEqual([...BUDGET_PANEL_COMMANDS], ['pause', 'resume', 'openSettings', 'showLog']);
  });

  it('rejects non-objects, unknown types and unknown or missing commands', () => {
    const bad: unknown[] = [
      undefined, null, 'ready', 42, [], {}, { type: 'snapshot' }, { type: 'openFile', path: 'a.ts' },
      { type: 'command' }, { type: 'command', command: 'helios.pause' }, { type: 'command', command: 'workbench.action.quit' },
      { type: 'command', command: 'Pause' }, { type: 'command', command: ['pause'] }, { type: 'command', command: 1 },
      { type: 'command', command: '__proto__' },
    ];
    for (const raw of bad) {
      const r = parseBudgetPanelMessage(raw);
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) assert.ok(r.reason.length > 0);
    }
  });

  it('rejects extra keys, so a page cannot smuggle arguments to a command', () => {
    assert.equal(parseBudgetPanelMessage({ type: 'ready', junk: 1 }).ok, false);
    assert.equal(parseBudgetPanelMessage({ type: 'command', command: 'pause', args: ['x'] }).ok, false);
  });

  it('names the offending field in the reason', () => {
    const r = parseBudgetPanelMessage({ type: 'command', command: 'format' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /command/);
  });
});

describe('budget page guards', () => {
  const snapshotLike = { used: 1, cap: 2, period: {}, byFamily: {}, history: [], perProject: [], sources: [], recentWindows: [] };

  it('takes a snapshot message (or a null snapshot) and nothing malformed', () => {
    assert.equal(isHostMessage({ type: 'snapshot', snapshot: snapshotLike, strings: {} }), true);
    assert.equal(isHostMessage({ type: 'snapshot', snapshot: null, strings: {} }), true);
    for (const bad of [null, 'x', {}, { type: 'snapshot', snapshot: snapshotLike }, { type: 'snapshot', snapshot: {}, strings: {} },
      { type: 'snapshot', snapshot: { ...snapshotLike, history: null }, strings: {} },
      { type: 'snapshot', snapshot: { ...snapshotLike, sources: undefined }, strings: {} }, { type: 'other', snapshot: null, strings: {} }]) {
      assert.equal(isHostMessage(bad), false, JSON.stringify(bad));
    }
  });

  it('restores only known collapsed sections', () => {
    assert.deepEqual(parseViewState({ collapsed: ['windows', 'bogus', 3, 'history'] }), { collapsed: ['windows', 'history'] });
    assert.deepEqual(parseViewState(undefined), { collapsed: [] });
    assert.deepEqual(parseViewState({ collapsed: 'windows' }), { collapsed: [] });
  });
});
