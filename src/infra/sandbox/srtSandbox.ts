import { randomBytes } from 'node:crypto';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as SandboxRuntime from '@anthropic-ai/sandbox-runtime';
import type { SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';
import {
  violationsFromOutput,
  type Sandbox,
  type SandboxAvailability,
  type SandboxPolicy,
  type SandboxRun,
} from '../../core/verify/sandbox';
import { findOnPath, runProcessTree } from './processTree';

/**
 * The sandbox over Anthropic's sandbox runtime, used as a library: `SandboxManager` starts the
 * network proxies once per process and wraps each command into a bubblewrap (Linux) or
 * sandbox-exec (macOS) invocation with the run's own filesystem rules; we spawn that ourselves so
 * we own the process group, the limits and the cancellation. Network allow lists are per run
 * (`registerCommandNetworkLists`), the proxy itself allows nothing.
 */

export interface SrtSandboxOptions {
  /** The environment commands run with and executables are looked up in (tests pass a PATH without bwrap). */
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

type Runtime = typeof SandboxRuntime;

/** The runtime is one per process (its proxies, its violation store): every SrtSandbox shares it. */
let runtime: Promise<Runtime> | undefined;
let activeRuns = 0;

const BASE_CONFIG: SandboxRuntimeConfig = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
};

function loadRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    // The runtime is ESM-only and we are CommonJS: import it by file URL, resolved the CommonJS
    // way (a bare specifier fails under some loaders), and only on first use — it is not small.
    // Left out of the bundle on purpose: it runs binaries it ships (seccomp filter, proxy agent)
    // from its own folder, so it must stay a package on disk.
    const entry = createRequire(__filename).resolve('@anthropic-ai/sandbox-runtime');
    const lib = (await import(pathToFileURL(entry).href)) as Runtime;
    await lib.SandboxManager.initialize(BASE_CONFIG);
    return lib;
  })();
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

/**
 * Stops the runtime's proxies so the process can exit (they keep the event loop alive). Call at
 * deactivation and at the end of a CLI run; the next `run` starts them again.
 */
export async function shutdownSandboxRuntime(): Promise<void> {
  const current = runtime;
  runtime = undefined;
  if (!current) return;
  try {
    await (await current).SandboxManager.reset();
  } catch {
    // Never started, nothing to stop.
  }
}

export class SrtSandbox implements Sandbox {
  private readonly env: NodeJS.ProcessEnv;
  private readonly platform: NodeJS.Platform;

  constructor(options: SrtSandboxOptions = {}) {
    this.env = options.env ?? process.env;
    this.platform = options.platform ?? process.platform;
  }

  async availability(): Promise<SandboxAvailability> {
    if (this.platform === 'linux') {
      if (!(await findOnPath('bwrap', this.env['PATH']))) return { available: false, reason: 'bubblewrap_missing' };
      if (!(await findOnPath('socat', this.env['PATH']))) return { available: false, reason: 'socat_missing' };
    } else if (this.platform === 'darwin') {
      try {
        await access('/usr/bin/sandbox-exec', constants.X_OK);
      } catch {
        return { available: false, reason: 'sandbox_exec_missing' };
      }
    } else {
      return { available: false, reason: 'unsupported_platform', detail: this.platform };
    }
    return this.probe();
  }

