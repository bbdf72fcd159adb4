import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CachedLlmClient } from '../../src/core/cache/cachedLlmClient';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { Governor } from '../../src/core/governor/governor';
import type { LlmClient, LlmRequest } from '../../src/core/llm/llmClient';
import { createPlan } from '../../src/core/plan/plan';
import { buildCallChain, createRunPipeline } from '../../src/core/pipeline/runPipeline';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { createWorkspaceVerifier } from '../../src/infra/sandbox/workspaceVerifier';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { MemoryLedger } from '../support/memoryLedger';
import { runCli } from '../support/runCli';
import { MemoryTreeStore } from '../support/memoryTreeStore';
import { MemoryRuns } from '../support/memoryRunStore';

const CLI = path.resolve('dist/cli.js');
const SAME_LINES = '[sim:same-lines]';
const APP = 'export function main(): void {\n  console.log("app");\n}\n';

/**
 * The issue's own plan: T1 creates the notes store and edits the entry module; T2 and T3 both build
 * on T1 and edit `src/app.ts` at the same place (the simulator's same-lines marker) side by side.
 * T2 must be coded against T1's files; whichever of T2 and T3 integrates second must be rebased
 * once and then integrate; the plan's result must hold all three tasks' lines.
 */
function notesPlan(): Plan {
  const tasks: Task[] = [
    { id: 'T1', title: 'Create the notes store', description: 'A notes store the app registers.', taskType: 'code_generation', dependsOn: [], files: ['src/notes.ts', 'src/app.ts'], priority: 1, estimatedTokens: 800 },
    { id: 'T2', title: 'Add search to the notes store', description: `Search notes by text. ${SAME_LINES}`, taskType: 'code_generation', dependsOn: ['T1'], files: ['src/notes.ts', 'src/app.ts'], priority: 2, estimatedTokens: 800 },
    { id: 'T3', title: 'Add tags to the notes store', description: `Tag notes. ${SAME_LINES}`, taskType: 'code_generation', dependsOn: ['T1'], files: ['src/app.ts'], priority: 2, estimatedTokens: 4_000 },
  ];
  return createPlan({
    prd: { path: 'PRD.md', text: '', sha256: 'a'.repeat(64), bytes: 0 },
    result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
    provider: 'simulator', now: new Date('2026-12-02T00:00:00Z'),
  });
}

/** The real SDK client, recording each Coder request's user text on its way out. */
class RecordingClient implements LlmClient {
  readonly coderPrompts = new Map<string, string[]>();
  constructor(private readonly inner: LlmClient) {}
  get provider(): string {
    return this.inner.provider;
  }
  complete(request: LlmRequest): ReturnType<LlmClient['complete']> {
    if (request.tags?.agent === 'coder' && request.tags.taskId) {
      const list = this.coderPrompts.get(request.tags.taskId) ?? [];
      list.push(request.messages.flatMap((m) => m.content.map((c) => c.text)).join('\n'));
      this.coderPrompts.set(request.tags.taskId, list);
    }
    return this.inner.complete(request);
  }
  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.inner.countTokens(request);
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

async function workspace(kind: 'git' | 'plain'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `helios-plan-${kind}-`));
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src/app.ts'), APP);
  if (kind === 'git') {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'init');
  }
  return dir;
}

/** The lines a task's simulator answer adds: each names the task's title. */
function taskLines(text: string, title: string): number {
  return text.split('\n').filter((l) => l.includes(title)).length;
}

