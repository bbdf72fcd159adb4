import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { PlanRun, RunStore } from '../../src/core/scheduler/runState';
import { Scheduler, type TaskResult } from '../../src/core/scheduler/scheduler';
import { writeFileAtomic, type AtomicWriteIo } from '../../src/infra/storage/atomicFile';
import { storageError } from '../../src/infra/storage/storageErrors';
import { sweepStaleTemp } from '../../src/infra/storage/tempSweep';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

/**
 * Disk full and permission errors (#18 row 10): a write of Helios's state that fails is a typed
 * `disk_full` / `state_unwritable` naming the file, leaves no temp file behind, and stops a run
 * instead of crashing it with an unhandled rejection. A tmpfs cannot be mounted here and the tests
 * run as root (chmod does not stop root), so the failures are injected through writeFileAtomic's
 * file-operation seam.
 */

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'helios-faults-'));
const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/** The real file operations, with one of them failing. */
function failing(op: 'writeFile' | 'sync' | 'rename' | 'open', code: string): AtomicWriteIo {
  return {
    mkdir: fs.mkdir,
    rm: fs.rm,
    rename: op === 'rename' ? () => Promise.reject(errno(code)) : fs.rename,
    open: async (file, flags) => {
      if (op === 'open') throw errno(code);
      const handle = await fs.open(file, flags);
      return {
        writeFile: op === 'writeFile' ? async (data: string | Uint8Array) => {
          // A full disk takes part of the data first.
          await handle.writeFile(typeof data === 'string' ? data.slice(0, 3) : data.slice(0, 3));
          throw errno(code);
        } : (data: string | Uint8Array) => handle.writeFile(data),
        sync: op === 'sync' ? () => Promise.reject(errno(code)) : () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
}

describe('writeFileAtomic under a full disk or a refused write', () => {
  for (const op of ['writeFile', 'sync', 'rename'] as const) {
    it(`ENOSPC in ${op}: disk_full naming the file, the old content kept, no temp file left`, async () => {
      const dir = await tmp();
      const file = path.join(dir, 'run.json');
      await writeFile(file, '{"old":true}');
      await assert.rejects(writeFileAtomic(file, '{"new":true}', failing(op, 'ENOSPC')), (e) => {
        assert.ok(isHeliosError(e, 'disk_full'), String(e));
        assert.equal(e.details.path, file);
        assert.equal(e.details.code, 'ENOSPC');
        return true;
      });
      assert.deepEqual(await readdir(dir), ['run.json'], 'no *.tmp left behind');
      assert.equal(await fs.readFile(file, 'utf8'), '{"old":true}');
    });
  }

  for (const code of ['EACCES', 'EROFS', 'ENOTDIR']) {
    it(`${code} is state_unwritable with the path and the code`, async () => {
      const dir = await tmp();
      const file = path.join(dir, 'x.json');
      await assert.rejects(writeFileAtomic(file, 'x', failing(code === 'ENOTDIR' ? 'open' : 'writeFile', code)), (e) => {
        assert.ok(isHeliosError(e, 'state_unwritable'), String(e));
        assert.equal(e.details.path, file);
        assert.equal(e.details.code, code);
        return true;
      });
      assert.deepEqual(await readdir(dir), []);
    });
  }

  it('a folder that is a file (--state inside a file) is state_unwritable, with the real fs', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'file'), 'x');
    const target = path.join(dir, 'file', 'state', 'runs', 'p.json');
    await assert.rejects(writeFileAtomic(target, '{}'), (e) => isHeliosError(e, 'state_unwritable') && e.details.code === 'ENOTDIR');
  });

  it('leaves other errors as they were', () => {
    const other = errno('EBUSY');
    assert.equal(storageError(other, '/x'), other);
    assert.equal(storageError('text', '/x'), 'text');
  });
});