  /** Present is not enough (user namespaces may be off, seccomp may fail): a trivial command must run. */
  private async probe(): Promise<SandboxAvailability> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helios-probe-'));
    try {
      const run = await this.run('echo helios-sandbox-ok', dir, {
        writable: [dir], denyRead: [], allowedHosts: [], timeoutMs: 30_000, maxOutputBytes: 4096, tmpDir: dir,
      });
      if (run.exitCode === 0 && run.output.includes('helios-sandbox-ok')) {
        return { available: true, kind: this.platform === 'darwin' ? 'sandbox-exec' : 'bubblewrap' };
      }
      return { available: false, reason: 'sandbox_broken', detail: run.output.slice(0, 500) };
    } catch (error) {
      return { available: false, reason: 'runtime_missing', detail: error instanceof Error ? error.message : String(error) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async run(command: string, cwd: string, policy: SandboxPolicy, signal?: AbortSignal): Promise<SandboxRun> {
    const lib = await loadRuntime();
    const manager = lib.SandboxManager;
    // 128 random bits: the id is what binds a proxy connection to this run's allow list.
    const commandId = randomBytes(16).toString('base64url');
    const inner = policy.tmpDir ? `export TMPDIR=${shellQuote(policy.tmpDir)}; ${command}` : command;
    const custom: Partial<SandboxRuntimeConfig> = {
      filesystem: { denyRead: [...policy.denyRead], allowWrite: [...policy.writable], denyWrite: runtimeConvenienceWrites(this.platform) },
    };
    const { argv, env } = await manager.wrapWithSandboxArgv(inner, undefined, custom, signal, cwd, { commandId, commandText: command });
    if (policy.allowedHosts.length > 0) manager.registerCommandNetworkLists(commandId, { allowedDomains: [...policy.allowedHosts] });
    activeRuns += 1;
    try {
      const run = await runProcessTree(argv, {
        cwd,
        env: { ...commandEnv(this.env), ...addedBy(env) },
        timeoutMs: policy.timeoutMs,
        maxOutputBytes: policy.maxOutputBytes,
        ...(signal ? { signal } : {}),
      });
      const reported = manager.getSandboxViolationStore().getViolationsForCommand(commandId).map((v) => fromRuntime(v.line));
      return {
        exitCode: run.spawnError !== undefined ? null : run.exitCode,
        output: run.spawnError !== undefined ? `${run.output}${run.spawnError}` : run.output,
        timedOut: run.timedOut,
        violations: mergeViolations(reported, violationsFromOutput(run.output, policy, cwd)),
      };
    } finally {
      activeRuns -= 1;
      manager.unregisterCommandNetworkLists(commandId);
      // Removes the mount points bubblewrap left for denied paths that did not exist; only when
      // no other run is still using them.
      if (activeRuns === 0) manager.cleanupAfterCommand();
    }
  }
}

/**
 * The variables a verify command inherits: enough to find tools and behave like the user's shell,
 * nothing else — Helios's own environment holds API keys, and a test runner's markers (NODE_TEST_*)
 * would change how the project's own tests run.
 */
const INHERITED = /^(?:PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|COLORTERM|NO_COLOR|FORCE_COLOR|CI|GOPATH|GOROOT|CARGO_HOME|RUSTUP_HOME|JAVA_HOME|VIRTUAL_ENV|PYTHONPATH|NVM_DIR|NVM_BIN)$/;

export function commandEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && INHERITED.test(k)) out[k] = v;
  return out;
}

/**
 * Folders the runtime makes writable for every command unless told otherwise (its own temp
 * folder, npm's log folder). The policy promises writes only in the scratch copy and its temp
 * folder, so they are denied here; npm only warns that it cannot write its log.
 */
function runtimeConvenienceWrites(platform: NodeJS.Platform): string[] {
  const tmp = platform === 'darwin' ? ['/tmp/claude', '/private/tmp/claude'] : ['/tmp/claude'];
  return [...tmp, path.join(os.homedir(), '.npm/_logs')];
}

/** What the runtime added to (or changed in) this process's environment: its proxy settings. */
function addedBy(wrapped: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(wrapped)) if (v !== undefined && process.env[k] !== v) out[k] = v;
  return out;
}

/** `deny network-outbound example.com:443 (reason)` → `network_denied example.com:443`. */
function fromRuntime(line: string): string {
  const net = /deny network-outbound (\S+)/.exec(line);
  if (net) return `network_denied ${net[1]}`;
  return `sandbox ${line}`;
}

/** The runtime's own record of a denied connection is more precise than what a client printed. */
function mergeViolations(reported: readonly string[], fromOutput: readonly string[]): string[] {
  const hasNetwork = reported.some((v) => v.startsWith('network_denied '));
  const merged = new Set(reported);
  for (const v of fromOutput) if (!(hasNetwork && v.startsWith('network_denied '))) merged.add(v);
  return [...merged];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
