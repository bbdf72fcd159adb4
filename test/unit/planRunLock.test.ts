import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import { acquirePlanRunLock, acquirePlanRunLocks } from '../../src/infra/storage/planRunLock';

/**
 * One runner per plan (#18 row 2): `<runs>/<plan>.lock` refuses a second process at once, names
 * its pid, is taken over when its holder died, and goes away when the holder exits or is stopped.
 */

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'helios-plan-lock-'));
const WORKER = path.resolve('test/support/planLockWorker.ts');
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

/** Starts the worker and resolves once it holds the lock. */
async function worker(runsDir: string, planId: string, mode: 'exit' | 'signal' | 'hold'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, runsDir, planId, mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_V8_COVERAGE: '' } });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => (mode === 'exit' ? resolve() : reject(new Error(`worker exited with ${code}`))));
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

/** A pid that is not running: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await exited(child);
  return child.pid!;
}

describe('plan run lock', () => {
  it('refuses a second process at once with plan_running naming the holder\'s pid; free again once the holder is gone', async () => {
    const runs = await tmp();
    const holder = await worker(runs, 'plan-a', 'hold');
    const started = Date.now();
    await assert.rejects(acquirePlanRunLock(runs, 'plan-a'), (e) => {
      assert.ok(isHeliosError(e, 'plan_running'), String(e));
      assert.equal(e.details.pid, holder.pid);
      assert.equal(e.details.planId, 'plan-a');
      return true;
    });
    assert.ok(Date.now() - started < 1_000, 'refused at once, not after a wait');
    const held = JSON.parse(await readFile(path.join(runs, 'plan-a.lock'), 'utf8')) as { pid: number; host: string; at: string };
    assert.equal(held.pid, holder.pid);
    assert.equal(held.host, os.hostname());
    assert.ok(!Number.isNaN(Date.parse(held.at)), 'the start time is recorded');

    holder.kill('SIGKILL');
    await exited(holder);
    // kill -9 leaves the file; its pid is dead, so it is taken over.
    const lock = await acquirePlanRunLock(runs, 'plan-a');
    await lock.release();
    assert.ok(!existsSync(path.join(runs, 'plan-a.lock')));
  });

  it('is released when the holder exits, and on SIGTERM and SIGINT with the CLI\'s signal hook', async () => {
    const runs = await tmp();
    const exiting = await worker(runs, 'p-exit', 'exit');
    await exited(exiting);
    assert.ok(!existsSync(path.join(runs, 'p-exit.lock')), 'released by the exit hook');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = await worker(runs, `p-${signal}`, 'signal');
      assert.ok(existsSync(path.join(runs, `p-${signal}.lock`)));
      child.kill(signal);
      await exited(child);
      assert.equal(child.signalCode, signal, 'the process still ends by the signal');
      assert.ok(!existsSync(path.join(runs, `p-${signal}.lock`)), `released on ${signal}`);
    }
  });

  it('takes over a lock whose holder died, or that names this very process (a reused pid); keeps a live one on another host', async () => {
    const runs = await tmp();
    await mkdir(runs, { recursive: true });
    await writeFile(path.join(runs, 'dead.lock'), JSON.stringify({ token: 'x', pid: await deadPid(), host: os.hostname(), at: new Date().toISOString() }));
    await (await acquirePlanRunLock(runs, 'dead')).release();
    await writeFile(path.join(runs, 'me.lock'), JSON.stringify({ token: 'x', pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
    await (await acquirePlanRunLock(runs, 'me')).release();

    const other = path.join(runs, 'other.lock');
    await writeFile(other, JSON.stringify({ token: 'x', pid: 1, host: 'another-host', at: new Date().toISOString() }));
    await assert.rejects(acquirePlanRunLock(runs, 'other'), (e) => isHeliosError(e, 'plan_running') && e.details.host === 'another-host');
    // Not touched for ten minutes: the other host's runner stopped keeping it fresh.
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(other, old, old);
    await (await acquirePlanRunLock(runs, 'other')).release();
  });

  it('is re-entrant within a process (a window running a plan it already runs) and all-or-none for several plans', async () => {
    const runs = await tmp();
    const [a, b] = await Promise.all([acquirePlanRunLock(runs, 'p1'), acquirePlanRunLock(runs, 'p1')]);
    await a.release();
    await a.release();
    assert.ok(existsSync(path.join(runs, 'p1.lock')), 'still held by the second');
    await b.release();
    assert.ok(!existsSync(path.join(runs, 'p1.lock')));

    const holder = await worker(runs, 'p3', 'hold');
    await assert.rejects(acquirePlanRunLocks(runs, ['p2', 'p3']), (e) => isHeliosError(e, 'plan_running') && e.details.pid === holder.pid);
    assert.ok(!existsSync(path.join(runs, 'p2.lock')), 'the lock taken before the refusal is given back');
    holder.kill('SIGKILL');
  });
});
