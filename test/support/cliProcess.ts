import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createPlan } from '../../src/core/plan/plan';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, testAccount } from './runCli';

/** A running `node dist/cli.js …` whose stderr the test can watch while it runs. */
export interface CliProcess {
  readonly child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  // No V8 coverage from the bundled CLI: Node copies NODE_V8_COVERAGE into every child, and ~45 MB
  // per CLI run made c8's report run out of memory; these runs test behaviour, the unit suites coverage.
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...testAccount(args, env), NODE_V8_COVERAGE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** A chain T1 ← T2 ← … ← Tn, one file each, as `helios decompose --json` would write it. */
export function chainPlan(n: number, sha = 'e'.repeat(64)): Plan {
  const tasks: Task[] = Array.from({ length: n }, (_, i) => ({
    id: `T${i + 1}`, title: `Module ${i + 1}`, description: `Implement module ${i + 1}.`, taskType: 'code_generation',
    dependsOn: i === 0 ? [] : [`T${i}`], files: [`src/module${i + 1}.ts`], priority: 2, estimatedTokens: 1_200,
  }));
  return createPlan({
    prd: { path: 'PRD.md', text: '', sha256: sha, bytes: 0 },
    result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
    provider: 'simulator', now: new Date('2026-12-02T00:00:00Z'),
  });
}

/** The usage ledger's records (a missing ledger is empty). */
export function ledgerRecords(file: string): UsageRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as UsageRecord);
}

/** Records per agent and task, e.g. `coder/T3` → 1. */
export function chargesByTask(records: readonly UsageRecord[], agent = 'coder'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) if (r.agent === agent) counts.set(String(r.taskId), (counts.get(String(r.taskId)) ?? 0) + 1);
  return counts;
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(ok: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}
