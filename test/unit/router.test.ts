import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRoute } from '../../src/core/router/describeRoute';
import { dependantCounts } from '../../src/core/router/fanOut';
import {
  complexityScore, expectedCostUsd, failureProbability, nextStronger, opusShareOf, routeTask, routerTaskOf,
  type RouteInput, type RouterTask,
} from '../../src/core/router/router';
import { DEFAULT_ROUTER_SETTINGS, parseRouterSettings } from '../../src/core/router/routerSettings';
import { findModel, MODELS } from '../../src/shared/models';
import type { Task, TaskType } from '../../src/shared/taskGraph';

const task = (taskType: TaskType, over: Partial<RouterTask> = {}): RouterTask => ({
  taskType, descriptionChars: 400, files: 2, estimatedTokens: 2_000, ...over,
});
const route = (t: RouterTask, over: Partial<RouteInput> = {}) =>
  routeTask({ task: t, fanOut: 1, governorState: 'ok', opusShare: 0.1, ...over });

/** A large, complex task that many others wait for. */
const bigHub = task('code_generation', { descriptionChars: 1_500, files: 4, estimatedTokens: 8_000 });
const trivial = task('boilerplate_generation', { descriptionChars: 80, files: 1, estimatedTokens: 600 });

describe('routeTask: the default map', () => {
  const cases: Array<[TaskType, string, string]> = [
    ['architectural_reasoning', 'opus', 'claude-opus-5-5'],
    ['high_level_planning', 'opus', 'claude-opus-5-5'],
    ['code_review', 'opus', 'claude-opus-5-5'],
    ['boilerplate_generation', 'sonnet', 'claude-sonnet-5-5'],
    ['unit_test', 'sonnet', 'claude-sonnet-5-5'],
    ['refactoring', 'sonnet', 'claude-sonnet-5-5'],
    ['code_generation', 'sonnet', 'claude-sonnet-5-5'],
    ['integration_test', 'sonnet', 'claude-sonnet-5-5'],
    ['bug_fix', 'sonnet', 'claude-sonnet-5-5'],
    ['documentation', 'haiku', 'claude-haiku-5-5'],
  ];
  for (const [type, family, model] of cases) {
    it(`${type} → ${family}`, () => {
      const d = route(task(type));
      assert.equal(d.family, family);
      assert.equal(d.model, model);
      assert.equal(d.reason.code, 'default_map');
    });
  }

  it('explains itself in one short line', () => {
    assert.equal(describeRoute(route(task('boilerplate_generation')).reason), 'boilerplate → Sonnet');
    assert.equal(describeRoute(route(task('documentation')).reason), 'docs → Haiku');
  });

  it('sends documentation to Sonnet when Haiku is disabled', () => {
    const d = route(task('documentation'), { settings: parseRouterSettings({ haikuEnabled: false }) });
    assert.equal(d.family, 'sonnet');
    assert.equal(d.reason.code, 'default_map');
  });
});

