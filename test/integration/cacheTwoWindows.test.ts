import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExactCache } from '../../src/core/cache/exactCache';
import type { LlmResponse } from '../../src/core/llm/llmClient';
import { FileExactCacheStore } from '../../src/infra/cache/fileExactCacheStore';
import { runTsWorker } from '../support/tsWorker';

/**
 * Two VS Code windows on one workspace share `cache/exact.json`. Each write merges what the other
 * window wrote meanwhile (under a lock), so neither loses the other's answers, what one window
 * dropped is not merged back, and a clear in one window is followed by the other.
 */

const answer = (text: string): LlmResponse => ({
  model: 'claude-sonnet-5-5', text, stopReason: 'end_turn', requestId: 'req_1', durationMs: 1,
  usage: { inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
});
const key = (n: number) => n.toString(16).padStart(64, '0');

describe('L2 file shared by two windows', () => {
  let dir: string;
  let n = 0;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'helios-l2-windows-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  async function windows(): Promise<{ file: string; open: () => Promise<ExactCache> }> {
    const file = path.join(dir, `exact${n++}.json`);
    return {
      file,
      open: async () => {
        const cache = new ExactCache({ store: new FileExactCacheStore(file) });
        await cache.load();
        return cache;
      },
    };
  }

  it('keeps both windows\' answers, and each window serves the other\'s after its next write', async () => {
    const { open } = await windows();
    const a = await open();
    const b = await open();
    a.set(key(1), answer('from A'));
    await a.flush();
    b.set(key(2), answer('from B'));
    await b.flush();
    assert.equal(b.get(key(1))?.text, 'from A', 'B took in what A wrote');
    const later = await open();
    assert.deepEqual([later.get(key(1))?.text, later.get(key(2))?.text], ['from A', 'from B']);
  });

  it('does not merge back what a window dropped (a changed file)', async () => {
    const { open } = await windows();
    const a = await open();
    const b = await open();
    a.set(key(1), answer('depends on rates.ts'), ['src/rates.ts']);
    await a.flush();
    b.set(key(2), answer('other'));
    await b.flush();
    assert.equal(a.invalidate(['src/rates.ts']), 1);
    await a.flush();
    const later = await open();
    assert.equal(later.get(key(1)), undefined, 'the dropped entry stayed dropped');
    assert.equal(later.get(key(2))?.text, 'other');
  });

  it('a clear in one window is followed by the other instead of undone by its next write', async () => {
    const { open } = await windows();
    const a = await open();
    const b = await open();
    a.set(key(1), answer('one'));
    await a.flush();
    b.set(key(2), answer('two'));
    await b.flush();
    a.clear();
    await a.flush();
    b.set(key(3), answer('after the clear'));
    await b.flush();
    assert.equal(b.get(key(1)), undefined, 'B dropped what the clear removed');
    const later = await open();
    assert.deepEqual([later.get(key(1)), later.get(key(2))], [undefined, undefined]);
  });

  it('two processes storing at once: the file stays valid and holds every answer of both', async () => {
    const { file, open } = await windows();
    const worker = path.join(dir, 'worker.mts');
    const src = path.resolve('src');
    await writeFile(worker, [
      `import { ExactCache } from ${JSON.stringify(path.join(src, 'core/cache/exactCache.ts'))};`,
      `import { FileExactCacheStore } from ${JSON.stringify(path.join(src, 'infra/cache/fileExactCacheStore.ts'))};`,
      `const [file, offset, count] = process.argv.slice(2);`,
      `const cache = new ExactCache({ store: new FileExactCacheStore(file) });`,
      `await cache.load();`,
      `const usage = { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 };`,
      `for (let i = 0; i < Number(count); i++) {`,
      `  const k = (Number(offset) + i).toString(16).padStart(64, '0');`,
      `  cache.set(k, { model: 'claude-sonnet-5-5', text: k, stopReason: 'end_turn', usage, durationMs: 1 });`,
      `  await cache.flush();`,
      `}`,
    ].join('\n'));
    const count = 25;
    const run = (offset: number) => runTsWorker(worker, [file, String(offset), String(count)]);
    assert.deepEqual(await Promise.all([run(1_000), run(2_000)]), [0, 0]);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { entries: unknown[] };
    assert.equal(parsed.entries.length, 2 * count);
    const later = await open();
    for (let i = 0; i < count; i++) {
      assert.ok(later.get(key(1_000 + i)), `first process, answer ${i}`);
      assert.ok(later.get(key(2_000 + i)), `second process, answer ${i}`);
    }
  });
});
