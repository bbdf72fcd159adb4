import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { HeadTailBuffer } from '../../core/verify/testOutput';

/**
 * Runs one process as the leader of its own process group, so that a time limit or a
 * cancellation can kill everything it started (`kill(-pgid)`), not just the shell on top.
 */

export interface TreeRunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
}

export interface TreeRun {
  readonly exitCode: number | null;
  readonly output: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not be started at all (ENOENT on the executable, …). */
  readonly spawnError?: string;
}

/** After the leader exits, how long its pipes may stay open (a straggler holding them) before the group is killed. */
const DRAIN_GRACE_MS = 2_000;

export function runProcessTree(argv: readonly string[], options: TreeRunOptions): Promise<TreeRun> {
  return new Promise((resolve) => {
    const output = new HeadTailBuffer(options.maxOutputBytes);
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | undefined;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone, which is the point.
      }
    };
    const onAbort = (): void => {
      cancelled = true;
      killGroup();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (d: Buffer) => output.push(d));
    child.stderr.on('data', (d: Buffer) => output.push(d));
    let exitCode: number | null = null;
    let graceTimer: NodeJS.Timeout | undefined;
    child.on('exit', (code) => {
      exitCode = code;
      // Whatever the command left running in its group goes with it: a verify run owns no daemons.
      killGroup();
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, DRAIN_GRACE_MS);
    });
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const killed = timedOut || cancelled;
      resolve({
        exitCode: killed ? null : (exitCode ?? code),
        output: output.text(),
        timedOut,
        cancelled,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    });
  });
}

/** An executable on a PATH, or undefined; a stand-in for `which` that honours the PATH it is given. */
export async function findOnPath(name: string, pathValue: string | undefined): Promise<string | undefined> {
  for (const dir of (pathValue ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; the next PATH entry may have it.
    }
  }
  return undefined;
}
