import type { Sandbox, SandboxAvailability, SandboxPolicy, SandboxRun } from '../../core/verify/sandbox';
import { runProcessTree } from './processTree';
import { commandEnv } from './srtSandbox';

/**
 * Runs the verify command with no confinement at all: only for a workspace whose user explicitly
 * allowed it (`allowUnsandboxed`), on a machine without a usable sandbox. The limits still hold
 * (time, output, killing the whole process group); the policy's write, read and network rules do
 * not, which is why it never reports violations and why the verifier marks its results.
 */
export class UnsandboxedRunner implements Sandbox {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  availability(): Promise<SandboxAvailability> {
    return Promise.resolve({ available: true, kind: 'none' });
  }

  async run(command: string, cwd: string, policy: SandboxPolicy, signal?: AbortSignal): Promise<SandboxRun> {
    const shell = process.platform === 'win32' ? ['cmd.exe', '/d', '/s', '/c', command] : ['/bin/sh', '-c', command];
    const run = await runProcessTree(shell, {
      cwd,
      env: { ...commandEnv(this.env), ...(policy.tmpDir ? { TMPDIR: policy.tmpDir } : {}) },
      timeoutMs: policy.timeoutMs,
      maxOutputBytes: policy.maxOutputBytes,
      ...(signal ? { signal } : {}),
    });
    return { exitCode: run.exitCode, output: run.output, timedOut: run.timedOut, violations: [] };
  }
}
