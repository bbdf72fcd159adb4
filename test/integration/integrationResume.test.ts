import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { IntegratedTask, TreeState } from '../../src/core/integration/planTree';
import { createPlan } from '../../src/core/plan/plan';
import type { PlanRun, TaskRun } from '../../src/core/scheduler/runState';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { FileChangeStore } from '../../src/infra/storage/fileChangeStore';
import { FileTreeStore } from '../../src/infra/storage/fileTreeStore';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { ProposedChange } from '../../src/shared/proposedChange';
import type { Plan, Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI } from '../support/runCli';

/**
 * Kill -9 during integration, then resume: every change is integrated exactly once, and the plan
 * branch and the run state agree.
 *
 * Eight tasks share `src/app.ts` (T3 edits the lines its siblings edit, so rebases happen). For
 * each of ten seeded kill points `helios run` is started on a fresh workspace and state folder,
 * killed with SIGKILL when a chosen write or stderr line appears (the tree file, a change file,
 * git's index lock in the plan worktree, `✓`, `merged`, `rebase`) plus a seeded delay, then run
 * again to completion. After each resume the run state, the integrated tree, the plan branch, the
 * ledger and the simulator's log must tell one story, and the user's workspace must be as it was.
 * `--no-cache`: every Coder call reaches the simulator, so a re-run cannot hide behind a cache hit.
 * The simulator is this process's (its `speedUp` paces replies; the CLI's `--speed-up` only
 * paces its own embedded one).
 */

const DEPENDS: Readonly<Record<string, readonly string[]>> = {
  T1: [], T2: ['T1'], T3: ['T1'], T4: ['T1'], T5: ['T2'], T6: ['T3'], T7: ['T5', 'T6'], T8: ['T4'],
};
const FILES: Readonly<Record<string, readonly string[]>> = {
  T1: ['src/app.ts', 'src/notes.ts'], T4: ['src/app.ts', 'src/notes.ts'], T8: ['src/app.ts', 'README.md'],
};
const README = '# Demo\n\nA small app.\n\n## Usage\n\nRun it.\n';
const README_EDITED = '# Demo\n\nA small app.\n\n## Usage\n\nRun it twice.\n';
const RUN_TIMEOUT_MS = 30_000;
const POINTS = 10;

/** The Nth stderr line matching `pattern`. */
interface LineMark {
  readonly label: string;
  readonly pattern: RegExp;
  readonly n: number;
}

/**
 * When to kill: the Nth write of the tree file or of a change file, the Nth time git takes the
 * plan worktree's index lock, or the first line mark reached; then `delayMs`.
 */
type Trigger =
  | { readonly kind: 'tree' | 'change' | 'index.lock'; readonly n: number; readonly delayMs: number }
  | { readonly kind: 'line'; readonly marks: readonly LineMark[]; readonly delayMs: number };

const DONE = (n: number): LineMark => ({ label: '✓', pattern: /^✓ /, n });

/** A Numerical Recipes LCG: the same seed gives the same ten kill points. */
function lcg(seed: number): (min: number, max: number) => number {
  let s = seed >>> 0;
  return (min, max) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return min + Math.floor((s / 2 ** 32) * (max - min + 1));
  };
}

interface KillPoint {
  readonly trigger: Trigger;
  readonly concurrency: number;
  /** Kill the whole process group (the git it runs too, as a closed terminal or the OOM killer does), not just the CLI. */
  readonly group: boolean;
}

