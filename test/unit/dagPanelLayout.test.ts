import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DagNodeView } from '../../src/shared/protocol/dagPanel';
import { chooseRankDir, dependencyEdges, edgePathData, layoutDag, structureKey } from '../../src/webview/dag/layout';
import { checkLabels, ellipsize, formatCost, headerParts, statusLabel } from '../../src/webview/dag/format';
import { centerOn, fitTransform, MAX_ZOOM, MIN_ZOOM, parseViewState, zoomAround } from '../../src/webview/dag/viewTransform';

function node(id: string, dependsOn: string[] = []): DagNodeView {
  return {
    id,
    title: `Task ${id}`,
    description: '',
    taskType: 'code_generation',
    status: 'pending',
    priority: 3,
    estimatedTokens: 1000,
    dependsOn,
    files: [],
  };
}

/** A deterministic plan-shaped DAG: `levels` levels, each task depending on 1–3 earlier ones. */
function syntheticDag(count: number, levels = 8): DagNodeView[] {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const nodes: DagNodeView[] = [];
  const perLevel = Math.ceil(count / levels);
  for (let i = 0; i < count; i++) {
    const level = Math.floor(i / perLevel);
    const deps = new Set<string>();
    if (level > 0) {
      const wanted = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < wanted; k++) deps.add(`T${Math.floor(rand() * level * perLevel) + 1}`);
    }
    nodes.push(node(`T${i + 1}`, [...deps]));
  }
  return nodes;
}

describe('layoutDag', () => {
  it('lays out 120 tasks in finite, non-overlapping boxes inside the drawing, quickly', () => {
    const nodes = syntheticDag(120);
    const started = performance.now();
    const layout = layoutDag(nodes, { targetAspect: 16 / 10 });
    const ms = performance.now() - started;
    assert.ok(ms < 3000, `layout took ${ms.toFixed(0)} ms`);

    assert.equal(layout.nodes.length, 120);
    assert.ok(Number.isFinite(layout.width) && layout.width > 0);
    assert.ok(Number.isFinite(layout.height) && layout.height > 0);
    for (const b of layout.nodes) {
      for (const v of [b.x, b.y, b.width, b.height]) assert.ok(Number.isFinite(v), `${b.id} finite`);
      assert.ok(b.width > 0 && b.height > 0);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= layout.width + 0.5 && b.y + b.height <= layout.height + 0.5, `${b.id} inside`);
    }
    for (let i = 0; i < layout.nodes.length; i++) {
      for (let j = i + 1; j < layout.nodes.length; j++) {
        const a = layout.nodes[i]!;
        const b = layout.nodes[j]!;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
      }
    }
  });

  it('draws one edge per dependency, from the dependency to the dependent', () => {
    const nodes = syntheticDag(120);
    const layout = layoutDag(nodes);
    const expected = nodes.flatMap((n) => n.dependsOn.map((d) => `${d}->${n.id}`)).sort();
    assert.deepEqual(layout.edges.map((e) => `${e.from}->${e.to}`).sort(), expected);

    const boxes = new Map(layout.nodes.map((b) => [b.id, b]));
    const near = (p: { x: number; y: number }, id: string): boolean => {
      const b = boxes.get(id)!;
      return p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
    };
    for (const e of layout.edges) {
      assert.ok(e.points.length >= 2, `${e.from}->${e.to} has points`);
      assert.ok(e.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
      assert.ok(near(e.points[0]!, e.from), `${e.from}->${e.to} starts at ${e.from}`);
      assert.ok(near(e.points[e.points.length - 1]!, e.to), `${e.from}->${e.to} ends at ${e.to}`);
      assert.match(edgePathData(e.points, layout.rankDir), /^M[\d.-]+,[\d.-]+( C[\d.-]+,[\d.-]+ [\d.-]+,[\d.-]+ [\d.-]+,[\d.-]+)+$/);
    }
  });

  it('honours the requested direction', () => {
    const chain = [node('A'), node('B', ['A']), node('C', ['B'])];
    const tb = layoutDag(chain, { rankDir: 'TB' });
    const lr = layoutDag(chain, { rankDir: 'LR' });
    const pos = (l: typeof tb, id: string) => l.nodes.find((n) => n.id === id)!;
    assert.ok(pos(tb, 'A').y < pos(tb, 'B').y && pos(tb, 'B').y < pos(tb, 'C').y);
    assert.ok(pos(lr, 'A').x < pos(lr, 'B').x && pos(lr, 'B').x < pos(lr, 'C').x);
    assert.equal(tb.rankDir, 'TB');
  });

  it('drops unknown and self dependencies, collapses duplicates, and skips duplicate ids', () => {
    const nodes = [node('A'), node('B', ['A', 'A', 'B', 'ghost']), node('A', ['B'])];
    assert.deepEqual(dependencyEdges([node('A'), node('B', ['A', 'A', 'B', 'ghost'])]), [{ from: 'A', to: 'B' }]);
    const layout = layoutDag(nodes);
    assert.equal(layout.nodes.length, 2);
  });

  it('returns an empty drawing for no tasks', () => {
    assert.deepEqual(layoutDag([]), { rankDir: 'LR', width: 0, height: 0, nodes: [], edges: [] });
  });
});

