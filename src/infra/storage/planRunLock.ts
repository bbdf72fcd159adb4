import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeliosError, isHeliosError } from '../../core/errors/heliosError';
import { FileLock, type HeldFileLock } from './fileLock';

/**
 * One runner per plan: `<runs>/<planId>.lock` (pid, host, start time; created with O_EXCL through
 * FileLock) is held for as long as a process runs the plan — `helios run`, or a VS Code window
 * (two windows of one workspace share the storage folder, so they obey the same lock). A second
 * runner is refused at once with `plan_running`, naming the holder. A holder that died (same host,
 * pid gone) leaves a lock that the next runner takes over; a holder on another host (a shared
 * folder) touches its lock every half minute, so one untouched for five minutes is taken over.
 *
 * Released on `release()`, on process exit (synchronously), and — when the CLI asks for it — on
 * SIGINT / SIGTERM / SIGHUP. Within one process the lock is re-entrant (counted).
 */

const HEARTBEAT_MS = 30_000;
const OTHER_HOST_STALE_MS = 5 * 60_000;
const ID = /^[\w.-]+$/;

export interface PlanRunLock {
  readonly planId: string;
  /** The lock file. */
  readonly file: string;
  /** Idempotent. */
  release(): Promise<void>;
}

interface Entry {
  readonly held: HeldFileLock;
  readonly heartbeat: ReturnType<typeof setInterval>;
  count: number;
}

/** Locks this process holds or is taking, by lock file; `taken` has those fully taken (for sync release). */
const entries = new Map<string, Promise<Entry>>();
const taken = new Map<string, Entry>();
let exitHookInstalled = false;

/** Takes the run lock of one plan; `plan_running` when another process holds it. */
export async function acquirePlanRunLock(runsDir: string, planId: string): Promise<PlanRunLock> {
  if (!ID.test(planId)) throw new HeliosError('plan_invalid', `invalid plan id ${planId}`, { planId });
  installExitHook();
  const target = path.join(path.resolve(runsDir), planId);
  const file = `${target}.lock`;
  let pending = entries.get(file);
  if (pending) {
    const entry = await pending;
    entry.count++;
  } else {
    pending = take(target, planId);
    entries.set(file, pending);
    try {
      taken.set(file, await pending);
    } catch (error) {
      entries.delete(file);
      throw error;
    }
  }
  let released = false;
  return {
    planId, file,
    release: async () => {
      if (released) return;
      released = true;
      const entry = await entries.get(file);
      if (!entry || --entry.count > 0) return;
      entries.delete(file);
      taken.delete(file);
      clearInterval(entry.heartbeat);
      await entry.held.release();
    },
  };
}

/** Takes every plan's lock, or none: on a refusal the ones taken are released again. */
export async function acquirePlanRunLocks(runsDir: string, planIds: readonly string[]): Promise<PlanRunLock[]> {
  const locks: PlanRunLock[] = [];
  try {
    for (const id of [...new Set(planIds)]) locks.push(await acquirePlanRunLock(runsDir, id));
    return locks;
  } catch (error) {
    await Promise.all(locks.map((l) => l.release()));
    throw error;
  }
}

/**
 * For the CLI: SIGINT, SIGTERM and SIGHUP release every run lock of this process. When nothing
 * else listens for the signal, it is then raised again, so the process ends as it would have; when
 * something else does (an orderly shutdown), that owns the exit and the exit hook releases the locks.
 * Returns the uninstall.
 */
export function releaseRunLocksOnSignals(): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (process.listenerCount(signal) > 1) return;
      releaseAllSync();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

async function take(target: string, planId: string): Promise<Entry> {
  const lock = new FileLock({ longHeld: true, staleLockMs: OTHER_HOST_STALE_MS, lockTimeoutMs: 0 });
  let held: HeldFileLock;
  try {
    held = await lock.acquire(target);
  } catch (error) {
    if (!isHeliosError(error, 'state_busy')) throw error;
    const d = error.details;
    throw new HeliosError('plan_running', `plan ${planId} is already running (pid ${String(d.pid ?? '?')})`, {
      planId, file: `${target}.lock`,
      ...(typeof d.pid === 'number' ? { pid: d.pid } : {}),
      ...(typeof d.host === 'string' && d.host !== os.hostname() ? { host: d.host } : {}),
      ...(typeof d.since === 'string' ? { since: d.since } : {}),
    }, { cause: error });
  }
  // Keeps the lock fresh for runners on other hosts, which cannot see whether this process lives.
  const heartbeat = setInterval(() => {
    const now = new Date();
    void fs.utimes(held.file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return { held, heartbeat, count: 1 };
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', releaseAllSync);
}

/** Synchronous: `exit` handlers and signals cannot wait. A lock still being taken is left to its dead-pid check. */
function releaseAllSync(): void {
  for (const [file, entry] of taken) {
    taken.delete(file);
    entries.delete(file);
    clearInterval(entry.heartbeat);
    entry.held.releaseSync();
  }
}