/** The kinds of kill point in turn; which write or line, how long after it and how, from the seed. */
function killPoints(seed: number, withGit: boolean): KillPoint[] {
  const next = lcg(seed);
  const kinds = withGit ? ['tree', 'change', 'done', 'merged', 'rebase', 'index.lock'] as const : ['tree', 'change', 'done', 'merged', 'rebase'] as const;
  return Array.from({ length: POINTS }, (_, i): KillPoint => {
    const kind = kinds[i % kinds.length]!;
    const concurrency = next(2, 3);
    const group = next(0, 1) === 1;
    switch (kind) {
      case 'tree': return { trigger: { kind, n: next(1, withGit ? 14 : 7), delayMs: next(0, 6) }, concurrency, group };
      case 'change': return { trigger: { kind, n: next(1, 12), delayMs: next(0, 6) }, concurrency, group };
      // Mid-commit on the plan branch: only a group kill stops git there.
      case 'index.lock': return { trigger: { kind, n: next(1, 12), delayMs: 0 }, concurrency, group: true };
      case 'done': return { trigger: { kind: 'line', marks: [DONE(next(1, 6))], delayMs: next(0, 20) }, concurrency, group };
      case 'merged': return { trigger: { kind: 'line', marks: [{ label: 'merged', pattern: /^ {2}merged /, n: next(1, 2) }, DONE(6)], delayMs: next(0, 10) }, concurrency, group };
      // Not every schedule rebases: then the fourth ✓, so the point still lands mid-run.
      case 'rebase': return { trigger: { kind: 'line', marks: [{ label: 'rebase', pattern: /^ {2}rebase /, n: 1 }, DONE(4)], delayMs: next(0, 60) }, concurrency, group };
    }
  });
}

function makePlan(): Plan {
  const tasks: Task[] = Object.entries(DEPENDS).map(([id, dependsOn]) => ({
    id, title: `Step ${id}`, taskType: 'code_generation', dependsOn: [...dependsOn], priority: 2, estimatedTokens: 600,
    description: `Implement ${id} in the app.${id === 'T3' ? ' [sim:same-lines]' : ''}`,
    files: [...(FILES[id] ?? ['src/app.ts'])],
  }));
  return createPlan({
    prd: { path: 'PRD.md', text: '', sha256: 'e'.repeat(64), bytes: 0 },
    result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
    provider: 'simulator', now: new Date('2026-12-01T00:00:00Z'),
  });
}

const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

/** Git as the user runs it (their identity; no optional index refresh, so reading changes nothing). */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=User', '-c', 'user.email=user@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd, encoding: 'utf8', env: { ...CLEAN_ENV, GIT_OPTIONAL_LOCKS: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The user's folder: README and a config committed, then README edited and a note left untracked. */
async function makeWorkspace(root: string, withGit: boolean): Promise<string> {
  const ws = path.join(root, 'ws');
  await mkdir(path.join(ws, 'src'), { recursive: true });
  await writeFile(path.join(ws, 'README.md'), README);
  await writeFile(path.join(ws, 'src', 'config.ts'), 'export const config = { name: "demo" };\n');
  if (withGit) {
    git(ws, 'init', '--quiet', '--initial-branch=main');
    git(ws, 'add', '.');
    git(ws, 'commit', '--quiet', '-m', 'initial');
  }
  await writeFile(path.join(ws, 'README.md'), README_EDITED);
  await writeFile(path.join(ws, 'todo.txt'), 'not tracked\n');
  return ws;
}

/** Everything of the user's that a run without --apply must leave as it was. */
async function userState(ws: string, withGit: boolean) {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files[path.relative(ws, full)] = await readFile(full, 'utf8');
    }
  };
  await walk(ws);
  if (!withGit) return { files };
  return {
    files,
    index: createHash('sha256').update(await readFile(path.join(ws, '.git', 'index'))).digest('hex'),
    status: git(ws, 'status', '--porcelain=v1', '--untracked-files=all'),
    head: git(ws, 'rev-parse', 'HEAD', 'main'),
    stash: git(ws, 'stash', 'list'),
    userBranches: git(ws, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/').split('\n').filter((l) => l !== '' && !l.startsWith('refs/heads/helios/')),
  };
}

interface CliRun {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  onLine(listener: (line: string) => void): void;
}

const live = new Set<ChildProcess>();

