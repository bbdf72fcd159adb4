/**
 * Numbers, route reasons and shortcuts in the user's language and OS: what the Korean (and any
 * other) UI shows instead of en-US digits, English reason sentences and "Ctrl+Z" on a Mac.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localeDecimal, localeInteger, localePercent, localeUsd } from '../../src/shared/numberFormat';
import { formatPercent as panelPercent, formatTokens as panelTokens, formatUsd as panelUsd } from '../../src/webview/budget/format';
import { formatSeconds } from '../../src/webview/dashboard/viewModel';
import { formatTokens as meterTokens, formatDuration as meterDuration } from '../../src/extension/statusBar/budgetPresentation';
import { familyOfModel, routeReasonText, taskErrorText } from '../../src/extension/dagPanel/dagText';
import { englishTranslate, type Translate } from '../../src/extension/translate';
import { buildDagSnapshot, type DagRunText } from '../../src/extension/dagPanel/dagSnapshot';
import { shortcutLabel, undoShortcut } from '../../src/extension/shortcuts';
import { formatTime } from '../../src/webview/dag/format';
import type { Plan } from '../../src/shared/taskGraph';
import type { PlanRun } from '../../src/core/scheduler/runState';

/** A stand-in for the Korean bundle: the messages these tests use, the rest marked untranslated. */
const KO: Readonly<Record<string, string>> = {
  'Boilerplate': '보일러플레이트',
  'Code generation': '코드 생성',
  'complex, {0} tasks wait for it → {1}': '복잡함, 작업 {0}개가 기다림 → {1}',
  'retried after a failed attempt → {0}': '시도 실패 후 재시도 → {0}',
  'skipped: {0} failed': '건너뜀: {0} 실패',
  'failed ({0})': '실패 ({0})',
  'the model declined the task': '모델이 작업을 거절했습니다',
  '{0}h{1}m': '{0}시간 {1}분',
  '{0}m': '{0}분',
  '<1m': '<1분',
};
const ko: Translate = (message, ...args) => englishTranslate(KO[message] ?? `!${message}`, ...args);

describe('numbers in the UI language', () => {
  it('uses the locale\'s separators and currency placement', () => {
    assert.equal(localeInteger(1234567, 'en'), '1,234,567');
    assert.equal(localeInteger(1234567, 'de'), '1.234.567');
    assert.equal(localeInteger(1234567, 'ko'), '1,234,567');
    assert.equal(localeDecimal(0.5, 4, 'de'), '0,5000');
    assert.equal(localeUsd(1234.5, 'en'), '$1,234.50');
    assert.equal(localeUsd(1234.5, 'de'), '1.234,50\u00a0$');
    assert.equal(localePercent(0.12, 'de'), '12\u00a0%');
    assert.equal(localeInteger(Number.NaN, 'en'), '–');
  });

  it('falls back to English for a locale Intl does not know', () => {
    assert.equal(localeInteger(1234, 'not a locale!'), '1,234');
  });

  it('keeps the panels\' compact shapes, with local digits', () => {
    assert.equal(panelTokens(12_345, 'de'), '12,3k');
    assert.equal(panelTokens(1_234_567, 'de'), '1,23M');
    assert.equal(panelUsd(0.0042, 'de'), '0,0042\u00a0$');
    assert.equal(panelUsd(12_345.6, 'de'), '12.346\u00a0$');
    assert.equal(panelPercent(0.004, 'de'), '<1\u00a0%');
    assert.equal(meterTokens(1_234, 'de'), '1,2k');
  });

  it('says seconds and minutes with the host\'s units', () => {
    const units = { seconds: '{0}초', minutesSeconds: '{0}분 {1}초' };
    assert.equal(formatSeconds(0.42, units, 'ko'), '0.4초');
    assert.equal(formatSeconds(75, units, 'ko'), '1분 15초');
    assert.equal(formatSeconds(0.42, units, 'de'), '0,4초');
  });

  it('writes the meter\'s countdown in the UI language', () => {
    assert.equal(meterDuration(192 * 60_000, ko), '3시간 12분');
    assert.equal(meterDuration(45 * 60_000, ko), '45분');
    assert.equal(meterDuration(0, ko), '<1분');
  });

  it('writes clock times in 24 hours in the page\'s locale', () => {
    assert.match(formatTime('2026-11-24T14:32:00Z', 'ko'), /\d{2}:\d{2}/);
    assert.equal(formatTime('soon', 'ko'), 'soon');
  });
});

