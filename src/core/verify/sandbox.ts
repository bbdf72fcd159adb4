import path from 'node:path';

/**
 * What core needs from a sandbox: run one shell command in a folder under a policy, and say up
 * front whether this machine can sandbox at all. Implemented in infra over Anthropic's sandbox
 * runtime (bubblewrap on Linux, sandbox-exec on macOS).
 */

/** Why a sandbox cannot run here: machine-readable, the adapter turns it into an install hint. */
export type SandboxUnavailableReason =
  | 'bubblewrap_missing'
  | 'socat_missing'
  | 'sandbox_exec_missing'
  | 'unsupported_platform'
  | 'sandbox_broken'
  | 'runtime_missing';

export type SandboxAvailability =
  | { readonly available: true; readonly kind: 'bubblewrap' | 'sandbox-exec' | 'none' }
  | { readonly available: false; readonly reason: SandboxUnavailableReason; readonly detail?: string };

export interface SandboxPolicy {
  /** Absolute folders the command may write to; everything else is read-only. */
  readonly writable: readonly string[];
  /** Absolute files or folders the command may not read (they appear empty or missing). */
  readonly denyRead: readonly string[];
  /** Host names the command may reach (through the runtime's proxy); none = no network. */
  readonly allowedHosts: readonly string[];
  readonly timeoutMs: number;
  /** Output kept (head and tail); the rest is dropped while it streams, never buffered whole. */
  readonly maxOutputBytes: number;
  /** Where the command's TMPDIR points: a private folder inside `writable`. */
  readonly tmpDir?: string;
}

export interface SandboxRun {
  /** null when the process was killed (time limit, cancellation) before it exited. */
  readonly exitCode: number | null;
  /** stdout and stderr interleaved as they arrived, trimmed to head and tail. */
  readonly output: string;
  readonly timedOut: boolean;
  /** What the sandbox stopped, one line each: `write_denied <path>`, `read_denied <path>`, `network_denied <host>`. */
  readonly violations: readonly string[];
}

export interface Sandbox {
  availability(): Promise<SandboxAvailability>;
  /** Resolves when the command and everything it started are gone; an abort kills the whole tree. */
  run(command: string, cwd: string, policy: SandboxPolicy, signal?: AbortSignal): Promise<SandboxRun>;
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/** Secrets no verify command needs, relative to the user's home. */
export const HOME_SECRETS: readonly string[] = ['.ssh', '.aws', '.claude', '.config/gcloud', '.gnupg'];

export interface DefaultPolicyInput {
  /** The scratch copy the command runs in: the only project folder it may write. */
  readonly scratchDir: string;
  /** A private temp folder for the run (TMPDIR). */
  readonly tmpDir: string;
  readonly home: string;
  /** Absolute paths of the workspace's `.env*` files (in the user's folder and in the copy). */
  readonly secretFiles?: readonly string[];
  readonly allowedHosts?: readonly string[];
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
}

/**
 * The policy a verify run gets unless the user widened it: writes only in the scratch copy and
 * its temp folder, home secrets and `.env*` files unreadable, no network unless hosts are named.
 */
export function defaultPolicy(input: DefaultPolicyInput): SandboxPolicy {
  return {
    writable: [input.scratchDir, input.tmpDir],
    denyRead: [...HOME_SECRETS.map((s) => path.join(input.home, s)), ...(input.secretFiles ?? [])],
    allowedHosts: [...(input.allowedHosts ?? [])],
    timeoutMs: input.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
    maxOutputBytes: input.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    tmpDir: input.tmpDir,
  };
}

/** `.env`, `.env.local`, … — the files a workspace keeps its secrets in by convention. */
export function isSecretFile(relativePath: string): boolean {
  const base = relativePath.split('/').pop() ?? '';
  return base === '.env' || base.startsWith('.env.');
}

/**
 * Violations from what the sandboxed tools print: a write the read-only mounts refused, a read of
 * a denied path (a denied folder is mounted empty, so it reads as missing; a denied file is
 * unreadable), a connection the proxy refused. Only paths the policy protects count as denied
 * reads, so an ordinary missing file is not reported as a violation. Relative paths in messages
 * (`cat: .env: Permission denied`) are resolved against the command's folder.
 */
export function violationsFromOutput(output: string, policy: SandboxPolicy, cwd: string): string[] {
  const found = new Set<string>();
  const isDenied = (p: string): boolean => policy.denyRead.some((d) => p === d || p.startsWith(d.endsWith(path.sep) ? d : d + path.sep));
  for (const line of output.split('\n')) {
    const paths = pathsIn(line).map((p) => path.resolve(cwd, p));
    if (/Read-only file system|EROFS/i.test(line)) {
      const target = /EROFS/.test(line) ? paths[paths.length - 1] : pathBefore(line, 'Read-only file system', cwd);
      found.add(`write_denied ${target ?? 'unknown'}`);
    }
    if (/No such file or directory|Permission denied|Operation not permitted|ENOENT|EACCES|EPERM/.test(line)) {
      for (const p of paths) if (isDenied(p)) found.add(`read_denied ${p}`);
    }
    const proxy = /CONNECT tunnel failed, response 403|blocked-by-sandbox-runtime|Connection blocked by network allowlist/.exec(line);
    // The runtime's own record names the host; a line that names none adds nothing to it.
    const host = proxy ? /(?:https?:\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?::\d+)?/i.exec(line.replace(/.*?(?:failed|blocked)/i, ''))?.[1] : undefined;
    if (host) found.add(`network_denied ${host}`);
  }
  return [...found];
}

/** Candidate paths in a tool's error line: `tool: path: reason` segments and quoted strings. */
function pathsIn(line: string): string[] {
  const out: string[] = [];
  for (const seg of line.split(/: /)) {
    const s = seg.trim().replace(/^['"`]|['"`]$/g, '');
    if (/^(?:\/|\.{1,2}\/|\.[\w-])[^\s'"`]*$/.test(s) || /^[\w.-]+\/[^\s'"`]*$/.test(s)) out.push(s);
  }
  for (const m of line.matchAll(/['"`]((?:\/|\.{1,2}\/)[^'"`]+)['"`]/g)) out.push(m[1]!);
  return out;
}

/** The `path` in `…: path: Read-only file system`. */
function pathBefore(line: string, reason: string, cwd: string): string | undefined {
  const segs = line.split(/: /);
  const at = segs.findIndex((s) => s.includes(reason));
  const candidate = at > 0 ? segs[at - 1]!.trim().replace(/^['"`]|['"`]$/g, '') : undefined;
  return candidate ? path.resolve(cwd, candidate) : undefined;
}