function startRun(args: { planFile: string; state: string; ws: string; concurrency: number; simUrl: string; home: string }): CliRun {
  // Its own process group, so a kill point can take the CLI down with the git it started.
  const child = spawn(process.execPath, [
    CLI, 'run', args.planFile, '--state', args.state, '--workspace', args.ws, '--concurrency', String(args.concurrency), '--no-cache',
  ], {
    // No V8 coverage from 40 killed and resumed CLI runs (see test/support/cliProcess.ts).
    env: { PATH: process.env.PATH, HOME: args.home, ANTHROPIC_BASE_URL: args.simUrl, ANTHROPIC_API_KEY: 'sim-dummy-key', NODE_V8_COVERAGE: '', HELIOS_ACCOUNT_DIR: args.state },
    stdio: ['ignore', 'ignore', 'pipe'], detached: true,
  });
  live.add(child);
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  child.stderr.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const l of listeners) l(line);
    }
  });
  const timer = setTimeout(() => killGroup(child), RUN_TIMEOUT_MS);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve(code);
    });
  });
  return { child, lines, exited, onLine: (l) => void listeners.push(l) };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Waits until the process group is empty: git commands orphaned by the kill finish (or die) on their own. */
async function drainGroup(pgid: number): Promise<void> {
  const end = Date.now() + 5_000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > end) {
      process.kill(-pgid, 'SIGKILL');
      return;
    }
    await delay(10);
  }
}

/** Kills the run when the trigger fires; resolves with what fired, or 'finished' when the run ended first. */
async function killAt(run: CliRun, { trigger, group }: KillPoint, state: string, ws: string, planId: string): Promise<string> {
  const seen = new Map<string, number>();
  let armed = false;
  let fired: ((what: string) => void) | undefined;
  const firing = new Promise<string>((resolve) => (fired = resolve));
  const hit = (what: string, n: number) => {
    const count = (seen.get(what) ?? 0) + 1;
    seen.set(what, count);
    if (count !== n || armed) return;
    armed = true;
    setTimeout(() => {
      if (group) killGroup(run.child);
      else run.child.kill('SIGKILL');
      fired!(`${what} #${n} +${trigger.delayMs} ms`);
    }, trigger.delayMs);
  };
  let watcher: FSWatcher | undefined;
  let stopped = false;
  const created = async (dir: string, name: (file: string) => boolean, what: string, n: number) => {
    // The worktree's git folder appears once the run opened the branch.
    while (!existsSync(dir)) {
      if (stopped) return;
      await delay(5);
    }
    if (stopped) return;
    watcher = watch(dir, (_event, file) => file !== null && name(file) && existsSync(path.join(dir, file)) && hit(what, n));
  };
  if (trigger.kind === 'line') {
    run.onLine((line) => {
      for (const m of trigger.marks) if (m.pattern.test(line)) hit(m.label, m.n);
    });
  } else if (trigger.kind === 'index.lock') {
    void created(path.join(ws, '.git', 'worktrees', planId), (f) => f === 'index.lock', 'index.lock taken', trigger.n);
  } else {
    // The moment the file holds the new state: an atomic write's final rename, or an append to the tree's journal.
    const dir = trigger.kind === 'tree' ? path.join(state, 'integration') : path.join(state, 'changes', planId);
    const name = trigger.kind === 'tree' ? (f: string) => f === `${planId}.json` || f === `${planId}.journal.jsonl` : (f: string) => /^T\d+\.json$/.test(f);
    void created(dir, name, `${trigger.kind} write`, trigger.n);
  }
  const what = await Promise.race([firing, run.exited.then(() => 'finished')]);
  stopped = true;
  watcher?.close();
  await run.exited;
  await drainGroup(run.child.pid!);
  return what;
}

interface Snapshot {
  readonly tree: TreeState | undefined;
  readonly run: PlanRun | undefined;
  readonly changes: ProposedChange[];
  readonly branch: string[];
  readonly ledger: UsageRecord[];
}

async function snapshot(state: string, ws: string, plan: Plan, withGit: boolean): Promise<Snapshot> {
  const json = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined);
  return {
    // Through the store: it knows its own layout (a snapshot plus a journal of deltas).
    tree: await new FileTreeStore(path.join(state, 'integration')).load(plan.id),
    run: json<PlanRun>(path.join(state, 'runs', `${plan.id}.json`)),
    changes: await new FileChangeStore(state).list(plan.id),
    branch: withGit ? branchTasks(ws, plan.id) : [],
    ledger: readLedger(state),
  };
}

