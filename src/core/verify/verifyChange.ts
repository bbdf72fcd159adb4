import { createHash } from 'node:crypto';
import type { ProposedChange } from '../../shared/proposedChange';
import type { Plan, Task } from '../../shared/taskGraph';
import type { VerificationResult } from '../../shared/verification';
import { HeliosError, isHeliosError } from '../errors/heliosError';
import type { VerifyHook } from '../pipeline/taskPipeline';
import { defaultPolicy, type Sandbox, type SandboxAvailability, type SandboxPolicy } from './sandbox';
import { countFailedTests, trimOutput } from './testOutput';

/**
 * The verify step: a proposed change is written into a scratch copy of the workspace, never into
 * the workspace, and the verify command runs there inside the sandbox. Invariants:
 *  - nothing runs outside a sandbox unless the user allowed it for this folder (`allowUnsandboxed`, a stored consent);
 *    an unusable sandbox is an `unavailable` result, not a silent fallback;
 *  - a file whose copy does not hash to the change's base is an `error` (`base_mismatch`): the
 *    change was computed against other content and its test result would mean nothing;
 *  - the scratch copy is removed whatever happens, cancellation included.
 */

/** One private copy of the workspace for one verify run. */
export interface ScratchCopy {
  /** The copy's root: the command's working folder, writable in the sandbox. */
  readonly dir: string;
  /** A private temp folder (TMPDIR for the command), writable in the sandbox. */
  readonly tmpDir: string;
  /** Absolute paths of secret files (`.env*`) in the user's folder and in the copy: denied reads. */
  readonly secretFiles: readonly string[];
  /** Bytes of a file in the copy; undefined when it does not exist. */
  readFile(relativePath: string): Promise<Uint8Array | undefined>;
  writeFile(relativePath: string, content: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface ScratchCopies {
  create(workspaceRoot: string, signal?: AbortSignal): Promise<ScratchCopy>;
}

export interface VerifierOptions {
  readonly sandbox: Sandbox;
  readonly scratch: ScratchCopies;
  readonly workspaceRoot: (plan: Plan) => string;
  /** The command, or a lookup (detection, settings) done at first use; undefined = skipped. */
  readonly command: string | undefined | ((workspaceRoot: string) => Promise<string | undefined>);
  /** The user's home, whose secret folders the command may not read. */
  readonly home: string;
  readonly policy?: Partial<Pick<SandboxPolicy, 'allowedHosts' | 'timeoutMs' | 'maxOutputBytes'>>;
  /** The workspace's explicit opt-in to run without a sandbox when none is available. Off by default. */
  readonly allowUnsandboxed?: boolean;
  /** The runner used only under `allowUnsandboxed` (a plain process group, no confinement). */
  readonly unsandboxed?: Sandbox;
  readonly now?: () => number;
}

export function createVerifier(options: VerifierOptions): VerifyHook {
  const now = options.now ?? Date.now;
  let available: Promise<SandboxAvailability> | undefined;
  const availability = async (): Promise<SandboxAvailability> => {
    available ??= options.sandbox.availability();
    const result = await available;
    // Asked again next time: the user may install what was missing without restarting.
    if (!result.available) available = undefined;
    return result;
  };

  return async (plan: Plan, _task: Task, change: ProposedChange, signal: AbortSignal, integrated?: ReadonlyMap<string, string>): Promise<VerificationResult> => {
    const started = now();
    const done = (rest: Omit<VerificationResult, 'durationMs' | 'timedOut' | 'violations' | 'output'> & Partial<VerificationResult>): VerificationResult => ({
      output: '', timedOut: false, violations: [], ...rest, durationMs: now() - started,
    });
    const root = options.workspaceRoot(plan);
    const command = typeof options.command === 'function' ? await options.command(root) : options.command;
    if (command === undefined || command.trim() === '') return done({ status: 'skipped', reason: 'no_verify_command' });

    let runner = options.sandbox;
    const state = await availability();
    if (!state.available) {
      if (!options.allowUnsandboxed || !options.unsandboxed) return done({ status: 'unavailable', command, reason: state.reason });
      runner = options.unsandboxed;
    }
    if (signal.aborted) throw new HeliosError('cancelled', 'Cancelled before verification');

    const copy = await options.scratch.create(root, signal);
    try {
      const mismatch = integrated ? await writeIntegrated(copy, integrated) : await applyToCopy(copy, change);
      if (mismatch) return done({ status: 'error', command, reason: mismatch.reason, output: mismatch.path });
      const policy = defaultPolicy({ scratchDir: copy.dir, tmpDir: copy.tmpDir, home: options.home, secretFiles: copy.secretFiles, ...options.policy });
      let run;
      try {
        run = await runner.run(command, copy.dir, policy, signal);
      } catch (error) {
        if (signal.aborted) throw new HeliosError('cancelled', 'Cancelled during verification', {}, { cause: error });
        // The sandbox could not start this command (the runtime refused the policy, spawn failed):
        // Helios's problem, not the change's, so `error` rather than `failed`.
        return done({ status: 'error', command, reason: 'sandbox_failed', output: error instanceof Error ? error.message : String(error) });
      }
      if (signal.aborted) throw new HeliosError('cancelled', 'Cancelled during verification');
      const failedTests = countFailedTests(run.output);
      return done({
        status: run.exitCode === 0 && !run.timedOut ? 'passed' : 'failed',
        command,
        exitCode: run.exitCode,
        ...(failedTests !== undefined ? { failedTests } : {}),
        output: trimOutput(run.output, policy.maxOutputBytes),
        timedOut: run.timedOut,
        violations: run.violations,
        ...(runner !== options.sandbox ? { reason: 'unsandboxed' } : {}),
      });
    } finally {
      await copy.dispose();
    }
  };
}

type ApplyProblem = { readonly reason: 'base_mismatch' | 'path_outside_workspace'; readonly path: string };

/** Writes each proposed file into the copy after checking the copy holds the content it was based on. */
async function applyToCopy(copy: ScratchCopy, change: ProposedChange): Promise<ApplyProblem | undefined> {
  for (const file of change.files) {
    if (!isSafeRelative(file.path)) return { reason: 'path_outside_workspace', path: file.path };
    const current = await copy.readFile(file.path);
    const base = current === undefined ? null : sha256(current);
    if (base !== file.baseSha256) return { reason: 'base_mismatch', path: file.path };
  }
  for (const file of change.files) {
    try {
      await copy.writeFile(file.path, file.proposedContent);
    } catch (error) {
      // A path through a linked dependency folder: the copy refuses it rather than touch the user's tree.
      if (isHeliosError(error, 'path_outside_workspace')) return { reason: 'path_outside_workspace', path: file.path };
      throw error;
    }
  }
  return undefined;
}

/**
 * The plan's integrated tree (every file the plan changed, this change merged in) over the copy.
 * The tree's own bases were checked when each change was merged, so no base check here.
 */
async function writeIntegrated(copy: ScratchCopy, files: ReadonlyMap<string, string>): Promise<ApplyProblem | undefined> {
  for (const [path] of files) if (!isSafeRelative(path)) return { reason: 'path_outside_workspace', path };
  for (const [path, text] of files) {
    try {
      await copy.writeFile(path, text);
    } catch (error) {
      if (isHeliosError(error, 'path_outside_workspace')) return { reason: 'path_outside_workspace', path };
      throw error;
    }
  }
  return undefined;
}

function isSafeRelative(p: string): boolean {
  if (p === '' || p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\\')) return false;
  return !p.split('/').some((seg) => seg === '..' || seg === '');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
