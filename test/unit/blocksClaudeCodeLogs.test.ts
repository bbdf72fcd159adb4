import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mergeClaudeCodeFiles,
  parseClaudeCodeLine,
  parseClaudeCodeLog,
  parseTimestamp,
} from '../../src/core/usage/claudeCodeLogs';
import { computeBlocks } from '../../src/core/usage/blocks';
import { costOfUsage } from '../../src/core/usage/cost';
import { ZERO_USAGE } from '../../src/shared/usage';
import { generateClaudeCodeLogs } from '../support/claudeCodeLogs';

interface Rec {
  ts?: string; id?: string | null; req?: string | null; model?: string; input?: unknown; output?: unknown;
  cacheWrite?: unknown; cacheRead?: unknown; type?: string; costUSD?: number; speed?: string; split?: [number, number];
}
function line(r: Rec = {}): string {
  return JSON.stringify({
    type: r.type ?? 'assistant',
    timestamp: r.ts ?? '2026-11-24T01:02:03.456Z',
    sessionId: 's1', cwd: '/home/dev/helios', version: '2.1.197',
    ...(r.req === undefined ? { requestId: 'req_1' } : r.req === null ? {} : { requestId: r.req }),
    ...(r.costUSD === undefined ? {} : { costUSD: r.costUSD }),
    message: {
      ...(r.id === undefined ? { id: 'msg_1' } : r.id === null ? {} : { id: r.id }),
      model: r.model ?? 'claude-sonnet-5-5', role: 'assistant',
      usage: {
        input_tokens: r.input ?? 10, output_tokens: r.output ?? 20,
        ...(r.cacheWrite === undefined ? {} : { cache_creation_input_tokens: r.cacheWrite }),
        ...(r.cacheRead === undefined ? {} : { cache_read_input_tokens: r.cacheRead }),
        ...(r.split ? { cache_creation: { ephemeral_5m_input_tokens: r.split[0], ephemeral_1h_input_tokens: r.split[1] } } : {}),
        ...(r.speed ? { speed: r.speed } : {}),
      },
    },
  });
}

describe('parseTimestamp', () => {
  it('reads Z and UTC offsets at the right instant', () => {
    assert.equal(parseTimestamp('2026-11-24T01:02:03.456Z'), Date.parse('2026-11-24T01:02:03.456Z'));
    assert.equal(parseTimestamp('2026-11-24T10:02:03.456+09:00'), Date.parse('2026-11-24T01:02:03.456Z'));
    assert.equal(parseTimestamp('2026-11-23T20:32:03-04:30'), Date.parse('2026-11-24T01:02:03.000Z'));
    assert.equal(parseTimestamp('2026-11-24T01:02:03.456789Z'), Date.parse('2026-11-24T01:02:03.456Z'));
    assert.equal(parseTimestamp('2026-11-24T01:02:03.4Z'), Date.parse('2026-11-24T01:02:03.400Z'));
    assert.equal(parseTimestamp('2024-02-29T00:00:00Z'), Date.parse('2024-02-29T00:00:00Z'));
  });
  it('rejects what is not an RFC 3339 instant', () => {
    for (const bad of ['2026-11-24T01:02:03', '2026-11-24', 'yesterday', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z',
      '2026-11-24T24:00:00Z', '2026-11-24T01:02:03+0900', '2026-11-24T01:02:03+24:00', ' 2026-11-24T01:02:03Z']) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });
});

