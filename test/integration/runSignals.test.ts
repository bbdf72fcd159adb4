import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import type { PlanRun } from '../../src/core/scheduler/runState';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, testAccount } from '../support/runCli';

const CLAUDE = path.resolve('node_modules/.bin/claude');

/** Processes (other than this one) whose environment carries `marker`: the run's own children. */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Issue 18, row 11: SIGTERM (and SIGINT) to `helios run --provider claude-code` while `claude -p`
 * calls are in flight. Before, Helios exited after ~4 s and the `claude` children kept running —
 * spending the user's window with their usage recorded nowhere. Now the calls are aborted, every
 * child process group is killed and waited for, the run state keeps the interrupted tasks queued,
 * and the next run finishes them.
 */
describe('helios run stops cleanly on a signal (real claude binary)', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI) && existsSync(CLAUDE), 'needs dist/cli.js and node_modules/.bin/claude');
    // Slow enough that four calls are surely in flight when the signal comes.
    sim = await ClaudeSimulator.start({ speedUp: 2 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-signal-'));
  });
  after(() => sim.stop());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: every claude child is stopped, nothing is left running, the next run resumes`, async () => {
      const tasks: Task[] = [1, 2, 3, 4].map((i) => ({
        id: `T${i}`, title: `Module ${i}`, description: `Implement module ${i}.`, taskType: 'code_generation',
        dependsOn: [], files: [`src/m${i}.ts`], priority: 2, estimatedTokens: 4_000,
      }));
      const plan = createPlan({
        prd: { path: 'PRD.md', text: '', sha256: 'd'.repeat(64), bytes: 0 },
        result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
        provider: 'claude-code', now: new Date(),
      });
      const work = await mkdtemp(path.join(dir, `${signal}-`));
      const planFile = path.join(work, 'plan.json');
      await writeFile(planFile, JSON.stringify(plan));
      const marker = `HELIOS_TEST_RUN=${path.basename(work)}`;
      const env = {
        PATH: process.env.PATH, HOME: work, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key', HELIOS_CLAUDE_PATH: CLAUDE,
        HELIOS_TEST_RUN: path.basename(work), NODE_V8_COVERAGE: '',
      };
      const state = path.join(work, 'state');
      const args = [CLI, 'run', planFile, '--provider', 'claude-code', '--state', state, '--workspace', work, '--no-git', '--concurrency', '4', '--per-plan', '4'];
      const child = spawn(process.execPath, args, { env: testAccount(args, env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      try {
        await until('four claude calls in flight', () => (processesWith(marker).length >= 5 ? true : undefined), 60_000);
        child.kill(signal);
        const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
        assert.equal(code, signal === 'SIGTERM' ? 143 : 130, stderr);
        assert.match(stderr, new RegExp(`${signal}: stopping — aborting the calls in flight`));
        assert.match(stderr, /stopped: \d+ call\(s\) aborted, their budget released/);
        await new Promise((r) => setTimeout(r, 1_000));
        assert.deepEqual(processesWith(marker), [], 'no claude (or anything else of the run) is left running');
        const run = JSON.parse(readFileSync(path.join(state, 'runs', `${plan.id}.json`), 'utf8')) as PlanRun;
        assert.equal(run.state, 'running', 'the run stays resumable');
        assert.ok(Object.values(run.tasks).some((t) => t.status !== 'done'), 'interrupted tasks are queued again');
      } finally {
        child.kill('SIGKILL');
        for (const pid of processesWith(marker)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      // The next run finishes what the signal interrupted; every call it records is settled.
      const again = spawn(process.execPath, args, { env: testAccount(args, env), stdio: ['ignore', 'pipe', 'pipe'] });
      let err2 = '';
      again.stderr.on('data', (d: Buffer) => (err2 += d.toString()));
      const code2 = await new Promise<number | null>((resolve) => again.on('close', resolve));
      assert.equal(code2, 0, err2);
      const ledger = readFileSync(path.join(state, 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UsageRecord);
      assert.ok(ledger.every((r) => r.provider === 'claude-code'));
      const run = JSON.parse(readFileSync(path.join(state, 'runs', `${plan.id}.json`), 'utf8')) as PlanRun;
      assert.ok(Object.values(run.tasks).every((t) => t.status === 'done'));
    });
  }
});
