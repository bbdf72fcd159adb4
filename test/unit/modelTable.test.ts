import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, dollarMeter, tokenMeter } from '../../src/core/governor/budgetPlans';
import { DEFAULT_MODEL_BY_FAMILY, findModel, MODELS, UNSERVED_MODELS } from '../../src/shared/models';
import { sdkModelIds, SDK_VERSION } from '../support/sdkTypes';

/** The model table against the SDK's own `Model` type: every id it lists is served or answered as retired. */

describe(`model table vs @anthropic-ai/sdk ${SDK_VERSION}`, () => {
  const served = MODELS.map((m) => m.id);
  const unserved = UNSERVED_MODELS.map((m) => m.id);

  it('places every model id the SDK lists in the table or among the unserved ids, never both', () => {
    const sdk = sdkModelIds();
    assert.ok(sdk.length >= 20, `read ${sdk.length} ids`);
    assert.deepEqual(sdk.filter((id) => !served.includes(id) && !unserved.includes(id)), [], 'SDK model ids the table does not place');
    assert.deepEqual(served.filter((id) => unserved.includes(id)), []);
    assert.deepEqual([...served, ...unserved].filter((id) => !sdk.includes(id)), [], 'ids the SDK no longer lists');
    assert.equal(new Set(served).size, served.length, 'ids are unique');
  });

  it('marks every model but the current ones legacy', () => {
    const current = MODELS.filter((m) => !m.legacy).map((m) => m.id).sort();
    assert.deepEqual(current, [...Object.values(DEFAULT_MODEL_BY_FAMILY), 'claude-fable-5-2'].sort());
    for (const id of Object.values(DEFAULT_MODEL_BY_FAMILY)) assert.ok(findModel(id), id);
  });

  it('keeps each entry consistent: prices end unbounded, always-on thinking is adaptive only, limits fit', () => {
    for (const m of MODELS) {
      assert.equal(m.prices[m.prices.length - 1]?.upToInputTokens, undefined, m.id);
      if (m.thinkingAlwaysOn) assert.deepEqual(m.thinkingTypes, ['adaptive'], m.id);
      assert.ok(m.maxOutputTokens < m.contextWindow && m.minCacheableTokens > 0, m.id);
      assert.ok(m.thinkingTypes.length > 0, m.id);
    }
    const forcedRefused = MODELS.filter((m) => m.rejectsForcedToolUse).map((m) => m.id).sort();
    assert.deepEqual(forcedRefused, ['claude-fable-5-1', 'claude-fable-5-2', 'claude-opus-5-5', 'claude-sonnet-5-5']);
    assert.deepEqual(findModel('claude-opus-4-5-20251101'), { ...findModel('claude-opus-4-5')!, id: 'claude-opus-4-5-20251101' });
  });

  it('weighs ids outside the table like Opus in the governor (like their family when the id names one), priced at the top', () => {
    const meter = tokenMeter(DEFAULT_BUDGET);
    const opus = meter.boundOf('claude-opus-5-5', 1_000, 1_000);
    for (const id of ['claude-mythos-preview', 'claude-mythos-5-2', 'claude-nonexistent-9']) assert.equal(meter.boundOf(id, 1_000, 1_000), opus, id);
    assert.equal(meter.boundOf('claude-sonnet-4-5', 1_000, 1_000), meter.boundOf('claude-sonnet-5-5', 1_000, 1_000));
    const dollars = dollarMeter();
    const priciest = Math.max(...MODELS.map((m) => dollars.boundOf(m.id, 1_000, 1_000)));
    for (const id of unserved) assert.ok(dollars.boundOf(id, 1_000, 1_000) >= priciest, id);
  });
});
