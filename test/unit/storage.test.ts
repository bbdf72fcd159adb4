import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile, appendFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import { UsageRecordSchema, type UsageRecord } from '../../src/core/usage/usageLedger';
import { writeFileAtomic } from '../../src/infra/storage/atomicFile';
import { FilePlanStore } from '../../src/infra/storage/filePlanStore';
import { JsonlFile } from '../../src/infra/storage/jsonlFile';
import { compactLedger } from '../../src/infra/storage/ledgerCompactor';
import { ZERO_USAGE } from '../../src/shared/usage';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'helios-storage-'));

function samplePlan(sha = 'a'.repeat(64)) {
  return createPlan({
    prd: { path: 'PRD.md', text: '# x', sha256: sha, bytes: 3 },
    result: {
      graph: { tasks: [{ id: 'T1', title: 't', description: 'd', taskType: 'unit_test', dependsOn: [], files: [], priority: 1, estimatedTokens: 10 }] },
      model: 'claude-opus-5-5',
      usage: { ...ZERO_USAGE, inputTokens: 1000, outputTokens: 100 },
      calls: [{ model: 'claude-opus-5-5', text: '', stopReason: 'end_turn', usage: { ...ZERO_USAGE, inputTokens: 1000, outputTokens: 100 }, requestId: 'r', durationMs: 1 }],
      repairs: 0,
    },
    provider: 'simulator',
    now: new Date('2026-11-24T10:00:00Z'),
  });
}

describe('FilePlanStore', () => {
  it('saves and reloads the latest plan, with its cost from the price table', async () => {
    const dir = await tmp();
    const store = new FilePlanStore(dir);
    assert.equal(await store.latest(), undefined);
    const plan = samplePlan();
    await store.save(plan);
    const again = await new FilePlanStore(dir).latest();
    assert.deepEqual(again, plan);
    // Opus 5.5: 1000 in × $4/MTok + 100 out × $20/MTok.
    assert.ok(Math.abs(plan.costUsd - (1000 * 4 + 100 * 20) / 1e6) < 1e-12);
    assert.deepEqual(plan.status, { T1: 'ready' });
  });

  it('lists every stored plan, newest first, skipping unreadable ones', async () => {
    const dir = await tmp();
    const corrupt: string[] = [];
    const store = new FilePlanStore(dir, { onCorrupt: (f) => corrupt.push(f) });
    const older = samplePlan('b'.repeat(64));
    const newer = { ...samplePlan('c'.repeat(64)), id: 'plan-newer', createdAt: '2026-11-25T00:00:00.000Z' };
    await store.save(older);
    await store.save(newer);
    await writeFile(path.join(dir, 'plans', 'broken.json'), '{');
    assert.deepEqual((await store.list()).map((p) => p.id), ['plan-newer', older.id]);
    assert.equal(corrupt.length, 1);
  });

  it('reports a corrupt or half-written plan file and moves it aside (*.corrupt-<time>), never deleting it', async () => {
    const dir = await tmp();
    const corrupt: { file: string; aside: string | undefined }[] = [];
    const store = new FilePlanStore(dir, { onCorrupt: (file, _error, aside) => corrupt.push({ file, aside }) });
    const plan = samplePlan();
    await store.save(plan);
    const file = path.join(dir, 'plans', `${plan.id}.json`);
    const full = await readFile(file, 'utf8');
    await writeFile(file, full.slice(0, full.length / 2));
    assert.equal(await store.latest(), undefined);
    assert.equal(corrupt.length, 1);
    assert.equal(corrupt[0]!.file, file);
    assert.ok(corrupt[0]!.aside?.startsWith(`${file}.corrupt-`));
    assert.equal((await readFile(corrupt[0]!.aside!, 'utf8')).length, Math.floor(full.length / 2), 'the file is kept, renamed');
    assert.equal(await store.latest(), undefined, 'then it reads as missing');
    assert.equal(corrupt.length, 1, 'reported once');
  });

  it('never leaves temp files behind after atomic writes', async () => {
    const dir = await tmp();
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(path.join(dir, 'x.json'), JSON.stringify({ i }))));
    assert.deepEqual(await readdir(dir), ['x.json']);
    assert.ok('i' in JSON.parse(await readFile(path.join(dir, 'x.json'), 'utf8')));
  });
});

const record = (i: number, workspace = 'w'): UsageRecord => ({
  v: 1, ts: new Date(Date.UTC(2026, 10, 24, 10, 0, i)).toISOString(), workspace, provider: 'simulator', model: 'claude-haiku-5-5',
  requestId: `req_${i}`, usage: { ...ZERO_USAGE, inputTokens: i, outputTokens: 1 }, costUsd: 0.001,
});

