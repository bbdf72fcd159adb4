import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLI, runCli } from '../support/runCli';

/**
 * `helios bench cache --json` as a user runs it, on a small workload and small index sizes. It
 * asserts the JSON shape and the invariants, not the targets (those are checked on the default run).
 */
describe('bench cache --json (bundled CLI, SDK + simulator)', () => {
  it('prints per-layer rates, latencies and the overall figures', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const { code, stdout, stderr } = await runCli(['bench', 'cache', '--intents', '24', '--sizes', '100,300', '--json'], { ...process.env, ANTHROPIC_API_KEY: '' });
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout) as Record<string, Record<string, unknown>> & { l2_l3_hit_rate: number; false_hit_rate: number };
    for (const layer of ['L1', 'L2', 'L3']) {
      for (const key of ['hit_rate', 'false_hit_rate', 'p99_ms']) assert.equal(typeof r[layer]![key], 'number', `${layer}.${key}`);
    }
    assert.deepEqual(Object.keys(r.L2!.latency as object), ['100', '300']);
    assert.deepEqual(Object.keys(r.L3!.latency as object), ['100', '300']);
    assert.equal(typeof r.l2_l3_hit_rate, 'number');
    assert.equal(typeof r.false_hit_rate, 'number');
    assert.ok(r.l2_l3_hit_rate >= 0 && r.l2_l3_hit_rate <= 1);
    // Every exact repeat is an L2 hit, and an answer against changed files is never served.
    const byClass = r.by_class as unknown as Record<string, { requests: number; l2: number; l3: number; hints: number }>;
    assert.equal(byClass.repeat!.l2, byClass.repeat!.requests);
    assert.equal(byClass.changed_files!.l2 + byClass.changed_files!.l3, 0);
    assert.ok((r.L1!.read_tokens as number) > 0, 'the Coder system prompt is read from the provider cache');
    // The guards taken away: the full set is the run above; without the fingerprint guard, answers
    // made for other file contents are served, and the oracle counts every one of them as false.
    const ablations = r.ablations as unknown as Record<string, { l2_l3_hit_rate: number; false_hits: number; coder_edits_served_false: number }>;
    assert.equal(ablations.helios!.l2_l3_hit_rate, r.l2_l3_hit_rate);
    assert.equal(ablations.helios!.false_hits, 0);
    // Without the fingerprint guard, answers made for other file contents are served. Whether one is
    // also wrong depends on where the files changed: the simulated Coder anchors each edit at a point
    // its task id picks, so a change elsewhere leaves the same edit valid (the oracle then agrees).
    assert.ok(ablations.no_fingerprint!.l2_l3_hit_rate > ablations.helios!.l2_l3_hit_rate, 'answers for changed files are served without the guard');
    assert.ok(ablations['similarity_0.8_only']!.false_hits > 0, 'a plain similarity cache serves wrong answers');
  });
});
