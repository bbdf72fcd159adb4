import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import type { PlanRun } from '../../src/core/scheduler/runState';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';

const CLI = path.resolve('dist/cli.js');

/**
 * Kill and resume: `helios run` is killed with SIGKILL while a Coder call streams, then started
 * again on the same state folder. Every task must end done, and the simulator must have completed
 * exactly one Coder call per task across both runs: nothing finished is re-run (re-charged), and
 * nothing is lost.
 */
describe('helios run: kill -9 and resume', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-resume-'));
  });
  after(() => sim.stop());

  it('completes each task\'s Coder call exactly once across the killed run and the resumed one', async () => {
    const tasks: Task[] = Array.from({ length: 6 }, (_, i) => ({
      id: `T${i + 1}`, title: `Module ${i + 1}`, description: `Implement module ${i + 1}.`, taskType: 'code_generation',
      dependsOn: i === 0 ? [] : [`T${i}`], files: [`src/module${i + 1}.ts`], priority: 2, estimatedTokens: 1_200,
    }));
    const plan = createPlan({
      prd: { path: 'PRD.md', text: '', sha256: 'f'.repeat(64), bytes: 0 },
      result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
      provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
    });
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    // Every event of every stream is slowed, so a call is in flight for a second or so.
    sim.injectFault({ kind: 'slow_stream', delayMs: 10, count: 1_000 });
    const coderCalls = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens'));
    const completed = () => coderCalls().filter((r) => r.status === 200 && r.outcome === 'completed');

    const first = startRun(planFile);
    await waitUntil(() => completed().length >= 3, 60_000);
    await delay(300); // the 4th call is now streaming
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const afterKill = completed().length;
    assert.ok(afterKill >= 3 && afterKill < tasks.length, `killed mid-run (${afterKill} calls completed)`);

    const second = startRun(planFile);
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    assert.equal(code, 0, 'the resumed run finished every task');
    const run = JSON.parse(readFileSync(path.join(dir, 'state', 'runs', `${plan.id}.json`), 'utf8')) as PlanRun;
    assert.ok(Object.values(run.tasks).every((t) => t.status === 'done'));
    // A done task needs one completed call; as many completed calls as tasks means one each.
    assert.equal(completed().length, tasks.length);
    assert.ok(Object.values(run.tasks).some((t) => t.attempts === 2), 'the interrupted task ran again');
  });

  function startRun(planFile: string): ChildProcess {
    return spawn(process.execPath, [CLI, 'run', planFile, '--state', path.join(dir, 'state'), '--workspace', dir, '--concurrency', '1'], {
      env: { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key', HELIOS_ACCOUNT_DIR: path.join(dir, 'state') },
      stdio: 'ignore',
    });
  }
});

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await delay(20);
  }
}