describe('chooseRankDir', () => {
  it('lays a wide, shallow plan left to right in a landscape panel', () => {
    const roots = Array.from({ length: 30 }, (_, i) => node(`R${i}`));
    const leaves = Array.from({ length: 30 }, (_, i) => node(`L${i}`, [`R${i}`]));
    assert.equal(chooseRankDir([...roots, ...leaves], 1.6), 'LR');
  });

  it('lays a long chain top to bottom in a landscape panel, and a short one top to bottom in a tall panel', () => {
    const chain = Array.from({ length: 10 }, (_, i) => node(`C${i}`, i > 0 ? [`C${i - 1}`] : []));
    assert.equal(chooseRankDir(chain, 1.6), 'TB');
    assert.equal(chooseRankDir([node('A'), node('B', ['A'])], 0.3), 'TB');
  });

  it('survives a cycle', () => {
    assert.ok(['TB', 'LR'].includes(chooseRankDir([node('A', ['B']), node('B', ['A'])])));
    assert.equal(layoutDag([node('A', ['B']), node('B', ['A'])]).nodes.length, 2);
  });
});

describe('structureKey', () => {
  it('changes with the graph, not with status', () => {
    const a = [node('A'), node('B', ['A'])];
    const b = a.map((n) => ({ ...n, status: 'done' as const }));
    assert.equal(structureKey('p', a), structureKey('p', b));
    assert.notEqual(structureKey('p', a), structureKey('p', [node('A'), node('B')]));
    assert.notEqual(structureKey('p', a), structureKey('q', a));
  });
});