describe('routeTask: cost-benefit', () => {
  it('sends trivial small tasks down to Haiku, unless Haiku is disabled', () => {
    const d = route(trivial, { fanOut: 0 });
    assert.equal(d.family, 'haiku');
    assert.equal(d.reason.code, 'trivial_to_haiku');
    assert.equal(describeRoute(d.reason), 'small boilerplate → Haiku');
    assert.equal(route(trivial, { fanOut: 0, settings: parseRouterSettings({ haikuEnabled: false }) }).family, 'sonnet');
    assert.equal(route({ ...trivial, files: 2 }, { fanOut: 0 }).family, 'sonnet', 'two files is not trivial');
    assert.equal(route({ ...trivial, estimatedTokens: 5_000 }, { fanOut: 0 }).family, 'sonnet', 'a large estimate is not trivial');
  });

  it('lifts a complex task with a high fan-out one tier, but not the same task without dependants', () => {
    const up = route(bigHub, { fanOut: 8 });
    assert.equal(up.family, 'opus');
    assert.equal(up.reason.code, 'complex_up');
    assert.equal(describeRoute(up.reason), 'complex, 8 dependants → Opus');
    assert.equal(route(bigHub, { fanOut: 0 }).family, 'sonnet');
    assert.equal(route(task('code_generation'), { fanOut: 8 }).family, 'sonnet', 'a moderate task stays on Sonnet');
  });

  it('scores complexity from type, description, files, fan-out and size (0–1, monotone)', () => {
    const base = complexityScore(task('code_generation'), 1);
    assert.ok(complexityScore(task('architectural_reasoning'), 1) > base);
    assert.ok(complexityScore(task('code_generation', { descriptionChars: 1_200 }), 1) > base);
    assert.ok(complexityScore(task('code_generation', { files: 5 }), 1) > base);
    assert.ok(complexityScore(task('code_generation'), 6) > base);
    assert.ok(complexityScore(task('code_generation', { estimatedTokens: 12_000 }), 1) > base);
    const max = complexityScore(task('architectural_reasoning', { descriptionChars: 1e6, files: 100, estimatedTokens: 1e6 }), 1e3);
    assert.ok(max <= 1 && max > 0.95);
    assert.equal(failureProbability('opus', 0), 0.02);
    assert.equal(failureProbability('haiku', 1), 0.95);
  });

  it('orders expected costs Haiku < Sonnet < Opus < Fable, with the price ratios of the table', () => {
    const t = task('code_generation', { inputTokens: 10_000, estimatedTokens: 2_000 });
    const cost = (id: string) => expectedCostUsd(t, findModel(id));
    const [h, s, o, f] = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5', 'claude-fable-5-1'].map(cost) as [number, number, number, number];
    assert.ok(h < s && s < o && o < f);
    assert.ok(Math.abs(s - (10_000 * 2 + 2_000 * 10) / 1e6) < 1e-12);
    assert.ok(Math.abs(o / s - 2) < 1e-9, 'Opus 5.5 is 2× Sonnet');
    assert.ok(Math.abs(f / o - 2.5) < 1e-9, 'Fable is 2.5× Opus');
    assert.ok(Math.abs(s / h - 20) < 1e-9, 'Haiku is a twentieth of Sonnet below 100K');
    // Haiku's second price tier applies above 100K input tokens.
    assert.ok(expectedCostUsd({ ...t, inputTokens: 200_000 }, findModel('claude-haiku-5-5')) > 200_000 * 0.5 / 1e6);
    assert.equal(expectedCostUsd(t, undefined), 0);
    // The decision carries the chosen model's expected cost.
    assert.equal(route(t).expectedCostUsd, s);
    assert.ok(route(task('code_review', { inputTokens: 10_000 })).expectedCostUsd > route(task('unit_test', { inputTokens: 10_000 })).expectedCostUsd);
  });
});

describe('routeTask: under each governor state', () => {
  it('ok: Opus tasks stay on Opus', () => {
    assert.equal(route(task('code_review'), { governorState: 'ok' }).family, 'opus');
  });

  for (const state of ['throttled', 'paused'] as const) {
    it(`${state}: Opus tasks go to Sonnet, Sonnet and Haiku tasks stay`, () => {
      const d = route(task('code_review'), { governorState: state });
      assert.equal(d.family, 'sonnet');
      assert.equal(d.model, 'claude-sonnet-5-5');
      assert.deepEqual(d.reason, { code: 'throttled_to_sonnet', params: { state, family: 'sonnet' } });
      assert.equal(describeRoute(d.reason), `budget ${state} → Sonnet`);
      assert.equal(route(task('unit_test'), { governorState: state }).family, 'sonnet');
      assert.equal(route(task('documentation'), { governorState: state }).family, 'haiku');
      assert.equal(route(bigHub, { governorState: state, fanOut: 8 }).family, 'sonnet', 'no complex_up while throttled');
    });

    it(`${state}: a task that requires Opus keeps it (architectural_reasoning, the per-task flag, settings)`, () => {
      assert.equal(route(task('architectural_reasoning'), { governorState: state }).family, 'opus');
      const flagged = route(task('unit_test', { requiresOpus: true }), { governorState: state });
      assert.equal(flagged.family, 'opus');
      assert.deepEqual(flagged.reason, { code: 'override', params: { taskType: 'unit_test', family: 'opus', source: 'task' } });
      assert.equal(describeRoute(flagged.reason), 'task requires Opus → Opus');
      const settings = parseRouterSettings({ requireOpusTypes: ['code_review', 'nonsense'] });
      assert.deepEqual(settings.requireOpusTypes, ['code_review']);
      assert.equal(route(task('code_review'), { governorState: state, settings }).family, 'opus');
    });
  }
});

