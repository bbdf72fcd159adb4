import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';

/**
 * Finding and running the user's own `claude` binary. Helios never reads Claude Code's login
 * (credential files, keychain): it only starts the binary, which uses its own login.
 *
 * Each run is its own process group (`detached`), so cancelling kills Claude Code and anything
 * it started — SIGTERM, then SIGKILL after a grace period.
 */

/** The oldest Claude Code tested with this client (stream-json `result` with `modelUsage`, `--json-schema`, `--tools`). */
export const MIN_CLAUDE_CODE_VERSION = '2.1.197';

const KILL_GRACE_MS = 2_000;
/**
 * After SIGKILL (or after the leader exited with its pipes still held), how long Helios waits for
 * the process's pipes to close. Past it, something the call started is out of reach — in another
 * process group, or stuck in the kernel — and the run ends as `unstoppable`.
 */
const STOP_WAIT_MS = 3_000;

export interface ClaudeBinary {
  readonly path: string;
  /** `2.1.197` from `2.1.197 (Claude Code)`. */
  readonly version: string;
}

/**
 * The binary from a configured path, else the first `claude` on `PATH`. Throws
 * `provider_unavailable` with `details.claudeCode` = `not_installed` or `version_too_old`.
 */
export async function findClaudeBinary(options: {
  readonly configuredPath?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly minVersion?: string;
}): Promise<ClaudeBinary> {
  const env = options.env ?? process.env;
  const candidates = options.configuredPath ? [options.configuredPath] : pathCandidates(env);
  for (const candidate of candidates) {
    if (!(await isExecutable(candidate))) continue;
    const version = await claudeVersion(candidate, env);
    const min = options.minVersion ?? MIN_CLAUDE_CODE_VERSION;
    if (compareVersions(version, min) < 0) {
      throw new HeliosError('provider_unavailable', `Claude Code ${version} at ${candidate} is older than ${min}`, {
        claudeCode: 'version_too_old',
        version,
        minVersion: min,
        path: candidate,
      });
    }
    return { path: candidate, version };
  }
  throw new HeliosError(
    'provider_unavailable',
    options.configuredPath ? `No executable Claude Code at ${options.configuredPath}` : 'No `claude` binary on PATH',
    { claudeCode: 'not_installed', ...(options.configuredPath ? { path: options.configuredPath } : {}) },
  );
}

function pathCandidates(env: Readonly<Record<string, string | undefined>>): string[] {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(path.delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? ['claude.exe', 'claude.cmd', 'claude'] : ['claude'];
  return dirs.flatMap((dir) => names.map((name) => path.join(dir, name)));
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `claude --version` (10 s cap) and returns the leading semantic version. */
export async function claudeVersion(binary: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  const run = await runProcess({ command: binary, args: ['--version'], env, timeoutMs: 10_000 });
  const match = /(\d+\.\d+\.\d+)/.exec(run.stdout);
  if (run.exitCode !== 0 || !match) {
    throw new HeliosError('provider_unavailable', `\`${binary} --version\` failed: ${run.stderr.trim() || run.stdout.trim()}`, {
      claudeCode: 'not_runnable',
      path: binary,
    });
  }
  return match[1]!;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface ProcessRun {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly stdin?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Each complete stdout line as it arrives. */
  readonly onLine?: (line: string) => void;
  readonly onStderr?: (chunk: string) => void;
}

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why Helios ended the process, if it did. */
  readonly killed: 'timeout' | 'aborted' | undefined;
  /**
   * The process (or something it started) could not be stopped: its pipes stayed open after
   * SIGKILL to its group. What it did and spent is unknown; it may still be running.
   */
  readonly unstoppable?: true;
  /** The process-group id (the child's pid), for tests that check nothing survives. */
  readonly pid: number | undefined;
}

/** Spawns a process in its own group; resolves when it exits (never rejects for a non-zero exit). */
export function runProcess(run: ProcessRun): Promise<ProcessResult> {
  return new Promise<ProcessResult>((resolve, reject) => {
    if (run.signal?.aborted) {
      resolve({ exitCode: null, exitSignal: null, stdout: '', stderr: '', killed: 'aborted', pid: undefined });
      return;
    }
    const child = spawn(run.command, [...run.args], {
      cwd: run.cwd,
      env: withoutUndefined(run.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let killed: ProcessResult['killed'];
    let graceTimer: NodeJS.Timeout | undefined;
    let stopTimer: NodeJS.Timeout | undefined;
    let settled = false;
    /** SIGKILL to the group, then a last wait for the pipes: past it the run is unstoppable. */
    const killHard = (): void => {
      signalGroup(child.pid, 'SIGKILL', () => child.kill('SIGKILL'));
      stopTimer ??= setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref();
        finish(child.exitCode, child.signalCode, true);
      }, STOP_WAIT_MS);
      stopTimer.unref();
    };
    const killGroup = (why: 'timeout' | 'aborted'): void => {
      if (killed) return;
      killed = why;
      if (child.exitCode !== null || child.signalCode !== null) return killHard();
      signalGroup(child.pid, 'SIGTERM', () => child.kill('SIGTERM'));
      graceTimer = setTimeout(killHard, KILL_GRACE_MS);
      graceTimer.unref();
    };
    // The leader exited but its pipes stay open: a helper it started still holds them.
    child.once('exit', () => {
      const linger = setTimeout(() => {
        if (!settled) killHard();
      }, KILL_GRACE_MS);
      linger.unref();
    });
    const onAbort = (): void => killGroup('aborted');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = run.timeoutMs ? setTimeout(() => killGroup('timeout'), run.timeoutMs) : undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!run.onLine) return;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) run.onLine(line);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      run.onStderr?.(chunk);
    });
    // A child that exits before reading stdin makes the write fail with EPIPE; the exit tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.stdin ?? '');
    child.once('error', (error) => {
      cleanup();
      reject(error);
    });
    child.once('close', (exitCode, exitSignal) => finish(exitCode, exitSignal, false));
    function finish(exitCode: number | null, exitSignal: NodeJS.Signals | null, unstoppable: boolean): void {
      if (settled) return;
      settled = true;
      cleanup();
      if (run.onLine && pending.trim()) run.onLine(pending.trim());
      // Claude Code may leave helpers behind in its group; the call is over, so end them too.
      if (killed) signalGroup(child.pid, 'SIGKILL', () => undefined);
      resolve({ exitCode, exitSignal, stdout, stderr, killed, pid: child.pid, ...(unstoppable ? { unstoppable: true as const } : {}) });
    }
    function cleanup(): void {
      if (timer) clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      if (stopTimer) clearTimeout(stopTimer);
      run.signal?.removeEventListener('abort', onAbort);
    }
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals, fallback: () => void): void {
  if (pid === undefined || process.platform === 'win32') return fallback();
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function withoutUndefined(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