/** Task ids of the plan branch's commits, oldest first (empty when there is no branch yet). */
function branchTasks(ws: string, planId: string): string[] {
  if (!git(ws, 'branch', '--list', `helios/${planId}`).trim()) return [];
  return git(ws, 'log', '--reverse', `helios/${planId}`, '--format=%(trailers:key=Helios-Task,valueonly)')
    .split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

function readLedger(state: string): UsageRecord[] {
  const file = path.join(state, 'ledger.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').flatMap((line) => {
    try {
      return line.trim() === '' ? [] : [JSON.parse(line) as UsageRecord];
    } catch {
      return []; // a line torn by the kill
    }
  });
}

/** Where the kill left the state: the window of the pipeline it interrupted (several at concurrency > 1). */
function phasesOf(s: Snapshot, withGit: boolean): string[] {
  const phases = new Set<string>();
  const inTree = new Set(Object.keys(s.tree?.tasks ?? {}));
  const branch = new Set(s.branch);
  for (const id of inTree) {
    if (withGit && !branch.has(id)) phases.add('tree saved, branch not yet');
    const change = s.changes.find((c) => c.taskId === id);
    if (!change?.integration) phases.add('integrated, change not yet marked');
    if (s.run?.tasks[id]?.status !== 'done') phases.add('integrated, run state not yet');
  }
  for (const c of s.changes) {
    if (!inTree.has(c.taskId) && c.state === 'proposed' && c.outcome && !c.integration) phases.add('change stored, not integrated');
  }
  for (const [id, t] of Object.entries(s.run?.tasks ?? {})) {
    if (t.status === 'running' && !inTree.has(id) && !s.changes.some((c) => c.taskId === id && c.outcome)) phases.add('model call');
  }
  if (phases.size === 0) phases.add(s.run?.state === 'done' ? 'after the run' : 'between steps');
  return [...phases];
}

/**
 * Tasks whose result survived the kill, so the resume must not call the model for them again:
 * integrated into the tree, or settled in the run state. A change stored but not integrated is
 * integrated by the resume without a call — unless it overlaps what the tree holds by then (a
 * sibling stored next to it won the race), which sends it back to the Coder like a rebase.
 */
function finishedBefore(s: Snapshot): { settled: Set<string>; stored: Set<string> } {
  const settled = new Set(Object.keys(s.tree?.tasks ?? {}));
  for (const [id, t] of Object.entries(s.run?.tasks ?? {})) if (t.status === 'done' || t.status === 'failed') settled.add(id);
  const stored = new Set(s.changes.filter((c) => !settled.has(c.taskId) && c.state === 'proposed' && c.outcome && !c.integration).map((c) => c.taskId));
  return { settled, stored };
}

function coderCalls(records: readonly UsageRecord[], taskId: string): number {
  return records.filter((r) => r.agent === 'coder' && r.taskId === taskId).length;
}

const rebasesOf = (lines: readonly string[], key: string): number => lines.filter((l) => l.startsWith(`  rebase ${key}:`)).length;

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The two workspaces run side by side: each kill point has its own folders and simulator.
describe('helios run: kill -9 during integration, then resume', { concurrency: true }, () => {
  let root: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    root = await mkdtemp(path.join(os.tmpdir(), 'helios-integration-resume-'));
  });
  after(async () => {
    for (const child of live) killGroup(child);
    await rm(root, { recursive: true, force: true });
  });

  for (const [label, withGit, seed] of [['a git workspace', true, 0x5eed_0001], ['a plain folder', false, 0x5eed_0002]] as const) {
    it(`integrates every change exactly once across 10 kill points, in ${label}`, { timeout: 120_000 }, async (t) => {
      const plan = makePlan();
      const phases = new Map<string, number>();
      for (const [i, point] of killPoints(seed, withGit).entries()) {
        const dir = path.join(root, `${withGit ? 'git' : 'plain'}-${i}`);
        const where = await killAndResume(t, plan, dir, withGit, point);
        for (const p of where) phases.set(p, (phases.get(p) ?? 0) + 1);
      }
      t.diagnostic(`phases hit: ${[...phases].map(([p, n]) => `${p} ×${n}`).join('; ')}`);
      const integrationPhases = [...phases.keys()].filter((p) => p !== 'model call' && p !== 'between steps' && p !== 'after the run');
      assert.ok(integrationPhases.length >= 2, `kill points landed during integration (${[...phases.keys()].join(', ')})`);
    });
  }
});