describe('routeTask: the Opus share limit', () => {
  it('below the limit Opus stays; at or above it, tasks that need not be Opus go to Sonnet', () => {
    assert.equal(route(task('high_level_planning'), { opusShare: 0.49 }).family, 'opus');
    const d = route(task('high_level_planning'), { opusShare: 0.83 });
    assert.equal(d.family, 'sonnet');
    assert.deepEqual(d.reason, { code: 'opus_share_to_sonnet', params: { sharePercent: 83, limitPercent: 50, family: 'sonnet' } });
    assert.equal(describeRoute(d.reason), 'Opus budget at 83 % → Sonnet');
    assert.equal(route(task('high_level_planning'), { opusShare: 0.5 }).family, 'sonnet', 'the limit itself counts as reached');
    assert.equal(route(task('architectural_reasoning'), { opusShare: 0.9 }).family, 'opus');
  });

  it('computes the share from the budget snapshot units per family', () => {
    const f = (units: number) => ({ units });
    assert.equal(opusShareOf({ haiku: f(10), sonnet: f(40), opus: f(30), fable: f(20) }), 0.3);
    assert.equal(opusShareOf({ haiku: f(0), sonnet: f(0), opus: f(0), fable: f(0) }), 0);
  });

  it('honours a configured limit (clamped to 0–1)', () => {
    assert.equal(route(task('code_review'), { opusShare: 0.6, settings: parseRouterSettings({ opusShareLimit: 0.7 }) }).family, 'opus');
    assert.equal(route(task('code_review'), { opusShare: 0.6, settings: parseRouterSettings({ opusShareLimit: 0.3 }) }).family, 'sonnet');
    assert.equal(parseRouterSettings({ opusShareLimit: 7 }).opusShareLimit, 1);
    assert.equal(parseRouterSettings({ opusShareLimit: -1 }).opusShareLimit, 0);
    assert.equal(parseRouterSettings({ opusShareLimit: 'x' }).opusShareLimit, 0.5);
  });

  it('throttling is reported before the share when both apply', () => {
    assert.equal(route(task('code_review'), { opusShare: 0.9, governorState: 'throttled' }).reason.code, 'throttled_to_sonnet');
  });
});

describe('routeTask: overrides from settings', () => {
  it('maps a task type to another family and says it is a setting', () => {
    const settings = parseRouterSettings({ defaultMap: { unit_test: 'haiku', refactoring: 'opus', code_review: 'opus', bogus: 'opus', bug_fix: 'gpt' } });
    assert.deepEqual(settings.overriddenTypes, ['unit_test', 'refactoring']);
    const d = route(task('unit_test'), { settings });
    assert.equal(d.family, 'haiku');
    assert.deepEqual(d.reason, { code: 'override', params: { taskType: 'unit_test', family: 'haiku', source: 'settings' } });
    assert.equal(describeRoute(d.reason), 'unit tests → Haiku (setting)');
    assert.equal(route(task('refactoring'), { settings }).family, 'opus');
    assert.equal(route(task('refactoring'), { settings, governorState: 'throttled' }).family, 'sonnet', 'an override to Opus still yields to the budget');
    assert.equal(route(task('code_review'), { settings }).reason.code, 'default_map', 'same as the built-in: not an override');
    assert.equal(route(task('bug_fix'), { settings }).family, 'sonnet', 'an unknown family is ignored');
  });

  it('uses configured model ids per family', () => {
    const settings = parseRouterSettings({ modelByFamily: { sonnet: ' claude-sonnet-5 ', opus: '', nope: 'x' } });
    assert.deepEqual(settings.modelByFamily, { sonnet: 'claude-sonnet-5' });
    const d = route(task('unit_test'), { settings });
    assert.equal(d.model, 'claude-sonnet-5');
    assert.equal(route(task('code_review'), { settings }).model, 'claude-opus-5-5');
    // An id outside the table still gets the family's price.
    const custom = route(task('unit_test'), { settings: parseRouterSettings({ modelByFamily: { sonnet: 'claude-sonnet-9' } }) });
    assert.equal(custom.model, 'claude-sonnet-9');
    assert.ok(custom.expectedCostUsd > 0);
  });

  it('falls back to the defaults for malformed settings', () => {
    const s = parseRouterSettings({ defaultMap: 'x', haikuEnabled: 'yes', requireOpusTypes: 3, modelByFamily: null });
    assert.deepEqual(s.defaultMap, DEFAULT_ROUTER_SETTINGS.defaultMap);
    assert.equal(s.haikuEnabled, true);
    assert.equal(s.fableEnabled, false);
    assert.deepEqual(s.requireOpusTypes, ['architectural_reasoning']);
    assert.deepEqual(parseRouterSettings(), { ...DEFAULT_ROUTER_SETTINGS });
  });
});

