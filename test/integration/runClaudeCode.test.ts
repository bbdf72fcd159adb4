import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPlan } from '../../src/core/plan/plan';
import type { UsageRecord } from '../../src/core/usage/usageLedger';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { CLI, runCli as cli } from '../support/runCli';
import { ZERO_USAGE } from '../../src/shared/usage';

const CLAUDE = path.resolve('node_modules/.bin/claude');


/**
 * `helios run --provider claude-code`: every Coder call goes through the real `claude` binary to
 * the simulator. The ledger's token totals must equal what the simulator reported, to the token,
 * and `helios usage blocks` over the ledger plus Claude Code's logs counts each call once.
 */
describe('helios run --provider claude-code (real claude binary)', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI) && existsSync(CLAUDE), 'needs dist/cli.js and node_modules/.bin/claude');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-run-cc-'));
  });
  after(() => sim.stop());

  it('records exactly the usage the provider reported, and counts each call once', async () => {
    const tasks: Task[] = [1, 2].map((i) => ({
      id: `T${i}`, title: `Module ${i}`, description: `Implement module ${i} with a small exported function.`, taskType: 'code_generation',
      dependsOn: i === 1 ? [] : ['T1'], files: [`src/module${i}.ts`], priority: 2, estimatedTokens: 800,
    }));
    const plan = createPlan({
      prd: { path: 'PRD.md', text: '', sha256: 'e'.repeat(64), bytes: 0 },
      result: { graph: { tasks }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
      provider: 'claude-code', now: new Date(),
    });
    await writeFile(path.join(dir, 'plan.json'), JSON.stringify(plan));
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key', HELIOS_CLAUDE_PATH: CLAUDE };
    const run = await cli(['run', path.join(dir, 'plan.json'), '--provider', 'claude-code', '--state', path.join(dir, 'state'), '--workspace', dir], env);
    assert.equal(run.code, 0, run.stderr);

    const ledger = readFileSync(path.join(dir, 'state', 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UsageRecord);
    assert.equal(ledger.length, 2);
    assert.ok(ledger.every((r) => r.provider === 'claude-code' && (r.messageIds?.length ?? 0) > 0));
    const billed = sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens') && r.usage);
    const sum = (pick: (u: { input: number; output: number; write: number; read: number }) => number, list: Array<{ input: number; output: number; write: number; read: number }>) => list.reduce((n, u) => n + pick(u), 0);
    const fromSim = billed.map((r) => ({ input: r.usage!.input_tokens, output: r.usage!.output_tokens, write: r.usage!.cache_creation_input_tokens ?? 0, read: r.usage!.cache_read_input_tokens ?? 0 }));
    const fromLedger = ledger.map((r) => ({ input: r.usage.inputTokens, output: r.usage.outputTokens, write: r.usage.cacheCreationInputTokens, read: r.usage.cacheReadInputTokens }));
    for (const field of ['input', 'output', 'write', 'read'] as const) {
      assert.equal(sum((u) => u[field], fromLedger), sum((u) => u[field], fromSim), `${field} tokens match the simulator's usage`);
    }

    // The same calls in Claude Code's own log (as when sessions are kept): usage blocks counts them once.
    const projects = path.join(dir, 'claude', 'projects', '-work');
    await mkdir(projects, { recursive: true });
    const lines = ledger.map((r, i) => JSON.stringify({
      type: 'assistant', timestamp: r.ts, requestId: `req_cc_${i}`, sessionId: 's1',
      message: { id: r.messageIds![0], model: r.model, usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens, cache_creation_input_tokens: r.usage.cacheCreationInputTokens, cache_read_input_tokens: r.usage.cacheReadInputTokens } },
    }));
    await writeFile(path.join(projects, 's1.jsonl'), `${lines.join('\n')}\n`);
    const blocks = await cli(['usage', 'blocks', '--claude-config-dir', path.join(dir, 'claude'), '--ledger', path.join(dir, 'state', 'ledger.jsonl'), '--json'], env);
    assert.equal(blocks.code, 0, blocks.stderr);
    const parsed = JSON.parse(blocks.stdout) as { blocks: Array<{ isGap: boolean; entries: number; tokenCounts: { inputTokens: number } }> };
    const active = parsed.blocks.filter((b) => !b.isGap);
    assert.equal(active.reduce((n, b) => n + b.entries, 0), 2, 'two calls, counted once each');
    assert.equal(active.reduce((n, b) => n + b.tokenCounts.inputTokens, 0), sum((u) => u.input, fromLedger));
  });
});
