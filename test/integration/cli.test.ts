import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { PlanSchema } from '../../src/core/plan/planSchema';
import { validateTaskGraph } from '../../src/core/plan/validateTaskGraph';
import { makePrd } from '../support/prdFactory';
import { testAccount } from '../support/runCli';

const CLI = path.resolve('dist/cli.js');

function cli(args: string[]) {
  const env = { ...process.env };
  delete env.ANTHROPIC_API_KEY; // the embedded simulator, whatever the developer's shell has
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: testAccount(args, env), timeout: 60_000 });
}

/** The bundled CLI as a user runs it: `node dist/cli.js decompose <prd> --json`. */
describe('helios CLI', () => {
  let dir: string;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-cli-'));
  });

  for (const [lang, bytes] of [['en', 1_000], ['ko', 30_000]] as const) {
    it(`decompose --json prints a valid plan for a ${bytes / 1000} KB ${lang} PRD`, async () => {
      const file = path.join(dir, `prd-${lang}.md`);
      await writeFile(file, makePrd({ lang, sections: 9, targetBytes: bytes }));
      const run = cli(['decompose', file, '--json', '--speed-up', '1000']);
      assert.equal(run.status, 0, run.stderr);
      const plan = PlanSchema.parse(JSON.parse(run.stdout));
      assert.equal(plan.graph.tasks.length, 9);
      assert.deepEqual(validateTaskGraph(plan.graph), []);
      assert.equal(plan.provider, 'simulator');
      assert.ok(plan.usage.outputTokens > 0 && plan.costUsd > 0);
    });
  }

  it('prints the plan in dependency order for people', async () => {
    const run = cli(['decompose', 'test/fixtures/workspace/PRD.md', '--speed-up', '1000']);
    assert.equal(run.status, 0, run.stderr);
    const ids = run.stdout.split('\n').filter((l) => /^T\d/.test(l)).map((l) => l.split(/\s+/)[0]);
    assert.equal(ids.length, 6);
    assert.equal(ids[0], 'T1');
    assert.match(run.stdout, /6 tasks by claude-opus-5-5 · \d+ tokens · \$\d+\.\d{4}/);
  });

  it('explains bad input with exit code 1 and usage errors with 2', async () => {
    const empty = path.join(dir, 'empty.md');
    await writeFile(empty, '\n\n');
    const binary = path.join(dir, 'spec.pdf');
    await writeFile(binary, Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]));
    const e1 = cli(['decompose', empty]);
    assert.equal(e1.status, 1);
    assert.match(e1.stderr, /empty\.md is empty/);
    const e2 = cli(['decompose', binary]);
    assert.equal(e2.status, 1);
    assert.match(e2.stderr, /not UTF-8 text/);
    const e3 = cli(['frobnicate']);
    assert.equal(e3.status, 2);
    assert.match(e3.stderr, /unknown command 'frobnicate'[\s\S]*helios decompose/);
  });
});
