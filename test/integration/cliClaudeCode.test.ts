import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PlanSchema } from '../../src/core/plan/planSchema';
import { validateTaskGraph } from '../../src/core/plan/validateTaskGraph';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import { makePrd } from '../support/prdFactory';
import { CLI, runCli } from '../support/runCli';

const CLAUDE = path.resolve('node_modules/.bin/claude');

/**
 * `helios decompose --provider claude-code`: the real `claude` binary (from the npm package) runs
 * headless in a temporary HOME and talks to the simulator; Helios reads the plan from its
 * structured output.
 */
describe('helios decompose --provider claude-code (real claude binary)', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    assert.ok(existsSync(CLAUDE), 'the claude binary is missing: npm ci installs @anthropic-ai/claude-code');
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-cc-cli-'));
  });
  after(() => sim.stop());

  for (const lang of ['en', 'ko'] as const) {
    it(`prints a valid DAG for a ${lang} PRD`, async () => {
      const file = path.join(dir, `prd-${lang}.md`);
      await writeFile(file, makePrd({ lang, sections: 5, targetBytes: 2_000 }));
      // Asynchronous: the simulator answers from this process, so it must not be blocked.
      const run = await runCli(['decompose', file, '--provider', 'claude-code', '--model', 'claude-sonnet-5-5', '--json'], {
        PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key', HELIOS_CLAUDE_PATH: CLAUDE,
      });
      assert.equal(run.code, 0, run.stderr);
      const plan = PlanSchema.parse(JSON.parse(run.stdout));
      assert.equal(plan.provider, 'claude-code');
      assert.equal(plan.graph.tasks.length, 5);
      assert.deepEqual(validateTaskGraph(plan.graph), []);
      // Usage comes from Claude Code's own report of the simulator's answer, not an estimate.
      assert.ok(plan.usage.inputTokens > 0 && plan.usage.outputTokens > 0);
    });
  }
});

