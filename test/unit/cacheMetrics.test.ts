import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CachedLlmClient, cacheMetricsListener } from '../../src/core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { ExactCache } from '../../src/core/cache/exactCache';
import { SemanticCache, type SemanticScope } from '../../src/core/cache/semanticCache';
import type { LlmRequest } from '../../src/core/llm/llmClient';
import { fanOutSink } from '../../src/core/metrics/metricsSink';
import { MetricsTally } from '../../src/core/metrics/metricsTally';
import { costOfUsage } from '../../src/core/usage/cost';
import { VectraIndex } from '../../src/infra/cache/vectraIndex';
import { PromMetrics } from '../../src/infra/metrics/promMetrics';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

/** What the cache did reaches the Prometheus series: lookups, hints and blocking guards, dollars saved. */

const request = (text: string): LlmRequest => ({
  model: 'claude-sonnet-5-5', system: [{ text: 'system' }], maxTokens: 100, messages: [{ role: 'user', content: [{ text }] }],
});
const QUERY = 'Add a function that sorts the invoices by date. Keep the existing exports working.';
const scope = (over: Partial<SemanticScope> = {}): SemanticScope => ({ agent: 'coder', taskType: 'code_generation', fingerprint: 'f1', query: QUERY, ...over });

async function value(prom: PromMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const { values } = await prom.registry.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))?.value ?? 0;
}

describe('cache metrics', () => {
  it('counts L3 hints by reason, blocking guards, and the dollars each level saved', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'helios-cache-metrics-'));
    try {
      const prom = new PromMetrics();
      const tally = new MetricsTally();
      const inner = new ScriptedLlmClient([{ text: 'the edit' }, { text: 'edit for changed files' }, { text: 'another task' }]);
      const cache = new CachedLlmClient(inner, {
        exact: new ExactCache(),
        semantic: new SemanticCache({ index: new VectraIndex(folder), embedder: new HashedNgramEmbedder() }),
        onEvent: cacheMetricsListener(fanOutSink(prom, tally)),
      });
      const first = await cache.completeWithScope(request('task'), scope());
      await cache.markTrusted(cache.keyOf(request('task'))!);
      await cache.completeWithScope(request('task'), scope()); // L2 hit
      await cache.completeWithScope(request('task, reworded'), scope({ query: 'Please keep the existing exports working, and add a function that sorts the invoices by date!' })); // L3 hit
      await cache.completeWithScope(request('task, files changed'), scope({ fingerprint: 'f2' })); // hint
      await cache.completeWithScope(request('other task'), scope({ query: 'Document the public payments API in the module header.' })); // blocked
      const bought = costOfUsage(first.model, first.usage)!;
      assert.ok(bought > 0);
      assert.equal(await value(prom, 'helios_cache_saved_dollars_total', { cache_level: 'l2' }), bought);
      assert.equal(await value(prom, 'helios_cache_saved_dollars_total', { cache_level: 'l3' }), bought);
      assert.ok(await value(prom, 'helios_cache_saved_dollars_total', { cache_level: 'l1' }) > 0, 'the scripted calls read cached prompt tokens');
      assert.equal(await value(prom, 'helios_cache_l3_hints_total', { reason: 'fingerprint' }), 1);
      assert.equal(await value(prom, 'helios_cache_l3_blocked_total', { guard: 'threshold' }), 1);
      assert.equal(await value(prom, 'helios_cache_hits_total', { cache_level: 'l3' }), 1);
      assert.equal(tally.view().l3Outcomes.get('hint:fingerprint'), 1);
      assert.equal(tally.view().cacheSavedUsd.get('l2'), bought);
      await cache.settled();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