describe('parseClaudeCodeLine', () => {
  it('turns an assistant message with usage into an entry', () => {
    const out = parseClaudeCodeLine(line({ cacheWrite: 300, cacheRead: 4000, split: [100, 200] }));
    assert.equal(out.kind, 'usage');
    if (out.kind !== 'usage') return;
    const { entry, key } = out.record;
    assert.equal(key, 'msg_1:req_1');
    assert.equal(entry.timestamp.toISOString(), '2026-11-24T01:02:03.456Z');
    assert.deepEqual(entry.usage, { inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 300, cacheReadInputTokens: 4000 });
    assert.equal(entry.source, 'claude-code');
    assert.equal(entry.workspace, '/home/dev/helios');
    assert.equal(entry.model, 'claude-sonnet-5-5');
    const expected = costOfUsage('claude-sonnet-5-5', { ...ZERO_USAGE, inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 300, cacheReadInputTokens: 4000, cacheCreation5mTokens: 100, cacheCreation1hTokens: 200 })!;
    assert.ok(Math.abs(entry.costUsd! - expected) < 1e-15);
  });

  it('reads offset timestamps correctly (ccusage 18 skips them)', () => {
    const out = parseClaudeCodeLine(line({ ts: '2026-11-24T10:02:03.456+09:00' }));
    assert.equal(out.kind === 'usage' && out.record.entry.timestamp.toISOString(), '2026-11-24T01:02:03.456Z');
  });

  it('ignores lines without usage and non-assistant records; skips blank lines', () => {
    assert.equal(parseClaudeCodeLine(JSON.stringify({ type: 'user', timestamp: '2026-11-24T01:00:00Z', message: { role: 'user', content: 'hi' } })).kind, 'other');
    assert.equal(parseClaudeCodeLine(JSON.stringify({ type: 'summary', summary: 'x', leafUuid: 'u' })).kind, 'other');
    assert.equal(parseClaudeCodeLine(line({ type: 'user' })).kind, 'other');
    assert.equal(parseClaudeCodeLine('   ').kind, 'blank');
  });

  it('calls torn, non-object and bad-number lines malformed, never throws', () => {
    for (const bad of ['{"type":"assistant","message":{"usa', 'not json', '[]', 'null', '42',
      line({ input: '12' }), line().replace(',"output_tokens":20', ''),
      line({ input: -1 }), line({ cacheRead: 'many' }), line({ ts: '2026-11-24 yesterday' }), line({ ts: '2026-11-24T01:02:03' })]) {
      assert.equal(parseClaudeCodeLine(bad).kind, 'malformed', bad);
    }
  });

  it('names fast mode and a missing model as ccusage does, and leaves their price unknown', () => {
    const fast = parseClaudeCodeLine(line({ model: 'claude-opus-4-6', speed: 'fast' }));
    assert.ok(fast.kind === 'usage' && fast.record.entry.model === 'claude-opus-4-6-fast' && fast.record.entry.costUsd === undefined);
    const none = parseClaudeCodeLine(line({ model: '' }));
    assert.ok(none.kind === 'usage' && none.record.entry.model === 'unknown' && none.record.entry.costUsd === undefined);
    const synthetic = parseClaudeCodeLine(line({ model: '<synthetic>', input: 0, output: 0, req: null }));
    assert.ok(synthetic.kind === 'usage' && synthetic.record.entry.costUsd === 0 && synthetic.record.key === undefined);
  });

  it('prices a dated snapshot id by its alias, and leaves unknown models unpriced', () => {
    const dated = parseClaudeCodeLine(line({ model: 'claude-haiku-4-5-20251001' }));
    assert.ok(dated.kind === 'usage');
    assert.equal(dated.record.entry.model, 'claude-haiku-4-5-20251001');
    assert.equal(dated.record.entry.costUsd, costOfUsage('claude-haiku-4-5', { ...ZERO_USAGE, inputTokens: 10, outputTokens: 20 }));
    const unknown = parseClaudeCodeLine(line({ model: 'claude-opus-4-1-20250805' }));
    assert.ok(unknown.kind === 'usage' && unknown.record.entry.costUsd === undefined);
  });

  it("prefers the record's own costUSD, as ccusage's auto mode does", () => {
    const out = parseClaudeCodeLine(line({ costUSD: 1.25 }));
    assert.ok(out.kind === 'usage' && out.record.entry.costUsd === 1.25);
  });
});