describe('route reasons', () => {
  it('turn the router\'s codes into sentences in the UI language, with the parameters the plan keeps', () => {
    assert.equal(routeReasonText({ code: 'default_map', taskType: 'boilerplate_generation', model: 'claude-sonnet-5-5', fanOut: 0 }, ko), '보일러플레이트 → Sonnet');
    assert.equal(routeReasonText({ code: 'complex_up', taskType: 'code_generation', model: 'claude-opus-5-5', fanOut: 4 }, ko), '복잡함, 작업 4개가 기다림 → Opus');
    assert.equal(routeReasonText({ code: 'escalated', taskType: 'code_generation', model: 'claude-opus-5-5', fanOut: 0 }, ko), '시도 실패 후 재시도 → Opus');
  });

  it('say nothing rather than guess when the code or the model is unknown', () => {
    assert.equal(routeReasonText({ code: undefined, taskType: 'code_generation', model: 'claude-opus-5-5', fanOut: 0 }, ko), undefined);
    assert.equal(routeReasonText({ code: 'something_new', taskType: 'code_generation', model: 'claude-opus-5-5', fanOut: 0 }, ko), undefined);
    assert.equal(routeReasonText({ code: 'default_map', taskType: 'code_generation', model: 'gpt-x', fanOut: 0 }, ko), undefined);
  });

  it('find the family of a model id, also a custom one', () => {
    assert.equal(familyOfModel('claude-haiku-5-5'), 'haiku');
    assert.equal(familyOfModel('my-proxy/opus-latest'), 'opus');
    assert.equal(familyOfModel(undefined), undefined);
  });

  it('name task failures by their reason, never with the developer message', () => {
    assert.equal(taskErrorText('model_refused', ko, () => undefined), '모델이 작업을 거절했습니다');
    assert.equal(taskErrorText('provider_timeout', ko, () => '제때 응답하지 않았습니다'), '제때 응답하지 않았습니다');
    assert.equal(taskErrorText('brand_new_reason', ko, () => undefined), '실패 (brand_new_reason)');
  });

  it('reach the DAG snapshot localized, with the fan-out counted from the graph', () => {
    const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 };
    const plan: Plan = {
      version: 1, id: 'p', createdAt: '2026-12-02T00:00:00Z', prdPath: 'PRD.md', prdSha256: 'x', plannedBy: 'm', provider: 's', usage, costUsd: 0, repairs: 0, status: {},
      graph: {
        tasks: [
          { id: 'A', title: 'a', description: '', taskType: 'code_generation', dependsOn: [], files: [], priority: 1, estimatedTokens: 1 },
          { id: 'B', title: 'b', description: '', taskType: 'unit_test', dependsOn: ['A'], files: [], priority: 1, estimatedTokens: 1 },
          { id: 'C', title: 'c', description: '', taskType: 'unit_test', dependsOn: ['B'], files: [], priority: 1, estimatedTokens: 1 },
        ],
      },
    };
    const run: PlanRun = {
      planId: 'p', state: 'done', updatedAt: '2026-12-02T00:00:00Z',
      tasks: {
        A: { status: 'done', attempts: 1, model: 'claude-opus-5-5', reasonCode: 'complex_up', reason: 'complex, 2 dependants → Opus' },
        B: { status: 'failed', attempts: 1, model: 'claude-sonnet-5-5', error: { reason: 'model_refused', message: 'The model refused: stop_reason=refusal' } },
        C: { status: 'skipped', attempts: 1, blockedBy: 'B' },
      },
    };
    const text: DagRunText = {
      routeReason: (route) => routeReasonText(route, ko),
      taskError: (reason) => taskErrorText(reason, ko, () => undefined),
      skipped: (id) => ko('skipped: {0} failed', id),
    };
    const nodes = buildDagSnapshot(plan, run, undefined, text).nodes;
    assert.equal(nodes[0]!.run?.reason, '복잡함, 작업 2개가 기다림 → Opus');
    assert.equal(nodes[1]!.run?.error, '모델이 작업을 거절했습니다');
    assert.equal(nodes[2]!.run?.error, '건너뜀: B 실패');
    assert.ok(!JSON.stringify(nodes).includes('dependants'), 'the English reason stored for logs never reaches the panel');
  });
});

describe('shortcuts', () => {
  it('name the modifier of the user\'s OS', () => {
    assert.equal(undoShortcut('darwin'), '⌘Z');
    assert.equal(undoShortcut('linux'), 'Ctrl+Z');
    assert.equal(shortcutLabel('S', 'win32'), 'Ctrl+S');
  });
});