describe('routeTask: escalation', () => {
  it('goes one tier up from the failed attempt: Haiku → Sonnet → Opus, and stops at Opus', () => {
    const h = route(trivial, { attempt: 1, previousFamily: 'haiku' });
    assert.equal(h.family, 'sonnet');
    assert.deepEqual(h.reason, { code: 'escalated', params: { from: 'haiku', family: 'sonnet', cause: 'validation' } });
    const s = route(task('unit_test'), { attempt: 1, previousFamily: 'sonnet' });
    assert.equal(s.family, 'opus');
    assert.equal(describeRoute(s.reason), 'escalated after failed validation → Opus');
    const o = route(task('code_review'), { attempt: 1, previousFamily: 'opus', escalationCause: 'review' });
    assert.equal(o.family, 'opus');
    assert.equal(describeRoute(o.reason), 'retried after failed review → Opus (strongest enabled)');
  });

  it('reaches Fable only when enabled', () => {
    const settings = parseRouterSettings({ fableEnabled: true });
    const d = route(task('code_review'), { attempt: 1, previousFamily: 'opus', settings });
    assert.equal(d.family, 'fable');
    assert.equal(d.model, 'claude-fable-5-1');
    assert.equal(nextStronger('fable', true), 'fable');
    assert.equal(nextStronger('opus', false), 'opus');
  });

  it('without a previous family escalates from what the first attempt would pick, even when throttled', () => {
    const d = route(task('unit_test'), { attempt: 1, governorState: 'throttled', opusShare: 0.9 });
    assert.equal(d.family, 'opus');
    assert.equal(d.reason.code, 'escalated');
    assert.equal(route(trivial, { attempt: 1, fanOut: 0 }).family, 'sonnet');
  });
});

describe('dependantCounts and routerTaskOf', () => {
  const t = (id: string, dependsOn: string[]): Task => ({
    id, title: id, description: 'desc', taskType: 'code_generation', dependsOn, files: ['a.ts', 'b.ts'], priority: 2, estimatedTokens: 900,
  });
  it('counts transitive dependants once each (diamond), tolerating unknown ids', () => {
    const graph = { tasks: [t('A', []), t('B', ['A']), t('C', ['A']), t('D', ['B', 'C']), t('E', ['X'])] };
    const counts = dependantCounts(graph);
    assert.deepEqual(Object.fromEntries(counts), { A: 3, B: 1, C: 1, D: 0, E: 0 });
  });
  it('tolerates a cycle', () => {
    assert.deepEqual(Object.fromEntries(dependantCounts({ tasks: [t('A', ['B']), t('B', ['A'])] })), { A: 1, B: 1 });
  });
  it('maps a plan task to the router view', () => {
    assert.deepEqual(routerTaskOf(t('A', [])), { taskType: 'code_generation', descriptionChars: 4, files: 2, estimatedTokens: 900 });
    assert.deepEqual(routerTaskOf(t('A', []), { inputTokens: 5, requiresOpus: true }), {
      taskType: 'code_generation', descriptionChars: 4, files: 2, estimatedTokens: 900, inputTokens: 5, requiresOpus: true,
    });
  });
  it('is pure and uses the given model table', () => {
    const input: RouteInput = { task: task('unit_test'), fanOut: 2, governorState: 'ok', opusShare: 0, models: MODELS };
    assert.deepEqual(routeTask(input), routeTask(input));
  });
});
