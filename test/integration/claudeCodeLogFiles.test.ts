import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  claudeConfigDirs,
  listClaudeCodeLogFiles,
  parseClaudeCodeFile,
  readClaudeCodeUsage,
} from '../../src/infra/claudeCode/claudeCodeLogFiles';
import { generateClaudeCodeLogs, writeClaudeCodeLogs } from '../support/claudeCodeLogs';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'helios-cclogs-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const record = (ts: string, id: string, text = 'ok') => JSON.stringify({
  type: 'assistant', timestamp: ts, requestId: `req_${id}`, sessionId: 's', cwd: '/w',
  message: { id: `msg_${id}`, model: 'claude-sonnet-5-5', content: [{ type: 'text', text }], usage: { input_tokens: 1, output_tokens: 2 } },
});

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

describe('claudeConfigDirs', () => {
  it('takes a comma-separated CLAUDE_CONFIG_DIR, keeps folders with projects/, reports the rest', async () => {
    const a = path.join(root, 'cfg-a');
    const b = path.join(root, 'cfg-b');
    const c = path.join(root, 'cfg-c');
    await mkdir(path.join(a, 'projects'), { recursive: true });
    await mkdir(path.join(b, 'projects'), { recursive: true });
    await mkdir(c, { recursive: true });
    const found = await claudeConfigDirs({ env: { CLAUDE_CONFIG_DIR: ` ${a}, ${b} ,,${a},${c}` }, homeDir: root });
    assert.deepEqual(found, { dirs: [a, b], rejected: [c] });
    // Explicit folders win over the environment.
    assert.deepEqual((await claudeConfigDirs({ configDirs: [b], env: { CLAUDE_CONFIG_DIR: a } })).dirs, [b]);
  });

  it('falls back to $XDG_CONFIG_HOME/claude (~/.config/claude) and ~/.claude', async () => {
    const home = path.join(root, 'home');
    await mkdir(path.join(home, '.claude', 'projects'), { recursive: true });
    assert.deepEqual((await claudeConfigDirs({ env: {}, homeDir: home })).dirs, [path.join(home, '.claude')]);
    await mkdir(path.join(home, '.config', 'claude', 'projects'), { recursive: true });
    assert.deepEqual((await claudeConfigDirs({ env: {}, homeDir: home })).dirs, [path.join(home, '.config', 'claude'), path.join(home, '.claude')]);
    const xdg = path.join(root, 'xdg');
    await mkdir(path.join(xdg, 'claude', 'projects'), { recursive: true });
    assert.deepEqual((await claudeConfigDirs({ env: { XDG_CONFIG_HOME: xdg }, homeDir: home })).dirs, [path.join(xdg, 'claude'), path.join(home, '.claude')]);
    assert.deepEqual(await claudeConfigDirs({ env: {}, homeDir: path.join(root, 'nobody') }), { dirs: [], rejected: [] });
  });
});

