import { execFile } from 'node:child_process';
import { HeliosError } from '../../core/errors/heliosError';

/**
 * Runs git without a shell: `execFile` with a working directory, a timeout and the caller's
 * `AbortSignal`. A failure is `git_failed` naming the command and the first line of stderr; an
 * abort is `cancelled`.
 *
 * The environment is the process's minus the variables that point git at another repository or
 * index (set when Helios itself runs inside a git hook, or by a user's shell): with
 * `GIT_INDEX_FILE` inherited, `git add` in the plan's worktree would write the user's index.
 * Identity comes from the environment so commits work without `user.name`; hooks and signing are
 * off for every call (`-c core.hooksPath=/dev/null -c commit.gpgsign=false`), because `worktree
 * add` runs post-checkout and `commit` runs the commit hooks of the user's repository.
 */

export interface GitOptions {
  readonly gitPath: string;
  readonly signal?: AbortSignal;
}

export interface GitCall {
  readonly cwd: string;
  /** Written to stdin (stdin is closed either way, so git never waits on it). */
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Extra environment (e.g. a temporary `GIT_INDEX_FILE`). */
  readonly env?: Readonly<Record<string, string>>;
}

export type GitResult =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missing: boolean; readonly exitCode: number | undefined; readonly stderr: string; readonly timedOut: boolean };

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_BUFFER = 64 * 1024 * 1024;
const REPOSITORY_VARIABLES = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_NAMESPACE', 'GIT_QUARANTINE_PATH',
];
const CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false'];

export const HELIOS_IDENTITY = { name: 'Helios', email: 'helios@localhost' } as const;

function environment(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  return {
    ...env,
    GIT_AUTHOR_NAME: HELIOS_IDENTITY.name, GIT_AUTHOR_EMAIL: HELIOS_IDENTITY.email,
    GIT_COMMITTER_NAME: HELIOS_IDENTITY.name, GIT_COMMITTER_EMAIL: HELIOS_IDENTITY.email,
    GIT_TERMINAL_PROMPT: '0',
    // Task paths are file names, never globs.
    GIT_LITERAL_PATHSPECS: '1',
    // A checkout in Helios's worktree must not fetch LFS objects over the network.
    GIT_LFS_SKIP_SMUDGE: '1',
    ...extra,
  };
}

/** Runs git and reports how it ended; only an abort throws. */
export function tryGit(options: GitOptions, args: readonly string[], call: GitCall): Promise<GitResult> {
  if (options.signal?.aborted) return Promise.reject(cancelled(args));
  return new Promise((resolve, reject) => {
    const child = execFile(
      options.gitPath,
      [...CONFIG, ...args],
      {
        cwd: call.cwd, env: environment(call.env), timeout: call.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: MAX_BUFFER, signal: options.signal, windowsHide: true, encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        if (error.name === 'AbortError' || options.signal?.aborted) return reject(cancelled(args));
        const code = (error as NodeJS.ErrnoException).code;
        resolve({
          ok: false,
          missing: code === 'ENOENT',
          exitCode: typeof code === 'number' ? code : undefined,
          stderr: String(stderr),
          timedOut: error.killed === true && error.signal !== null,
        });
      },
    );
    // An EPIPE when git exits before reading its input is reported through the exit status.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(call.input ?? '');
  });
}

/** Runs git; anything but exit status 0 is `git_failed`. */
export async function git(options: GitOptions, args: readonly string[], call: GitCall): Promise<string> {
  const result = await tryGit(options, args, call);
  if (!result.ok) throw gitFailed(args, result);
  return result.stdout;
}

export function gitFailed(args: readonly string[], result: Extract<GitResult, { ok: false }>): HeliosError {
  const command = `git ${args.join(' ')}`;
  const why = result.missing ? 'git was not found' : result.timedOut ? 'timed out' : firstLine(result.stderr) || `exit status ${result.exitCode ?? 'unknown'}`;
  return new HeliosError('git_failed', `${command}: ${why}`, {
    command, stderr: firstLine(result.stderr), exitCode: result.exitCode ?? -1, ...(result.missing ? { missing: 1 } : {}),
  });
}

function cancelled(args: readonly string[]): HeliosError {
  return new HeliosError('cancelled', `git ${args.join(' ')} was cancelled`);
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
}