describe('plans that build: tasks on top of their dependencies, siblings merged, one reviewable result', () => {
  let sim: ClaudeSimulator;
  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
  });
  after(() => sim.stop());

  it('T2 is coded and verified on T1\'s files, T3 is rebased once, and the tree holds all three tasks', async () => {
    const dir = await workspace('plain');
    const plan = notesPlan();
    const ledger = new MemoryLedger();
    const governor = await Governor.create({ ledger, config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 10_000_000, windowMessages: 0 } });
    const recording = new RecordingClient(new AnthropicLlmClient({ apiKey: 'sim', baseURL: sim.url, provider: 'simulator' }));
    const { client } = await buildCallChain({ provider: recording, governor, governed: { workspace: 'test', now: () => new Date() }, cache: (g) => new CachedLlmClient(g, {}) });
    const changes = new Map<string, ProposedChange>();
    const trees = new MemoryTreeStore();
    const verifications: Record<string, string[]> = {};
    // Fails unless the task's dependencies' files are in the scratch copy: src/notes.ts exists only in the plan's tree.
    const verify = createWorkspaceVerifier('node -e "require(\'fs\').accessSync(\'src/notes.ts\')"', dir)!;
    const pipeline = createRunPipeline({
      client, budget: () => ({ state: 'ok', byFamily: { haiku: { units: 0 }, sonnet: { units: 0 }, opus: { units: 0 }, fable: { units: 0 } } }),
      workspace: { read: (p) => Promise.resolve(p === 'src/app.ts' ? APP : undefined) },
      trees, runs: new MemoryRuns(),
      changes: { save: (c) => Promise.resolve(void changes.set(c.taskId, c)), load: (_p, t) => Promise.resolve(changes.get(t)) },
      globalConcurrency: 4, perPlanConcurrency: 4,
      verify,
      onEvent: (e) => {
        if (e.kind === 'review' && e.event.kind === 'verified') (verifications[e.task.id] ??= []).push(`${e.event.verification.status}${e.event.verification.reason ? ` ${e.event.verification.reason}` : ''}`);
      },
    });
    try {
      await pipeline.scheduler.addPlan(plan);
      await pipeline.scheduler.whenIdle();
      const run = pipeline.scheduler.runOf(plan.id)!;
      // T2 and T3 run side by side on the same lines: whichever integrates second is rebased.
      const rebased = run.tasks.T2!.integration?.status === 'rebased' ? 'T2' : 'T3';
      const first = rebased === 'T2' ? 'T3' : 'T2';
      assert.deepEqual(Object.fromEntries(Object.entries(run.tasks).map(([id, t]) => [id, [t.status, t.integration?.status]])), {
        T1: ['done', 'integrated'], [first]: ['done', 'integrated'], [rebased]: ['done', 'rebased'],
      }, JSON.stringify(run.tasks));

      const t2Prompt = recording.coderPrompts.get('T2')![0]!;
      assert.match(t2Prompt, /<file path="src\/notes\.ts">/, 'T2 is shown the notes store T1 created');
      assert.ok(taskLines(t2Prompt, 'Create the notes store') > 0, 'T2 sees T1\'s lines in notes.ts and app.ts');
      assert.doesNotMatch(t2Prompt, /src\/notes\.ts \(does not exist/);

      // Verification sees T1's file: the command passes in the sandbox only with the plan's tree in the copy.
      for (const id of ['T1', 'T2', 'T3']) assert.ok(verifications[id]?.every((v) => v === 'passed'), `${id}: ${verifications[id]?.join(', ')}`);

      assert.equal(recording.coderPrompts.get(rebased)!.length, 2, `${rebased} ran twice: once, then once rebased`);
      assert.equal(recording.coderPrompts.get(first)!.length, 1);
      const firstTitle = notesPlan().graph.tasks.find((t) => t.id === first)!.title;
      assert.ok(taskLines(recording.coderPrompts.get(rebased)![1]!, firstTitle) > 0, 'the rebase is coded on the tree with its sibling merged in');
      assert.ok((run.tasks[rebased]!.integration?.rebaseCostUsd ?? 0) > 0, 'the rebase\'s extra cost is on the node');
      assert.equal(run.tasks[rebased]!.reasonCode, run.tasks[first]!.reasonCode, 'its reason is why the model was chosen, not that it was rebased');

      const tree = await pipeline.tree(plan);
      const app = (await tree.read('src/app.ts'))!;
      assert.ok(app.startsWith(APP.trimEnd()), 'the user\'s lines stay');
      for (const title of ['Create the notes store', 'Add search to the notes store', 'Add tags to the notes store']) assert.ok(taskLines(app, title) > 0, `app.ts holds ${title}`);
      assert.ok(taskLines((await tree.read('src/notes.ts'))!, 'Add search to the notes store') > 0);
      assert.equal(changes.get(rebased)!.integration?.status, 'rebased');
    } finally {
      pipeline.dispose();
      governor.dispose();
    }
  });

  it('rejecting T1 takes it and the tasks built on it off the tree and the branch; a re-run codes them on the plan without T1', async () => {
    const dir = await workspace('git');
    const storage = await mkdtemp(path.join(os.tmpdir(), 'helios-plan-storage-'));
    const plan = notesPlan();
    const governor = await Governor.create({ ledger: new MemoryLedger(), config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 10_000_000, windowMessages: 0 } });
    const recording = new RecordingClient(new AnthropicLlmClient({ apiKey: 'sim', baseURL: sim.url, provider: 'simulator' }));
    const { client } = await buildCallChain({ provider: recording, governor, governed: { workspace: 'test', now: () => new Date() }, cache: (g) => new CachedLlmClient(g, {}) });
    const changes = new Map<string, ProposedChange>();
    const pipeline = createRunPipeline({
      client, budget: () => ({ state: 'ok', byFamily: { haiku: { units: 0 }, sonnet: { units: 0 }, opus: { units: 0 }, fable: { units: 0 } } }),
      workspace: { read: (p) => Promise.resolve(p === 'src/app.ts' ? APP : undefined) },
      trees: new MemoryTreeStore(), runs: new MemoryRuns(),
      openBranch: async (p) => (await import('../../src/infra/git/gitPlanBranch')).openGitPlanBranch({ workspaceRoot: dir, storageDir: storage, planId: p.id }),
      changes: { save: (c) => Promise.resolve(void changes.set(c.taskId, c)), load: (_p, t) => Promise.resolve(changes.get(t)) },
      globalConcurrency: 4, perPlanConcurrency: 4,
    });
    try {
      await pipeline.scheduler.addPlan(plan);
      await pipeline.scheduler.whenIdle();
      const firstCost = pipeline.scheduler.runOf(plan.id)!.tasks.T2!.costUsd!;
      const branch = pipeline.branchInfo(plan.id);
      assert.ok(branch?.kind === 'git');

      const result = await pipeline.withdraw(plan, ['T1', 'T2', 'T3']);
      assert.deepEqual([...result.withdrawn].sort(), ['T1', 'T2', 'T3']);
      const tree = await pipeline.tree(plan);
      assert.equal(await tree.read('src/app.ts'), APP, 'nothing of the plan is left in app.ts');
      assert.equal(await tree.read('src/notes.ts'), undefined, 'the file T1 created is gone');
      assert.equal(git(dir, 'show', `${branch.branch}:src/app.ts`), APP, 'the branch agrees with the tree');
      assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Helios-Revert,valueonly)', branch.branch).split('\n').filter(Boolean).length, 3);

      // T2 and T3 (not T1) re-run: their Coder sees the plan as it is now, without T1.
      await pipeline.scheduler.rerunTasks(plan, ['T2', 'T3']);
      await pipeline.scheduler.whenIdle();
      const run = pipeline.scheduler.runOf(plan.id)!;
      assert.equal(run.state, 'done');
      assert.deepEqual([run.tasks.T2!.status, run.tasks.T3!.status], ['done', 'done']);
      const rerunPrompt = recording.coderPrompts.get('T2')!.at(-1)!;
      assert.equal(taskLines(rerunPrompt.replace(/^.*Create the notes store.*$/m, ''), 'Create the notes store'), 0, 'no line of T1 is shown to the re-run (beyond the plan overview)');
      assert.match(rerunPrompt, /src\/notes\.ts/);
      assert.ok(run.tasks.T2!.earlierCostUsd! >= firstCost && run.tasks.T2!.costUsd! > run.tasks.T2!.earlierCostUsd!, 'the earlier run\'s cost stays counted');
      const app = (await tree.read('src/app.ts'))!;
      assert.equal(taskLines(app, 'Create the notes store'), 0);
      for (const title of ['Add search to the notes store', 'Add tags to the notes store']) assert.ok(taskLines(app, title) > 0, `app.ts holds ${title}`);
      assert.equal(git(dir, 'show', `${branch.branch}:src/app.ts`), app, 'the branch has the re-run tasks too');
      const recorded = git(dir, 'log', branch.branch, '--format=%(trailers:key=Helios-Task,valueonly)').split('\n').filter(Boolean);
      assert.equal(recorded.filter((id) => id === 'T2').length, 2, 'T2 is committed again after its withdrawal');
    } finally {
      pipeline.dispose();
      governor.dispose();
    }
  });

  for (const kind of ['git', 'plain'] as const) {
    it(`helios run --apply lands the integrated plan with 0 conflicts (${kind} workspace)`, async () => {
      assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
      const dir = await workspace(kind);
      const planFile = path.join(dir, '..', `${path.basename(dir)}-plan.json`);
      await writeFile(planFile, JSON.stringify(notesPlan()));
      const before = kind === 'git' ? git(dir, 'status', '--porcelain') : '';
      const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
      const state = path.join(dir, '..', `${path.basename(dir)}-state`);
      // Verified in the sandbox on the plan's tree (src/notes.ts exists only there until --apply).
      const verify = 'node -e "require(\'fs\').accessSync(\'src/notes.ts\')"';
      const { code, stdout, stderr } = await runCli(['run', planFile, '--state', state, '--workspace', dir, '--verify', verify, '--apply', '--json'], env);
      assert.equal(code, 0, stderr);
      const out = JSON.parse(stdout) as {
        integration: { planId: string; tasks: Record<string, string>; branch?: string; worktree?: string }[];
        applied: Record<string, { written: string[]; conflicts: string[] }>;
      };
      const plan = out.integration[0]!;
      assert.equal(plan.tasks.T1, 'integrated');
      assert.deepEqual([plan.tasks.T2, plan.tasks.T3].sort(), ['integrated', 'rebased'], 'one of the same-lines siblings is rebased once');
      const applied = out.applied[plan.planId]!;
      assert.deepEqual(applied.conflicts, []);
      assert.deepEqual([...applied.written].sort(), ['src/app.ts', 'src/notes.ts']);
      const app = readFileSync(path.join(dir, 'src/app.ts'), 'utf8');
      for (const title of ['Create the notes store', 'Add search to the notes store', 'Add tags to the notes store']) assert.ok(taskLines(app, title) > 0, `${title} landed`);
      if (kind === 'git') {
        assert.equal(plan.branch, `helios/${plan.planId}`);
        assert.ok(plan.worktree && !plan.worktree.startsWith(dir + path.sep), 'the worktree is not inside the user\'s folder');
        const trailers = git(dir, 'log', plan.branch, '--reverse', '--format=%(trailers:key=Helios-Task,valueonly)').split('\n').filter(Boolean);
        assert.equal(trailers[0], 'T1');
        assert.deepEqual([...trailers].sort(), ['T1', 'T2', 'T3'], 'one commit per task, in integration order');
        assert.equal(git(dir, 'show', `${plan.branch}:src/app.ts`), app, 'the files on disk equal the plan branch');
        assert.equal(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main', 'the user\'s branch is untouched');
        assert.notEqual(git(dir, 'status', '--porcelain'), before, '--apply wrote the files (and only then)');
      } else {
        assert.equal(plan.branch, undefined);
      }
    });
  }
});
