import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript file as a separate process (a second VS Code window, as far as a state file can
 * tell) and resolves with its exit code. No coverage from the workers: tsx loads their .ts imports
 * through data: URLs, which c8's report cannot map, and Node copies NODE_V8_COVERAGE into children
 * unless it is set to ''.
 */
export function runTsWorker(file: string, args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_V8_COVERAGE: '' } });
    child.on('error', reject);
    child.on('exit', resolve);
  });
}
