import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { makePrd } from '../support/prdFactory';
import { CLI, runCli, testAccount } from '../support/runCli';

function task(id: string, dependsOn: string[] = []): Task {
  return { id, title: `Module ${id}`, description: `Implement module ${id}.`, taskType: 'code_generation', dependsOn, files: [`src/${id}.ts`], priority: 2, estimatedTokens: 800 };
}

function planText(tasks: Task[]): string {
  return JSON.stringify(createPlan({
    prd: { path: 'PRD.md', text: '', sha256: 'b'.repeat(64), bytes: 0 },
    result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
    provider: 'simulator', now: new Date('2026-11-24T00:00:00Z'),
  }));
}

/**
 * Issue 18, bad input through the real CLI against the simulator: each case gets one sentence on
 * stderr (no stack trace), exit 2 for what the user can fix, and nothing is sent to the model.
 * With the code before the fix, the cycle and window cases hang (or exhaust the heap), and the
 * flag cases run with coerced values: the timeouts below turn that into a failure, not a stall.
 */
describe('helios CLI: bad input is refused with one sentence (issue 18)', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  let good: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-bad-input-'));
    await mkdir(path.join(dir, 'ws'));
    good = path.join(dir, 'good.json');
    await writeFile(good, planText([task('T1'), task('T2', ['T1'])]));
    // A bounded heap: the old cycle behaviour (the heap grows to 4 GB) fails in seconds, not a minute.
    // No V8 coverage from these ~30 CLI runs (see test/support/cliProcess.ts).
    env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy', NODE_OPTIONS: '--max-old-space-size=512', NODE_V8_COVERAGE: '' };
  });
  after(() => sim.stop());

  const modelCalls = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages')).length;
  const run = (args: string[], timeoutMs = 30_000) => runCli(args, env, timeoutMs);
  // A fresh --state each time: with the old code, an earlier case's finished run would make a later one exit early.
  let runs = 0;
  const stateOf = (n: number) => path.join(dir, `state-${n}`);
  const runPlan = (file: string, ...flags: string[]) =>
    run(['run', file, '--state', stateOf(++runs), '--workspace', path.join(dir, 'ws'), '--no-git', '--speed-up', '1000', ...flags], 20_000);

  /** Exit 2, one line `helios: …` matching `pattern`, no stack trace, and no model call. */
  async function assertRefused(result: Promise<{ code: number | null; stderr: string }>, pattern: RegExp): Promise<string> {
    const calls = modelCalls();
    const { code, stderr } = await result;
    assert.equal(code, 2, stderr.slice(0, 2_000));
    const line = stderr.trim();
    assert.match(line, pattern);
    assert.match(line, /^helios: [^\n]+$/, 'one line');
    assert.doesNotMatch(line, /\n\s+at /, 'no stack trace');
    assert.equal(modelCalls(), calls, 'nothing was sent to the model');
    return line;
  }

  it('row 1: a plan whose tasks form a cycle, one depending on itself, is refused naming the file and the cycle', async () => {
    const file = path.join(dir, 'cycle.json');
    await writeFile(file, planText([task('T1', ['T3']), task('T2', ['T2']), task('T3', ['T1'])]));
    const line = await assertRefused(runPlan(file), /cycle\.json cannot run: T2 depends on itself; dependency cycle T1 → T3 → T1/);
    assert.ok(line.includes(file), 'the file is named');
  });

  it('row 6: an unknown dependency and two tasks with one id are refused, naming both', async () => {
    const file = path.join(dir, 'dupes.json');
    await writeFile(file, planText([task('T1', ['T9']), task('T2'), task('T2', ['T1'])]));
    await assertRefused(runPlan(file), /dupes\.json cannot run: id T2 is used more than once; T1 depends on T9, which is not a task of the plan/);
  });

  it('scope 4: a run paused by the budget says why and when it resumes, instead of waiting in silence', async () => {
    const file = path.join(dir, 'budget.json');
    const big = (id: string, deps: string[]) => ({ ...task(id, deps), estimatedTokens: 3_000 });
    await writeFile(file, JSON.stringify({ tasks: [big('T1', []), big('T2', ['T1']), big('T3', ['T2'])] }));
    const args = [CLI, 'run', file, '--state', stateOf(++runs), '--workspace', path.join(dir, 'ws'), '--no-git', '--window-tokens', '6200'];
    const child = spawn(process.execPath, args, { env: testAccount(args, env), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const paused = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/⏸ budget: paused/.test(stderr)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on('close', () => resolve(/⏸ budget: paused/.test(stderr)));
    });
    child.kill('SIGKILL');
    assert.ok(paused, stderr);
    assert.match(stderr, /⏸ budget: paused — the next call does not fit in what is left of the window \([\d,]+ of 6,200 tokens used\); it waits until the window resets at \d\d:\d\d UTC \(in \d+ min\)\. Raise --window-tokens/);
  });

  it('row 7: --apply without --review or --verify is refused; --apply-unreviewed says it by name and writes', async () => {
    await assertRefused(runPlan(good, '--apply'), /--apply writes only reviewed or verified changes: add --review and\/or --verify, or say --apply-unreviewed/);
    const ws = path.join(dir, 'ws');
    const { code, stderr } = await runPlan(good, '--apply-unreviewed');
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(path.join(ws, 'src', 'T1.ts')) && existsSync(path.join(ws, 'src', 'T2.ts')), 'the plan landed');
  });

  it('scope 1: a bare {"tasks": […]} graph runs as a PRD-less plan with an id from its content', async () => {
    const file = path.join(dir, 'graph.json');
    await writeFile(file, JSON.stringify({ tasks: [task('T1'), task('T2', ['T1'])] }));
    const { code, stdout, stderr } = await runPlan(file);
    assert.equal(code, 0, stderr);
    const id = /^(graph-[0-9a-f]{12}): 2 done, 0 failed, 0 skipped/m.exec(stdout)?.[1];
    assert.ok(id, stdout);
    assert.ok(existsSync(path.join(stateOf(runs), 'runs', `${id}.json`)));
  });

  it('scope 1: a file that is neither a plan nor a task graph gets one sentence with an example, not a schema dump', async () => {
    const file = path.join(dir, 'shape.json');
    await writeFile(file, JSON.stringify({ tasks: [{ id: 'T1' }, { id: 'T2', title: 'x' }] }));
    const line = await assertRefused(runPlan(file), /shape\.json is neither a Helios plan nor a task graph \(tasks\.0 lacks title, .*\); give the output of "helios decompose --json" or a task graph like \{"tasks": \[\{"id": "T1"/);
    assert.ok(line.length < 700, `${line.length} characters`);
  });

  it('also: a plan that is not JSON, and a plan or PRD path that is a folder, are named', async () => {
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{"tasks": [');
    await assertRefused(runPlan(broken), /broken\.json is not valid JSON \(.+\): fix it/);
    const folder = path.join(dir, 'folder.json');
    await mkdir(folder);
    await assertRefused(runPlan(folder), /folder\.json is a folder; give a plan file\./);
    await assertRefused(run(['decompose', path.join(dir, 'ws')]), /ws is a folder; give a PRD file\./);
    await assertRefused(runPlan(path.join(dir, 'missing.json')), /missing\.json does not exist\./);
  });

  it('also: a 300 KB PRD the Architect cannot plan in one answer says what happened and what to do', async () => {
    const prd = path.join(dir, 'big.md');
    await writeFile(prd, makePrd({ lang: 'en', sections: 400, targetBytes: 300_000 }));
    const failed = await run(['decompose', prd], 60_000);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /helios: The plan for \S*big\.md did not fit in 32,000 output tokens: the Architect's answer was cut off twice and nothing was saved\. Split the PRD into smaller PRDs, or raise --max-output-tokens \(claude-opus-5-5 allows up to 128,000\)\./);
    assert.doesNotMatch(failed.stderr, /answer more briefly|model_output_truncated/);
    // The advice works: with the larger budget the same PRD is planned.
    const planned = await run(['decompose', prd, '--max-output-tokens', '128000'], 60_000);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /400 tasks by claude-opus-5-5/);
  });

  it('also: graph on a missing path or on a file exits 2 instead of "0 files"', async () => {
    await assertRefused(run(['graph', path.join(dir, 'nope')]), /nope does not exist\./);
    await assertRefused(run(['graph', good]), /good\.json is a file; give a folder\./);
  });

  describe('row 9: flag values are checked, never coerced', () => {
    const cases: Array<[flags: string[], message: RegExp]> = [
      [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 256, got '0'\./],
      [['--concurrency', 'abc'], /--concurrency must be a whole number from 1 to 256, got 'abc'\./],
      [['--concurrency', '1.5'], /--concurrency must be a whole number from 1 to 256, got '1\.5'\./],
      [['--concurrency', '-5'], /--concurrency must be a whole number from 1 to 256, got '-5'\./],
      [['--concurrency=-5'], /--concurrency must be a whole number from 1 to 256, got '-5'\./],
      [['--per-plan'], /--per-plan needs a value \(see helios run --help\)\./],
      [['--per-plan', '0'], /--per-plan must be a whole number from 1 to 64, got '0'\./],
      [['--speed-up', '0'], /--speed-up must be a positive number, got '0'\./],
      [['--speed-up', 'abc'], /--speed-up must be a positive number, got 'abc'\./],
      [['--speed-up', '-1'], /--speed-up must be a positive number, got '-1'\./],
      [['--window-tokens=abc'], /--window-tokens must be a whole number of at least 6144, got 'abc'\./],
      [['--review-rounds', '9'], /--review-rounds must be a whole number from 1 to 5, got '9'\./],
      [['--metrics-port', '70000'], /--metrics-port must be a whole number from 0 to 65535, got '70000'\./],
      [['--frobnicate'], /unknown option '--frobnicate' \(see helios run --help\)\./],
    ];
    for (const [flags, message] of cases) {
      it(`run ${flags.join(' ')}`, async () => {
        await assertRefused(runPlan(good, ...flags), message);
      });
    }

    it('decompose and the benchmarks check theirs too', async () => {
      const prd = path.resolve('test/fixtures/workspace/PRD.md');
      await assertRefused(run(['decompose', prd, '--speed-up', '0']), /--speed-up must be a positive number, got '0'\./);
      await assertRefused(run(['decompose', prd, '--max-output-tokens', 'abc']), /--max-output-tokens must be a whole number from 1024 to 128000, got 'abc'\./);
      await assertRefused(run(['bench', 'governor', '--calls', 'abc']), /--calls must be a whole number from 1 to 10000000, got 'abc'\./);
      await assertRefused(run(['bench', 'workflow', '--plans', '0']), /--plans must be a whole number of at least 1, got '0'\./);
      await assertRefused(run(['bench', 'cache', '--intents', '1.5']), /--intents must be a whole number from 1 to 1000000, got '1\.5'\./);
      await assertRefused(run(['bench', 'cache', '--sizes', '1000,abc']), /--sizes must be a whole number from 1 to 10000000, got 'abc'\./);
      await assertRefused(run(['bench', 'cache', '--seed', '-1']), /--seed must be a whole number of at least 0, got '-1'\./);
    });

    it('--help prints the usage line and each flag with its meaning, exit 0', async () => {
      for (const [args, usage, flag] of [
        [['run', '--help'], 'Usage: helios run <plan.json|prd.md>…', '--concurrency N'],
        [['decompose', '--help'], 'Usage: helios decompose <prd.md>', '--max-output-tokens N'],
        [['graph', '--help'], 'Usage: helios graph <dir>', '--no-external'],
        [['bench', 'governor', '--help'], 'Usage: helios bench governor', '--fault-rate F'],
        [['bench', 'workflow', '-h'], 'Usage: helios bench workflow', '--per-plan N'],
      ] as const) {
        const { code, stdout, stderr } = await run([...args]);
        assert.equal(code, 0, stderr);
        assert.ok(stdout.startsWith(usage), stdout);
        assert.match(stdout, new RegExp(`\\n  ${flag.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')} +\\S`), `${args.join(' ')} explains ${flag}`);
      }
    });
  });

  it('row 3: --window-tokens below one Coder call is refused at start with the numbers, instead of hanging at ▶ T1', async () => {
    for (const flags of [['--window-tokens', '100'], ['--window-tokens=-1'], ['--window-tokens', '-1']]) {
      const line = await assertRefused(runPlan(good, ...flags), /--window-tokens -?\d+ is below what one Coder call can reserve \(about 6,144 tokens\): raise it to at least 6,144\./);
      assert.doesNotMatch(line, /▶/);
    }
  });
});
