import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUsageCommand, type BlockJson } from '../../src/cli/usageCommand';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { ZERO_USAGE } from '../../src/shared/usage';

/** `helios usage blocks` in-process, over Claude Code logs and Helios's own ledger. */

let root: string;
let cfg: string;
let ledger: string;
const NOW = new Date('2026-11-24T03:30:00.000Z');

const cc = (ts: string, id: string, input: number) => JSON.stringify({
  type: 'assistant', timestamp: ts, requestId: `req_${id}`, sessionId: 's', cwd: '/home/dev/helios',
  message: { id: `msg_${id}`, model: 'claude-sonnet-5-5', usage: { input_tokens: input, output_tokens: 10, cache_read_input_tokens: 100 } },
});
const rec = (ts: string, requestId: string | null, input: number, model = 'claude-opus-5-5'): UsageRecord => ({
  v: 1, ts, workspace: 'file:///w', provider: 'anthropic', model, requestId,
  usage: { ...ZERO_USAGE, inputTokens: input, outputTokens: 1 }, costUsd: model === 'claude-mythos-1' ? null : input / 1e6,
});

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'helios-usagecmd-'));
  cfg = path.join(root, 'claude');
  const p = path.join(cfg, 'projects', '-home-dev-helios');
  await mkdir(path.join(p, 's', 'subagents'), { recursive: true });
  await writeFile(path.join(p, 's.jsonl'), [cc('2026-11-23T10:15:00.000Z', 'a', 1), cc('2026-11-24T01:10:00.000Z', 'b', 2), 'garbage'].join('\n'));
  await writeFile(path.join(p, 's', 'subagents', 'agent-1.jsonl'), `${cc('2026-11-24T02:00:00.000Z', 'c', 4)}\n${cc('2026-11-24T01:10:00.000Z', 'b', 2)}\n`);
  ledger = path.join(root, 'usage.jsonl');
  await writeFile(ledger, [
    rec('2026-11-24T02:30:00.000Z', 'req_h1', 8),
    rec('2026-11-24T02:40:00.000Z', 'req_c', 4, 'claude-sonnet-5-5'), // made through `claude -p`: also in Claude Code's log
    rec('2026-11-24T02:50:00.000Z', null, 16, 'claude-mythos-1'),
  ].map((r) => JSON.stringify(r)).join('\n') + '\n{"torn');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const command = createUsageCommand({ now: () => NOW, out: (t) => void (out += t), err: (t) => void (err += t), env, homeDir: path.join(root, 'home') });
  const code = await command.run(argv);
  return { code, out, err };
}

describe('helios usage blocks', () => {
  it('prints ccusage-shaped JSON from Claude Code logs, subagents included, duplicates dropped', async () => {
    const { code, out, err } = await run(['blocks', '--claude-config-dir', cfg, '--json']);
    assert.equal(code, 0, err);
    const json = JSON.parse(out) as { blocks: BlockJson[]; last7Days: { entries: number }; sources: { claudeCode: { duplicates: number; malformedLines: number; files: number } } };
    assert.deepEqual(json.blocks.map((b) => [b.id, b.isGap, b.isActive, b.entries, b.tokenCounts.inputTokens]), [
      ['2026-11-23T10:00:00.000Z', false, false, 1, 1],
      ['gap-2026-11-23T15:15:00.000Z', true, false, 0, 0],
      ['2026-11-24T01:00:00.000Z', false, true, 2, 6],
    ]);
    const active = json.blocks[2]!;
    assert.deepEqual(Object.keys(active).sort(), ['actualEndTime', 'costUSD', 'endTime', 'entries', 'id', 'isActive', 'isGap', 'models', 'startTime', 'tokenCounts', 'totalTokens', 'unpricedEntries']);
    assert.deepEqual(active.tokenCounts, { inputTokens: 6, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 200 });
    assert.equal(active.totalTokens, 226);
    assert.equal(active.endTime, '2026-11-24T06:00:00.000Z');
    assert.equal(active.actualEndTime, '2026-11-24T02:00:00.000Z');
    assert.deepEqual(active.models, ['claude-sonnet-5-5']);
    assert.ok(active.costUSD > 0);
    assert.equal(json.blocks[1]!.actualEndTime, null);
    assert.deepEqual([json.sources.claudeCode.files, json.sources.claudeCode.duplicates, json.sources.claudeCode.malformedLines], [2, 1, 1]);
    assert.equal(json.last7Days.entries, 3);
  });

  it('adds the Helios ledger, counting calls in both logs once', async () => {
    const { code, out, err } = await run(['blocks', '--claude-config-dir', cfg, '--ledger', ledger, '--json']);
    assert.equal(code, 0, err);
    const json = JSON.parse(out) as { blocks: BlockJson[]; sources: { ledger: { records: number; skippedLines: number; alsoInClaudeCode: number } } };
    const active = json.blocks.find((b) => b.isActive)!;
    assert.equal(active.entries, 4);
    assert.equal(active.tokenCounts.inputTokens, 6 + 8 + 16);
    assert.equal(active.unpricedEntries, 1);
    assert.deepEqual(active.models, ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-mythos-1']);
    assert.deepEqual(json.sources.ledger, { file: ledger, records: 3, skippedLines: 1, alsoInClaudeCode: 1 });
  });

  it('reads only the ledger with --no-claude-code, and CLAUDE_CONFIG_DIR by default', async () => {
    const only = JSON.parse((await run(['blocks', '--no-claude-code', '--ledger', ledger, '--json'])).out) as { blocks: BlockJson[] };
    assert.deepEqual(only.blocks.map((b) => [b.id, b.entries]), [['2026-11-24T02:00:00.000Z', 3]]);
    const fromEnv = JSON.parse((await run(['blocks', '--json'], { CLAUDE_CONFIG_DIR: cfg })).out) as { blocks: BlockJson[] };
    assert.equal(fromEnv.blocks.length, 3);
  });

  it('prints a table for people', async () => {
    const { code, out } = await run(['blocks', '--claude-config-dir', cfg, '--ledger', ledger]);
    assert.equal(code, 0);
    assert.match(out, /^Start \(local\)\s+End\s+Status\s+Calls\s+Input\s+Output\s+Cache write\s+Cache read\s+Total\s+Cost\s+Models/);
    assert.match(out, /ACTIVE\s+4\s+30\s+/);
    assert.match(out, /\bgap\b/);
    assert.match(out, /Last 7 days: [\d,]+ tokens in 5 calls/);
    assert.match(out, /1 calls of models without a known price/);
    assert.match(out, /1 duplicate lines dropped · 1 malformed lines skipped/);
    assert.match(out, /1 also in Claude Code's logs, counted once/);
    const empty = await run(['blocks', '--no-claude-code']);
    assert.equal(empty.out, 'No usage found.\n');
  });

  it('explains usage errors (2) and a config folder without projects/ (1)', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['weekly'])).code, 2);
    const bad = await run(['blocks', '--frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Usage:\n {2}helios usage blocks/);
    const missing = await run(['blocks', '--claude-config-dir', root]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /has no projects\/ folder/);
  });
});
