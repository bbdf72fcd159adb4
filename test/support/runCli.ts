import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export const CLI = path.resolve('dist/cli.js');

/**
 * The CLI meters the OS user's account directory unless told otherwise. A test's runs never touch
 * the real one: unless the test names an account (`--account-dir` or HELIOS_ACCOUNT_DIR), the
 * account is the run's `--state` directory, where the test reads `ledger.jsonl`.
 */
export function testAccount(args: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // The test runner's scratch account, inherited through process.env, is not a choice of the test's.
  const named = env.HELIOS_ACCOUNT_DIR && env.HELIOS_ACCOUNT_DIR !== process.env.HELIOS_ACCOUNT_DIR;
  if (named || args.includes('--account-dir')) return env;
  const state = args.indexOf('--state');
  return { ...env, HELIOS_ACCOUNT_DIR: state >= 0 && args[state + 1] ? path.resolve(args[state + 1]!) : path.join(os.tmpdir(), `helios-test-account-${process.pid}`) };
}

/**
 * Runs `node dist/cli.js …` asynchronously: tests that serve the simulator from their own process
 * must not block its event loop while the CLI talks to it.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: testAccount(args, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