describe('view transform', () => {
  it('zooms around the cursor: the layout point under it stays put', () => {
    const t = { zoom: 0.5, panX: 30, panY: -20 };
    const [cx, cy] = [200, 150];
    const before = { x: (cx - t.panX) / t.zoom, y: (cy - t.panY) / t.zoom };
    const z = zoomAround(t, 1.7, cx, cy);
    assert.ok(Math.abs(before.x * z.zoom + z.panX - cx) < 1e-9);
    assert.ok(Math.abs(before.y * z.zoom + z.panY - cy) < 1e-9);
  });

  it('clamps zoom', () => {
    assert.equal(zoomAround({ zoom: 1, panX: 0, panY: 0 }, 1e6, 0, 0).zoom, MAX_ZOOM);
    assert.equal(zoomAround({ zoom: 1, panX: 0, panY: 0 }, 1e-6, 0, 0).zoom, MIN_ZOOM);
  });

  it('fits the whole drawing, centred, without enlarging small graphs', () => {
    const content = { width: 3000, height: 1500 };
    const viewport = { width: 1200, height: 800 };
    const t = fitTransform(content, viewport, 24);
    assert.ok(content.width * t.zoom <= viewport.width - 48 + 1e-9);
    assert.ok(content.height * t.zoom <= viewport.height - 48 + 1e-9);
    assert.ok(Math.abs(t.panX + (content.width * t.zoom) / 2 - viewport.width / 2) < 1e-9);
    assert.ok(Math.abs(t.panY + (content.height * t.zoom) / 2 - viewport.height / 2) < 1e-9);
    assert.equal(fitTransform({ width: 100, height: 50 }, viewport).zoom, 1);
    assert.deepEqual(fitTransform({ width: 0, height: 0 }, viewport), { zoom: 1, panX: 0, panY: 0 });
  });

  it('centres on a point', () => {
    const t = centerOn({ zoom: 2, panX: 0, panY: 0 }, { x: 100, y: 50 }, { width: 800, height: 600 });
    assert.equal(100 * t.zoom + t.panX, 400);
    assert.equal(50 * t.zoom + t.panY, 300);
  });

  it('accepts only a well-formed saved view state', () => {
    assert.deepEqual(parseViewState({ zoom: 0.5, panX: 1, panY: 2, selectedId: 'T1' }), { zoom: 0.5, panX: 1, panY: 2, selectedId: 'T1' });
    assert.deepEqual(parseViewState({ zoom: 99, panX: 1, panY: 2 }), { zoom: MAX_ZOOM, panX: 1, panY: 2 });
    for (const bad of [undefined, null, 'x', { zoom: '1', panX: 0, panY: 0 }, { zoom: NaN, panX: 0, panY: 0 }, { zoom: 1 }]) {
      assert.equal(parseViewState(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('node text', () => {
  it('ellipsizes by display columns, counting Hangul and CJK as two', () => {
    assert.equal(ellipsize('Short title', 20), 'Short title');
    assert.equal(ellipsize('A rather long task title that will not fit', 20), 'A rather long task…');
    const korean = ellipsize('데이터베이스 스키마와 마이그레이션을 설계한다', 20);
    const cols = Array.from(korean).reduce((w, ch) => w + (/[\uac00-\ud7a3]/.test(ch) ? 2 : 1), 0);
    assert.ok(korean.endsWith('…') && cols <= 20, `${korean} is ${cols} columns`);
    assert.equal(ellipsize('  spaced\n\tout  ', 20), 'spaced out');
  });

  it('formats the header', () => {
    const strings = {
      empty: '', plannedBy: 'planned by', tasks: 'tasks', tokens: 'tokens', fitToView: '', dependsOn: '', files: '',
      statuses: { pending: '', ready: '', running: '', done: '', failed: '', skipped: '' }, checks: CHECKS,
    taskTypes: TASK_TYPE_NAMES, attempts: '{0} attempts', priority: 'priority {0}',
    };
    const parts = headerParts(
      { planId: 'p', prdPath: 'PRD.md', plannedBy: 'claude-opus-5-5', provider: 's', createdAt: '', totalTokens: 1234, costUsd: 0.5, nodes: [node('A')] },
      strings,
    );
    assert.equal(parts[0], 'PRD.md');
    assert.equal(parts[1], 'planned by claude-opus-5-5');
    assert.match(parts[2]!, /^1 tasks$/);
    assert.match(parts[3]!, /^1[,.\s]?234 tokens$/);
    assert.equal(parts[4], '$0.50');
    assert.equal(formatCost(0.0012), '$0.0012');
  });
});

describe('statusLabel', () => {
  it('uses the localized name, or the raw status when the host sent none', () => {
    const strings = {
      empty: '', plannedBy: '', tasks: '', tokens: '', fitToView: '', dependsOn: '', files: '',
      statuses: { pending: '대기', ready: '준비', running: '실행 중', done: '완료', failed: '실패', skipped: '건너뜀' }, checks: CHECKS,
      taskTypes: TASK_TYPE_NAMES, attempts: '{0}회 시도', priority: '우선순위 {0}',
    };
    assert.equal(statusLabel(strings, 'done'), '완료');
    const { statuses: _omitted, ...older } = strings;
    assert.equal(statusLabel(older as typeof strings, 'failed'), 'failed');
  });
});

/** English, as dagPanelStrings() returns it (that module needs `vscode`). */
const TASK_TYPE_NAMES = {
  architectural_reasoning: 'Architecture', high_level_planning: 'Planning', code_generation: 'Code generation',
  boilerplate_generation: 'Boilerplate', refactoring: 'Refactoring', unit_test: 'Unit tests', integration_test: 'Integration tests',
  code_review: 'Code review', documentation: 'Documentation', bug_fix: 'Bug fix',
};
const CHECKS = {
  verified: 'verified', verifyFailed: 'verify failed', verifyFailedTests: 'failed: {0} tests',
  notVerified: 'not verified (no sandbox available)', approved: 'approved', changesRequested: 'changes requested',
  merged: 'merged', rebased: 'rebased (+{0})', conflicted: 'conflict: overlaps another task', stale: 'stale', rerun: 're-run (earlier {0})',
};

describe('checkLabels', () => {
  const strings = {
    empty: '', plannedBy: '', tasks: '', tokens: '', fitToView: '', dependsOn: '', files: '',
    statuses: { pending: '', ready: '', running: '', done: '', failed: '', skipped: '' }, checks: CHECKS,
    taskTypes: TASK_TYPE_NAMES, attempts: '{0} attempts', priority: 'priority {0}',
  };
  const ran = (run: Partial<NonNullable<DagNodeView['run']>>): DagNodeView => ({ ...node('A'), run: { tokens: 1, costUsd: 0, attempts: 1, ...run } });

  it('shows what verified and reviewed the change, with the failing test count', () => {
    assert.deepEqual(checkLabels(ran({ verification: { status: 'passed' }, review: { verdict: 'approve', findings: 2, rounds: 1 } }), strings), ['✓ verified', '✓ approved']);
    assert.deepEqual(checkLabels(ran({ verification: { status: 'failed', failedTests: 3 } }), strings), ['✗ failed: 3 tests']);
    assert.deepEqual(checkLabels(ran({ verification: { status: 'failed' } }), strings), ['✗ verify failed']);
    assert.deepEqual(checkLabels(ran({ verification: { status: 'unavailable' }, review: { verdict: 'request_changes', findings: 1, rounds: 2 } }), strings), ['○ not verified (no sandbox available)', '✎ changes requested']);
  });

  it('shows how the change reached the plan\'s tree, a rebase with its extra cost', () => {
    assert.deepEqual(checkLabels(ran({ integration: { status: 'merged' } }), strings), ['⇄ merged']);
    assert.deepEqual(checkLabels(ran({ review: { verdict: 'approve', findings: 0, rounds: 1 }, integration: { status: 'rebased', rebaseCostUsd: 0.0123 } }), strings), ['✓ approved', '↻ rebased (+$0.0123)']);
    assert.deepEqual(checkLabels(ran({ integration: { status: 'conflicted' } }), strings), ['⚠ conflict: overlaps another task']);
    assert.deepEqual(checkLabels(ran({ integration: { status: 'integrated' } }), strings), [], 'a plain fast-forward says nothing');
    assert.deepEqual(checkLabels(ran({ integration: { status: 'stale' } }), strings), ['⚠ stale']);
    assert.deepEqual(checkLabels(ran({ earlierCostUsd: 0.5 }), strings), ['⟳ re-run (earlier $0.5000)'], 'a re-run says what its stale run cost');
  });

  it('says nothing for a task that has not run, or a host without the strings', () => {
    assert.deepEqual(checkLabels(node('A'), strings), []);
    const { checks: _omitted, ...older } = strings;
    assert.deepEqual(checkLabels(ran({ verification: { status: 'passed' } }), older as typeof strings), []);
  });
});