describe('mergeClaudeCodeFiles (de-duplication as ccusage)', () => {
  it('keeps the first copy of a message id + request id, in file order by earliest timestamp', () => {
    // Claude Code writes one line per content block; the first line wins (here its output is 20).
    const session = parseClaudeCodeLog('b.jsonl', [
      line({ ts: '2026-11-24T02:00:00.000Z' }), line({ ts: '2026-11-24T02:00:00.500Z', output: 99 }), '',
    ].join('\n'));
    // A resumed session's file starts earlier in time (copied history), so it is visited first.
    const resumed = parseClaudeCodeLog('a-resumed.jsonl', [
      JSON.stringify({ type: 'user', timestamp: '2026-11-24T01:00:00.000Z', message: { role: 'user', content: 'x' } }),
      line({ ts: '2026-11-24T02:00:00.000Z', output: 7 }),
    ].join('\n'));
    const merged = mergeClaudeCodeFiles([session, resumed]);
    assert.equal(merged.entries.length, 1);
    assert.equal(merged.entries[0]!.usage.outputTokens, 7);
    assert.equal(merged.duplicates, 2);
  });

  it('never de-duplicates records lacking either id', () => {
    const f = parseClaudeCodeLog('s.jsonl', [line({ req: null }), line({ req: null }), line({ id: null }), line({ id: null })].join('\n'));
    assert.equal(mergeClaudeCodeFiles([f]).entries.length, 4);
    const g = parseClaudeCodeLog('t.jsonl', [line({ req: 'r1' }), line({ req: 'r2' })].join('\n'));
    assert.equal(mergeClaudeCodeFiles([g]).entries.length, 2);
  });

  it('orders files without any timestamp last', () => {
    const noTime = parseClaudeCodeLog('z.jsonl', JSON.stringify({ type: 'summary', summary: 's' }));
    const late = parseClaudeCodeLog('y.jsonl', line({ ts: '2026-11-24T05:00:00.000Z', output: 1 }));
    const early = parseClaudeCodeLog('x.jsonl', line({ ts: '2026-11-24T04:00:00.000Z', output: 2 }));
    assert.equal(noTime.earliestMs, undefined);
    assert.equal(mergeClaudeCodeFiles([noTime, late, early]).entries[0]!.usage.outputTokens, 2);
  });

  it('counts malformed lines and reads CRLF files', () => {
    const f = parseClaudeCodeLog('s.jsonl', `${line()}\r\nnot json\r\n${line({ id: 'msg_2' })}\r\n{"type":"assistant","mess`);
    assert.equal(f.malformedLines, 2);
    const merged = mergeClaudeCodeFiles([f]);
    assert.equal(merged.entries.length, 2);
    assert.equal(merged.malformedLines, 2);
  });

  it('leaves out entries before `since` after de-duplicating', () => {
    const f = parseClaudeCodeLog('s.jsonl', [line({ ts: '2026-11-24T01:00:00Z', id: 'a' }), line({ ts: '2026-11-24T03:00:00Z', id: 'b' })].join('\n'));
    const merged = mergeClaudeCodeFiles([f], new Date('2026-11-24T02:00:00Z'));
    assert.deepEqual(merged.entries.map((e) => e.messageId), ['b']);
  });

  it("agrees with the generator's own count of entries, duplicates, malformed lines and subagent files", () => {
    for (const seed of [5, 6, 7]) {
      const logs = generateClaudeCodeLogs(seed, { messages: 300 });
      const merged = mergeClaudeCodeFiles(logs.files.map((f) => parseClaudeCodeLog(f.path, f.text)));
      assert.equal(merged.entries.length, logs.stats.entries, `seed ${seed}`);
      assert.equal(merged.duplicates, logs.stats.duplicateLines, `seed ${seed}`);
      assert.equal(merged.malformedLines, logs.stats.malformedLines, `seed ${seed}`);
      assert.ok(logs.stats.subagentFiles > 0 && logs.files.some((f) => /\/subagents\/agent-[a-z0-9]+\.jsonl$/.test(f.path)));
      assert.ok(logs.stats.duplicateLines > 0 && logs.stats.malformedLines > 0);
    }
  });

  it('generates the edges blocks are sensitive to', () => {
    const logs = generateClaudeCodeLogs(1, { messages: 600 });
    const { entries } = mergeClaudeCodeFiles(logs.files.map((f) => parseClaudeCodeLog(f.path, f.text)));
    const blocks = computeBlocks(entries, new Date('2027-01-01T00:00:00Z'));
    const ts = entries.map((e) => e.timestamp.getTime()).sort((a, b) => a - b);
    const ends = new Set(blocks.filter((b) => !b.isGap).map((b) => b.endTime.getTime()));
    const H = 3_600_000;
    assert.ok(ts.filter((t) => ends.has(t)).length >= 3, 'entries exactly at a block end');
    assert.ok(ts.filter((t) => ends.has(t - 1)).length >= 3, 'entries 1 ms after a block end');
    assert.ok(ts.filter((t, i) => i > 0 && t - ts[i - 1]! === 5 * H).length >= 3, 'entries exactly 5 h after the previous');
    assert.ok(ts.filter((t) => t % H === 0).length >= 3, 'entries on the hour');
    assert.ok(blocks.filter((b) => b.isGap).length >= 5, 'gaps of more than 5 h');
    assert.equal(new Set(ts.map((t) => new Date(t).getUTCHours())).size, 24, 'every hour of the day');
  });

  it('generates the same logs for the same seed', () => {
    assert.deepEqual(generateClaudeCodeLogs(9, { messages: 50 }), generateClaudeCodeLogs(9, { messages: 50 }));
    assert.notDeepEqual(generateClaudeCodeLogs(9, { messages: 50 }).files, generateClaudeCodeLogs(10, { messages: 50 }).files);
  });
});
