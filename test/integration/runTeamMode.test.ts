import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BUDGET, meterFor } from '../../src/core/governor/budgetPlans';
import { RedisAccountBoard } from '../../src/infra/governor/redisAccountBoard';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { chainPlan, startCli, waitUntil } from '../support/cliProcess';
import { skipWithoutRedis, startRedisServer, type RedisServerHandle } from '../support/redisServer';
import { CLI, runCli } from '../support/runCli';

/**
 * `helios run` in team mode (HELIOS_TEAM_REDIS_URL): three members' runs, each on its own machine
 * (its own account directory and state), admit against one team cap on Redis; and a teammate's
 * identical request is an L2 hit from the team's cache, not a second call.
 */
describe('helios run in team mode', { skip: skipWithoutRedis }, () => {
  let sim: ClaudeSimulator;
  let redis: RedisServerHandle;
  let dir: string;
  const PASSWORD = 'team-s3cret';
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `node esbuild.mjs` first');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    redis = await startRedisServer({ extraArgs: ['--requirepass', PASSWORD] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-team-run-'));
  });
  after(async () => {
    await sim?.stop();
    await redis?.stop();
  });

  const url = () => `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  /** A member's own machine: home, account directory and state of its own; the team's Redis shared. */
  async function member(name: string): Promise<{ env: NodeJS.ProcessEnv; state: string }> {
    const home = path.join(dir, name);
    await mkdir(home, { recursive: true });
    return {
      state: path.join(home, 'state'),
      env: { PATH: process.env.PATH, HOME: home, HELIOS_ACCOUNT_DIR: path.join(home, 'account'), ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'dummy', HELIOS_TEAM_REDIS_URL: url() },
    };
  }

  it('three members\' runs use at most the team cap together', async () => {
    const cap = 15_000;
    const ns = 'helios';
    const runs = await Promise.all(['a', 'b', 'c'].map(async (name, i) => {
      const m = await member(`cap-${name}`);
      const planFile = path.join(dir, `plan-${name}.json`);
      await writeFile(planFile, JSON.stringify(chainPlan(12, String(i + 1).repeat(64))));
      return startCli(['run', planFile, '--state', m.state, '--workspace', dir, '--no-git', '--window-tokens', String(cap)], m.env);
    }));
    try {
      await waitUntil(() => runs.every((r) => r.child.exitCode !== null || r.stderr().includes('⏸ budget: paused')), 120_000, 'every run to finish or pause at the team cap');
    } finally {
      for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGTERM');
      await Promise.all(runs.map((r) => r.exited));
    }
    for (const r of runs) {
      assert.match(r.stderr(), /Team mode: admitting against redis:\/\/127\.0\.0\.1/);
      assert.ok(!r.stderr().includes(PASSWORD), 'the password never reaches the output');
    }
    // The team's ledger is the Redis stream: every member's calls, once each.
    const board = await RedisAccountBoard.open({ url: url(), namespace: ns });
    try {
      const records = await board.readAll();
      const meter = meterFor({ ...DEFAULT_BUDGET, plan: 'custom', windowTokens: cap, windowMessages: 0 });
      const used = records.reduce((n, r) => n + meter.unitsOf(r.model, r.usage), 0);
      const holders = new Set(records.map((r) => r.holder));
      assert.ok(holders.size >= 2, `more than one member's run spent (${holders.size})`);
      assert.ok(records.every((r) => r.originKind === 'cli' && r.member !== undefined), 'each call is stamped with the member and the CLI');
      assert.ok(used <= cap, `three members used ${used} weighted tokens of a ${cap} team cap`);
      assert.ok(used > cap * 0.5, `the runs came near the cap (${used})`);
      console.log(`three team runs: ${records.length} calls, ${used} of ${cap} weighted tokens (${((used / cap) * 100).toFixed(0)} %)`);
    } finally {
      await board.close();
    }
  });

  it('a teammate\'s identical run is served from the team\'s exact-match cache', async () => {
    const workspace = path.join(dir, 'shared-ws');
    await mkdir(workspace, { recursive: true });
    const planFile = path.join(dir, 'plan-cache.json');
    await writeFile(planFile, JSON.stringify(chainPlan(3, '7'.repeat(64))));
    const first = await member('cache-first');
    const before = sim.requests.length;
    const a = await runCli(['run', planFile, '--state', first.state, '--workspace', workspace, '--no-git'], { ...first.env, HELIOS_TEAM_REDIS_URL: `${url()}/1` });
    assert.equal(a.code, 0, a.stderr);
    const paid = sim.requests.length - before;
    assert.ok(paid >= 3, `the first member's run called the provider (${paid})`);

    const second = await member('cache-second');
    const mid = sim.requests.length;
    const b = await runCli(['run', planFile, '--state', second.state, '--workspace', workspace, '--no-git'], { ...second.env, HELIOS_TEAM_REDIS_URL: `${url()}/1` });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(sim.requests.length - mid, 0, `the teammate's run reached the provider ${sim.requests.length - mid} times; every call should be a team cache hit`);

    // Without the team, the same run on a third machine pays again: the hit came from Redis.
    const third = await member('cache-alone');
    const late = sim.requests.length;
    const { HELIOS_TEAM_REDIS_URL: _team, ...alone } = third.env;
    const c = await runCli(['run', planFile, '--state', third.state, '--workspace', workspace, '--no-git'], alone);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(sim.requests.length - late >= 3, 'a member outside the team calls the provider');
  });

  it('an unreachable team Redis stops the run before any call, and says how to go on', async () => {
    const m = await member('down');
    const planFile = path.join(dir, 'plan-down.json');
    await writeFile(planFile, JSON.stringify(chainPlan(2, '9'.repeat(64))));
    const before = sim.requests.length;
    const r = await runCli(['run', planFile, '--state', m.state, '--workspace', dir, '--no-git'], { ...m.env, HELIOS_TEAM_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot be reached/);
    assert.match(r.stderr, /Unset HELIOS_TEAM_REDIS_URL/);
    assert.ok(!r.stderr.includes(PASSWORD));
    assert.equal(sim.requests.length, before, 'nothing reached the provider');
  });
});