async function killAndResume(
  t: TestContext, plan: Plan, dir: string, withGit: boolean, point: KillPoint,
): Promise<string[]> {
  const sim = await ClaudeSimulator.start({ speedUp: 1000 });
  try {
    const ws = await makeWorkspace(dir, withGit);
    const state = path.join(dir, 'state');
    // Watched by the kill point before the CLI creates them.
    await mkdir(path.join(state, 'integration'), { recursive: true });
    await mkdir(path.join(state, 'changes', plan.id), { recursive: true });
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const userBefore = await userState(ws, withGit);
    const args = { planFile, state, ws, concurrency: point.concurrency, simUrl: sim.url, home: dir };

    const killed = startRun(args);
    const fired = await killAt(killed, point, state, ws, plan.id);
    const atKill = await snapshot(state, ws, plan, withGit);
    const where = phasesOf(atKill, withGit);
    const { settled, stored } = finishedBefore(atKill);

    const resumed = startRun(args);
    const code = await resumed.exited;
    const end = await snapshot(state, ws, plan, withGit);
    const context = `kill point ${path.basename(dir)} (${fired}, concurrency ${point.concurrency}, ${point.group ? 'group' : 'process'}) in ${where.join(' + ')}\n${resumed.lines.join('\n')}`;
    t.diagnostic(`${path.basename(dir)}: ${fired}, ${point.group ? 'group' : 'process'} kill → ${where.join(' + ')}`);
    const key = (id: string) => `${plan.id}/${id}`;

    // (a) Every task done, or failed on an integration conflict with its dependants skipped.
    const run = end.run;
    assert.ok(run, context);
    assert.equal(run.state, 'done', `the run state says the plan finished — ${context}`);
    const failed = new Set<string>();
    for (const task of plan.graph.tasks) {
      const r: TaskRun | undefined = run.tasks[task.id];
      assert.ok(r, `${task.id} has a run record — ${context}`);
      if (r.status === 'failed') {
        assert.equal(r.error?.reason, 'integration_conflict', `${task.id} failed only on a conflict — ${context}`);
        failed.add(task.id);
      } else if (r.status === 'skipped') {
        assert.ok(r.blockedBy && (failed.has(r.blockedBy) || run.tasks[r.blockedBy]?.status === 'skipped'), `${task.id} skipped behind a failure — ${context}`);
      } else {
        assert.equal(r.status, 'done', `${task.id} is done — ${context}`);
      }
    }
    const done = plan.graph.tasks.map((x) => x.id).filter((id) => run.tasks[id]!.status === 'done');
    assert.equal(code, done.length === plan.graph.tasks.length ? 0 : 1, `exit code — ${context}`);

    // (b) One tree record per done task, in orders 1..n.
    const tree = end.tree;
    assert.ok(tree, context);
    assert.deepEqual(Object.keys(tree.tasks).sort(), [...done].sort(), `the tree holds exactly the done tasks — ${context}`);
    const records = Object.values(tree.tasks).sort((a, b) => a.order - b.order);
    assert.deepEqual(records.map((r) => r.order), records.map((_, i) => i + 1), `orders are 1..n — ${context}`);
    for (const r of records) {
      assert.equal(run.tasks[r.taskId]!.integration?.status, r.status, `${r.taskId}: run state and tree agree on how it was integrated — ${context}`);
      const change = end.changes.find((c) => c.taskId === r.taskId);
      assert.equal(change?.integration?.status, r.status, `${r.taskId}: the stored change says it was integrated — ${context}`);
    }
    for (const id of failed) {
      assert.equal(end.changes.find((c) => c.taskId === id)?.state, 'conflicted', `${id}'s change is kept as conflicted — ${context}`);
    }

    // (c) The plan branch: each done task once, in integration order, and the tip holds the tree's files.
    if (withGit) {
      assert.deepEqual(end.branch, records.map((r) => r.taskId), `the branch records each done task once, in tree order — ${context}`);
      for (const [file, text] of Object.entries(tree.files)) {
        assert.equal(git(ws, 'show', `helios/${plan.id}:${file}`), text, `${file} on the branch tip equals the tree — ${context}`);
      }
      assert.ok(records.every((r) => r.files === undefined), `the tree dropped every file copy the branch recorded — ${context}`);
      assert.equal(tree.base['README.md'], README_EDITED, `the plan's base is the user's edited README — ${context}`);
    }

    // (d) No finished task called the model again; every completed call is accounted for.
    const killedLedger = atKill.ledger;
    const resumedLedger = end.ledger.slice(atKill.ledger.length);
    let redone = 0;
    for (const id of plan.graph.tasks.map((x) => x.id)) {
      const inKilled = coderCalls(killedLedger, id);
      const inResume = coderCalls(resumedLedger, id);
      if (settled.has(id)) assert.equal(inResume, 0, `${id} finished before the kill and was not re-run — ${context}`);
      assert.ok(inKilled <= 1 + rebasesOf(killed.lines, key(id)), `${id}: one call (+1 per rebase) before the kill — ${context}`);
      assert.ok(inResume <= 1 + rebasesOf(resumed.lines, key(id)), `${id}: one call (+1 per rebase) in the resume — ${context}`);
      const record: IntegratedTask | undefined = tree.tasks[id];
      const reusedStored = stored.has(id) && inResume === 0;
      if (stored.has(id) && !reusedStored) t.diagnostic(`${id}: its stored change overlapped the tree on resume and was redone`);
      if (!settled.has(id) && !reusedStored) redone += inKilled;
      if (record) {
        // Every call of the run that produced the outcome is in the ledger (no cache: each call reaches the provider).
        const producing = settled.has(id) || reusedStored ? killedLedger : resumedLedger;
        assert.equal(coderCalls(producing, id), record.outcome.calls, `${id}: its outcome counts the calls the ledger has — ${context}`);
        if (record.status === 'rebased') assert.equal(record.outcome.calls, 2, `${id}: a rebase is one more call — ${context}`);
      }
    }
    const calls = sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
    const completed = new Set(calls.filter((r) => r.status === 200 && r.outcome === 'completed').map((r) => r.requestId));
    const ids = end.ledger.map((r) => r.requestId);
    assert.equal(new Set(ids).size, ids.length, `no call recorded twice — ${context}`);
    assert.ok(ids.every((id) => id !== null && completed.has(id)), `every recorded call is a completed 200 of the simulator — ${context}`);
    assert.ok(end.ledger.every((r) => r.agent === 'coder'), `only Coder calls — ${context}`);
    // Answers that arrived as the process died were never recorded: at most one per task in flight.
    assert.ok(completed.size - ids.length <= point.concurrency, `${completed.size - ids.length} completed calls lost to the kill — ${context}`);
    // One call per task, one more per rebase, plus the calls of work the kill lost (redone on resume).
    const rebaseLines = plan.graph.tasks.reduce((n, x) => n + rebasesOf(killed.lines, key(x.id)) + rebasesOf(resumed.lines, key(x.id)), 0);
    assert.ok(ids.length <= plan.graph.tasks.length + rebaseLines + redone, `${ids.length} Coder calls ≤ ${plan.graph.tasks.length} tasks + ${rebaseLines} rebases + ${redone} lost — ${context}`);

    // (e) The user's files, index and status are untouched.
    assert.deepEqual(await userState(ws, withGit), userBefore, `the workspace is unchanged — ${context}`);
    return where;
  } finally {
    await sim.stop();
  }
}