describe('listClaudeCodeLogFiles and readClaudeCodeUsage', () => {
  it('finds session and subagent logs only, touching nothing else', async () => {
    const cfg = path.join(root, 'cfg-files');
    const p = path.join(cfg, 'projects', '-home-dev-helios');
    await put(path.join(p, 's1.jsonl'), `${record('2026-11-24T01:00:00.000Z', 'a')}\n`);
    await put(path.join(p, 's1', 'subagents', 'agent-1a2b.jsonl'), `${record('2026-11-24T01:05:00.000Z', 'b')}\n`);
    await put(path.join(p, 'notes.txt'), 'not a log');
    await put(path.join(p, '.hidden.jsonl'), `${record('2026-11-24T01:06:00.000Z', 'c')}\n`);
    const outside = path.join(root, 'outside');
    await put(path.join(outside, 'x.jsonl'), `${record('2026-11-24T01:07:00.000Z', 'd')}\n`);
    await symlink(outside, path.join(p, 'linked'));
    // Secrets and settings beside projects/: FIFOs, so opening one would hang this test.
    for (const name of ['.credentials.json', 'settings.json']) assert.equal(spawnSync('mkfifo', [path.join(cfg, name)]).status, 0);
    assert.equal(spawnSync('mkfifo', [path.join(p, 'pipe.jsonl')]).status, 0);

    const files = await listClaudeCodeLogFiles(cfg);
    assert.deepEqual(files.map((f) => path.relative(cfg, f)), [
      'projects/-home-dev-helios/s1/subagents/agent-1a2b.jsonl', 'projects/-home-dev-helios/s1.jsonl',
    ]);
    const before = await snapshot(cfg);
    const usage = await readClaudeCodeUsage({ configDirs: [cfg] });
    assert.deepEqual(usage.entries.map((e) => e.messageId).sort(), ['msg_a', 'msg_b']);
    assert.deepEqual(await snapshot(cfg), before, 'reading changed nothing');
  });

  it('reads the generated logs of several config folders and de-duplicates across them', async () => {
    const one = path.join(root, 'multi-1');
    const two = path.join(root, 'multi-2');
    const logs = generateClaudeCodeLogs(11, { messages: 300 });
    await writeClaudeCodeLogs(one, logs);
    await writeClaudeCodeLogs(two, logs); // the same history synced to a second machine's folder
    const single = await readClaudeCodeUsage({ configDirs: [one] });
    assert.equal(single.entries.length, logs.stats.entries);
    assert.equal(single.malformedLines, logs.stats.malformedLines);
    assert.equal(single.bytes, logs.stats.bytes);
    const both = await readClaudeCodeUsage({ env: { CLAUDE_CONFIG_DIR: `${one},${two}` } });
    assert.deepEqual(both.configDirs, [one, two]);
    const keyless = single.entries.filter((e) => e.requestId === undefined || e.messageId === undefined).length;
    assert.equal(both.entries.length, single.entries.length + keyless, 'keyed entries counted once');
  });

  it('with `since`, skips files last modified long before and entries before it', async () => {
    const cfg = path.join(root, 'cfg-since');
    const p = path.join(cfg, 'projects', '-p');
    await put(path.join(p, 'old.jsonl'), `${record('2026-10-01T00:00:00.000Z', 'old')}\n`);
    await put(path.join(p, 'new.jsonl'), `${record('2026-11-01T00:00:00.000Z', 'early')}\n${record('2026-11-24T00:00:00.000Z', 'late')}\n`);
    await utimes(path.join(p, 'old.jsonl'), new Date('2026-10-01T00:00:05Z'), new Date('2026-10-01T00:00:05Z'));
    const usage = await readClaudeCodeUsage({ configDirs: [cfg], since: new Date('2026-11-20T00:00:00Z') });
    assert.equal(usage.skippedFiles, 1);
    assert.deepEqual(usage.entries.map((e) => e.messageId), ['msg_late']);
  });

  it('streams a large file with multi-byte text split across chunks, counting a torn last line', async (t) => {
    const file = path.join(root, 'big', 'projects', '-p', 'big.jsonl');
    const korean = '한국어 사용량 로그 '.repeat(40);
    const lines: string[] = [];
    let ms = Date.parse('2026-11-01T00:00:00.000Z');
    for (let i = 0; i < 40_000; i++) lines.push(record(new Date((ms += 1_000)).toISOString(), `m${i}`, korean));
    await put(file, `${lines.join('\n')}\n{"type":"assistant","message":{"id":"torn`);
    const { size } = await stat(file);
    const started = process.hrtime.bigint();
    const parsed = await parseClaudeCodeFile(file);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(parsed.records.length, 40_000);
    assert.equal(parsed.malformedLines, 1);
    assert.equal(parsed.bytes, size);
    t.diagnostic(`parsed ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s: ${(size / 1e6 / seconds).toFixed(0)} MB/s`);
  });
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    if (e.isFile()) {
      const s = await stat(full);
      out[path.relative(dir, full)] = `${s.mtimeMs}:${createHash('sha256').update(await readFile(full)).digest('hex')}`;
    }
  }
  return out;
}
