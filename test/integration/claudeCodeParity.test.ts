import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createUsageCommand, type BlockJson } from '../../src/cli/usageCommand';
import { generateClaudeCodeLogs, writeClaudeCodeLogs } from '../support/claudeCodeLogs';

/**
 * Helios's `usage blocks` against ccusage 18's `blocks --json --offline` on the same generated
 * logs: every block must agree on start, end and the four token totals (cost differs by design:
 * each prices with its own table). ccusage runs as a user runs it, in a temporary HOME.
 */

const run = promisify(execFile);
const CCUSAGE = path.join(path.dirname(require.resolve('ccusage/package.json')), 'dist', 'index.js');

interface CcusageBlock {
  id: string; startTime: string; endTime: string; actualEndTime: string | null; isActive: boolean; isGap: boolean;
  entries: number; tokenCounts: BlockJson['tokenCounts']; totalTokens: number; models: string[];
}

let root: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'helios-ccparity-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function ccusageBlocks(configDir: string, home: string): Promise<CcusageBlock[]> {
  const { stdout } = await run(process.execPath, [CCUSAGE, 'blocks', '--json', '--offline'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, CLAUDE_CONFIG_DIR: configDir, TZ: 'UTC', NO_COLOR: '1' },
    maxBuffer: 64 << 20,
    timeout: 60_000,
  });
  return (JSON.parse(stdout) as { blocks: CcusageBlock[] }).blocks;
}

async function heliosBlocks(argv: string[], home: string): Promise<{ blocks: BlockJson[]; sources: { claudeCode?: { duplicates: number; malformedLines: number; entries: number } } }> {
  let out = '';
  let err = '';
  const command = createUsageCommand({ now: () => new Date(), out: (t) => void (out += t), err: (t) => void (err += t), env: {}, homeDir: home });
  const code = await command.run(['blocks', ...argv, '--json']);
  assert.equal(code, 0, err);
  return JSON.parse(out) as Awaited<ReturnType<typeof heliosBlocks>>;
}

async function fixture(name: string): Promise<{ dir: string; home: string }> {
  const dir = path.join(root, name, 'claude');
  const home = path.join(root, name, 'home');
  await mkdir(home, { recursive: true });
  return { dir, home };
}

const shared = (b: { id: string; startTime: string; endTime: string; isGap: boolean; tokenCounts: BlockJson['tokenCounts'] }) => ({
  id: b.id, startTime: b.startTime, endTime: b.endTime, isGap: b.isGap, tokenCounts: { ...b.tokenCounts },
});

describe('usage blocks agrees with ccusage 18 (blocks --json --offline)', () => {
  const seeds = [1, 2, 3, 42, 2026, 77_777];
  let compared = 0;

  for (const seed of seeds) {
    it(`seed ${seed}: same blocks, starts, ends and token totals`, async () => {
      // One seed ends 40 minutes ago, so an active block is compared too.
      const endMs = seed === 42 ? Date.now() - 40 * 60_000 : undefined;
      const logs = generateClaudeCodeLogs(seed, { messages: 600, ...(endMs ? { endMs } : {}) });
      const { dir, home } = await fixture(`seed-${seed}`);
      await writeClaudeCodeLogs(dir, logs);

      const [theirs, ours] = await Promise.all([ccusageBlocks(dir, home), heliosBlocks(['--claude-config-dir', dir], home)]);
      assert.ok(theirs.filter((b) => !b.isGap).length >= 5, 'the generator should produce several blocks');
      assert.equal(ours.blocks.length, theirs.length, 'block count');
      theirs.forEach((t, i) => {
        const o = ours.blocks[i]!;
        assert.deepEqual(shared(o), shared(t), `block ${i}`);
        // Beyond what is required: the same entries, last activity, activity and models.
        assert.deepEqual([o.entries, o.actualEndTime, o.isActive, o.totalTokens, [...o.models].sort()],
          [t.entries, t.actualEndTime, t.isActive, t.totalTokens, [...t.models].sort()], `block ${t.id}`);
      });
      if (seed === 42) assert.ok(ours.blocks.some((b) => b.isActive), 'seed 42 has an active block');
      // And the generator's own ledger of what it wrote.
      const cc = ours.sources.claudeCode!;
      assert.equal(cc.entries, logs.stats.entries);
      assert.equal(cc.duplicates, logs.stats.duplicateLines);
      assert.equal(cc.malformedLines, logs.stats.malformedLines);
      compared += theirs.filter((b) => !b.isGap).length;
    });
  }

  it('compared a meaningful number of blocks', () => {
    assert.ok(compared >= 40, `only ${compared} blocks compared`);
  });

  it('reads offset timestamps that ccusage 18 skips (documented difference)', async () => {
    const { dir, home } = await fixture('offsets');
    const line = (ts: string, id: string, input: number) => JSON.stringify({
      type: 'assistant', timestamp: ts, requestId: `req_${id}`, sessionId: 's',
      message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: input, output_tokens: 1 } },
    });
    await mkdir(path.join(dir, 'projects', '-p'), { recursive: true });
    await writeFile(path.join(dir, 'projects', '-p', 's.jsonl'), [
      line('2026-09-01T10:30:00.000Z', 'a', 10),
      line('2026-09-01T20:15:00.000+09:00', 'b', 20), // 11:15Z, same block
    ].join('\n'));
    const [theirs, ours] = await Promise.all([ccusageBlocks(dir, home), heliosBlocks(['--claude-config-dir', dir], home)]);
    assert.equal(theirs.length, 1);
    assert.equal(theirs[0]!.tokenCounts.inputTokens, 10);
    assert.equal(ours.blocks.length, 1);
    assert.equal(ours.blocks[0]!.startTime, theirs[0]!.startTime);
    assert.equal(ours.blocks[0]!.tokenCounts.inputTokens, 30);
    assert.equal(ours.blocks[0]!.actualEndTime, '2026-09-01T11:15:00.000Z');
  });
});