describe('sweepStaleTemp', () => {
  it('removes atomic-write temp files older than a minute, keeps fresh ones, others\' files and worktrees', async () => {
    const dir = await tmp();
    const old = new Date(Date.now() - 5 * 60_000);
    const files = {
      stale: path.join(dir, 'runs', 'p.json.4242.0badc0de.tmp'),
      staleDeep: path.join(dir, 'changes', 'p', 'T1.json.17.deadbeef.tmp'),
      fresh: path.join(dir, 'runs', 'q.json.4242.00c0ffee.tmp'),
      notOurs: path.join(dir, 'cache', 'l3', 'index.tmp'),
      worktree: path.join(dir, 'worktrees', 'p', 'src', 'a.ts.1.0badc0de.tmp'),
    };
    for (const [name, file] of Object.entries(files)) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'x');
      if (name !== 'fresh') await utimes(file, old, old);
    }
    const removed = await sweepStaleTemp(dir);
    assert.deepEqual(removed.sort(), [files.staleDeep, files.stale].sort());
    for (const name of ['fresh', 'notOurs', 'worktree'] as const) await fs.access(files[name]);
    assert.deepEqual(await sweepStaleTemp(path.join(dir, 'missing')), []);
  });
});

function task(id: string, dependsOn: string[] = []): Task {
  return { id, title: id, description: id, taskType: 'code_generation', dependsOn, files: [], priority: 3, estimatedTokens: 1_000 };
}

const plan: Plan = {
  version: 1, id: 'p', createdAt: '2026-11-24T00:00:00Z', prdPath: 'PRD.md', prdSha256: 'x', plannedBy: 'm', provider: 'p',
  graph: { tasks: [task('T1'), task('T2'), task('T3', ['T1']), task('T4', ['T3'])] }, status: {}, usage: ZERO_USAGE, costUsd: 0, repairs: 0,
};

const ok = (): TaskResult => ({ ok: true, model: 'm', reasonCode: 'default_map', reason: 'r', usage: ZERO_USAGE, costUsd: 0.01, calls: 1 });

describe('Scheduler when the run state cannot be saved', () => {
  it('stops the run (calls in flight aborted, nothing started after) and whenIdle rejects with disk_full — no unhandled rejection', async () => {
    const store: RunStore = {
      load: async () => undefined,
      save: async (run: PlanRun) => {
        // The plan added, T1 and T2 started: those fit. The disk is full when T1's end is saved.
        if (run.tasks.T1?.status === 'done') throw storageError(errno('ENOSPC'), '/state/runs/p.json');
      },
    };
    const started: string[] = [];
    let aborted = 0;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const scheduler = new Scheduler({
        store, globalConcurrency: 2, perPlanConcurrency: 2,
        executor: (job) => {
          started.push(job.task.id);
          if (job.task.id === 'T1') return new Promise((r) => setTimeout(() => r(ok()), 5));
          return new Promise((resolve) => job.signal.addEventListener('abort', () => {
            aborted++;
            resolve({ ok: false, retryable: false, error: { reason: 'cancelled', message: 'aborted' } });
          }));
        },
      });
      await scheduler.addPlan(plan);
      await assert.rejects(scheduler.whenIdle(), (e) => isHeliosError(e, 'disk_full') && e.details.path === '/state/runs/p.json');
      await new Promise((r) => setTimeout(r, 20));
      // T3 may start while T1's end is being written (the scheduler overlaps the two); it is
      // aborted with T2 once the write fails, and nothing starts after that.
      assert.ok(!started.includes('T4'), `nothing started after the failed save: ${started.join(', ')}`);
      assert.equal(aborted, started.length - 1, 'every call still in flight was aborted');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a task that failed with disk_full stops the run too: later tasks would pay and fail the same way', async () => {
    const started: string[] = [];
    const scheduler = new Scheduler({
      store: { load: async () => undefined, save: async () => {} }, globalConcurrency: 1, perPlanConcurrency: 1,
      executor: async (job) => {
        started.push(job.task.id);
        return job.task.id === 'T1'
          ? { ok: false, retryable: false, error: { reason: 'disk_full', message: 'No space left', details: { path: '/state/integration/p.json', code: 'ENOSPC' } } }
          : ok();
      },
    });
    await scheduler.addPlan(plan);
    await assert.rejects(scheduler.whenIdle(), (e) => isHeliosError(e, 'disk_full') && e.details.path === '/state/integration/p.json');
    assert.deepEqual(started, ['T1']);
  });
});
