import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VerifyHook } from '../../core/pipeline/taskPipeline';
import { detectVerifyCommand } from '../../core/verify/detectCommand';
import { createVerifier } from '../../core/verify/verifyChange';
import { cleanupStale, ScratchCopier } from './scratchCopy';
import { shutdownSandboxRuntime, SrtSandbox } from './srtSandbox';
import { UnsandboxedRunner } from './unsandboxedRunner';

/** `--verify auto`: detect the command from the workspace's files (see detectCommand.ts). */
export const AUTO_VERIFY = 'auto';

export interface VerifyFlagOptions {
  /** Hosts the command may reach (`--verify-allow-host`); none by default. */
  readonly allowedHosts?: readonly string[];
  readonly timeoutMs?: number;
  /** The workspace's explicit opt-in (extension setting, workspace scope only); the CLI never sets it. */
  readonly allowUnsandboxed?: boolean;
}

/**
 * The verify hook for the Coder executor (`helios run --verify`, `helios.verify.command`), or
 * undefined when there is no command. Without a usable sandbox every result is `unavailable` with
 * the reason — unless the workspace opted in to running unsandboxed. Copies a crashed earlier run
 * left behind are removed first.
 */
export function createWorkspaceVerifier(command: string | undefined, root: string, options: VerifyFlagOptions = {}): VerifyHook | undefined {
  if (command === undefined) return undefined;
  const workspace = path.resolve(root);
  let cleaned: Promise<unknown> | undefined;
  const verify = createVerifier({
    sandbox: new SrtSandbox(),
    scratch: new ScratchCopier(),
    workspaceRoot: () => workspace,
    command: command.trim() === AUTO_VERIFY ? detectIn : command,
    home: os.homedir(),
    ...(options.allowUnsandboxed ? { allowUnsandboxed: true, unsandboxed: new UnsandboxedRunner() } : {}),
    policy: {
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    },
  });
  let inFlight = 0;
  return async (plan, task, change, signal, integrated) => {
    cleaned ??= cleanupStale().catch(() => undefined);
    await cleaned;
    inFlight += 1;
    try {
      return await verify(plan, task, change, signal, integrated);
    } finally {
      // The runtime's proxies keep the event loop alive: stop them whenever nothing is verifying,
      // so the CLI exits when its run ends (restarting them costs ~0.4 s per verification).
      inFlight -= 1;
      if (inFlight === 0) await shutdownSandboxRuntime();
    }
  };
}

async function detectIn(workspace: string): Promise<string | undefined> {
  const detected = await detectVerifyCommand({
    readText: async (rel) => {
      try {
        return await fs.readFile(path.join(workspace, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  return detected?.command;
}