describe('JsonlFile (usage ledger)', () => {
  it('skips a torn last line and keeps appending whole lines after it', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'ledger.jsonl');
    const ledger = new JsonlFile(file, (v) => UsageRecordSchema.parse(v));
    await ledger.append(record(1));
    await appendFile(file, '{"v":1,"ts":"2026-11-24T10:00:0'); // a writer died mid-line
    await ledger.append(record(2));
    const { records, skipped } = await ledger.readAll();
    assert.deepEqual(records.map((r) => r.requestId), ['req_1', 'req_2']);
    assert.equal(skipped, 1);
  });

  it('keeps every record whole when two processes append at once for 10 s', async () => {
    const dir = await tmp();
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'ledger.jsonl');
    const script = `
      const { JsonlFile } = require(${JSON.stringify(path.resolve('src/infra/storage/jsonlFile.ts'))});
      const f = new JsonlFile(process.argv[1], (v) => v);
      (async () => {
        const until = Date.now() + 10_000;
        let i = 0;
        while (Date.now() < until) await f.append({ v: 1, who: process.argv[2], i: i++, pad: 'x'.repeat(300) });
        process.stdout.write(String(i));
      })();`;
    const run = (who: string) => new Promise<number>((resolve, reject) => {
      let out = '';
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, file, who], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer ${who} exited ${code}`))));
    });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    const { records, skipped } = await new JsonlFile(file, (v) => v as { who: string; i: number }).readAll();
    assert.equal(skipped, 0);
    assert.ok(a > 100 && b > 100, `both writers wrote (${a}, ${b})`);
    assert.equal(records.length, a + b, 'no record was lost');
    for (const [who, count] of [['a', a], ['b', b]] as const) {
      assert.deepEqual(records.filter((r) => r.who === who).map((r) => r.i), Array.from({ length: count }, (_, i) => i));
    }
  });
});

describe('compactLedger', () => {
  const parse = (v: unknown) => UsageRecordSchema.parse(v);
  const rec = (iso: string, i: number): UsageRecord => ({ ...record(i), ts: iso, requestId: `req_${iso}_${i}` });

  it('summarises records older than the cutoff per window and keeps the recent ones', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'ledger.jsonl');
    const ledger = new JsonlFile(file, parse);
    for (const [iso, i] of [['2026-11-01T10:10:00Z', 1], ['2026-11-01T12:00:00Z', 2], ['2026-11-02T09:30:00Z', 3], ['2026-11-23T10:00:00Z', 4]] as const) await ledger.append(rec(iso, i));
    const result = await compactLedger({ ledgerFile: file, parse, now: Date.parse('2026-11-24T00:00:00Z'), keepMs: 8 * 86_400_000 });
    assert.deepEqual(result, { compactedRecords: 3, windows: 2, keptRecords: 1 });
    const kept = await ledger.readAll();
    assert.deepEqual(kept.records.map((r) => r.ts), ['2026-11-23T10:00:00Z']);
    const summaries = (await readFile(path.join(dir, 'summaries.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { start: string; calls: number; usage: { inputTokens: number } });
    assert.deepEqual(summaries.map((s) => [s.start, s.calls, s.usage.inputTokens]), [['2026-11-01T10:00:00.000Z', 2, 3], ['2026-11-02T09:00:00.000Z', 1, 3]]);
    assert.deepEqual((await readdir(dir)).sort(), ['ledger.jsonl', 'summaries.jsonl']);
  });

  it('finishes a compaction that died after setting the ledger aside, and loses no append made meanwhile', async () => {
    const dir = await tmp();
    const file = path.join(dir, 'ledger.jsonl');
    const aside = new JsonlFile(`${file}.compacting`, parse);
    await aside.append(rec('2026-11-20T10:00:00Z', 1));
    await new JsonlFile(file, parse).append(rec('2026-11-23T10:00:00Z', 2)); // appended after the crash
    const result = await compactLedger({ ledgerFile: file, parse, now: Date.parse('2026-11-24T00:00:00Z'), keepMs: 8 * 86_400_000 });
    assert.equal(result?.keptRecords, 1);
    const { records } = await new JsonlFile(file, parse).readAll();
    assert.deepEqual(records.map((r) => r.ts).sort(), ['2026-11-20T10:00:00Z', '2026-11-23T10:00:00Z']);
  });

  it('does nothing while another window holds the lock', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'compact.lock'), String(Date.now()));
    const result = await compactLedger({ ledgerFile: path.join(dir, 'ledger.jsonl'), parse, now: Date.now(), keepMs: 1 });
    assert.equal(result, undefined);
  });
});
