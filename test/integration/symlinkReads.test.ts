import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCoder } from '../../src/core/agents/coder';
import { HeliosError } from '../../src/core/errors/heliosError';
import type { LlmClient, LlmRequest } from '../../src/core/llm/llmClient';
import { createPlan } from '../../src/core/plan/plan';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';
import { ZERO_USAGE } from '../../src/shared/usage';
import { CLI, runCli } from '../support/runCli';

const SECRET = 'HELIOS-TEST-SECRET-4f9c0a';

const task: Task = {
  id: 'T1', title: 'Read the configuration', description: 'Load settings from config.ts and app.ts.', taskType: 'code_generation',
  dependsOn: [], files: ['src/config.ts', 'src/app.ts'], priority: 2, estimatedTokens: 800,
};

/** Every file under `dir`, as text. */
function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'latin1'))
    .join('\n');
}

/**
 * Issue 18, row 5: a task file that is a symlink to a file outside the workspace is never read —
 * not for the Coder's prompt, the context, the caches or the stores — and the task says which file
 * was left out. Before, writing was refused but the outside file's content went into the prompt and
 * into changes/, L2 and L3.
 */
describe('reads are confined like writes: a symlink out of the workspace is left out', () => {
  let sim: ClaudeSimulator;
  let dir: string;
  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'helios-symlink-'));
    await mkdir(path.join(dir, 'workspace', 'src'), { recursive: true });
    await writeFile(path.join(dir, 'outside-secret.ts'), `export const token = '${SECRET}';\n`);
    await symlink(path.join(dir, 'outside-secret.ts'), path.join(dir, 'workspace', 'src', 'config.ts'));
    await writeFile(path.join(dir, 'workspace', 'src', 'app.ts'), 'export const app = 1;\n');
  });
  after(() => sim.stop());

  it('helios run keeps the outside file out of the state folder: changes, tree, caches', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const plan = createPlan({
      prd: { path: 'PRD.md', text: '', sha256: 'c'.repeat(64), bytes: 0 },
      result: { graph: { tasks: [task] }, model: 'claude-opus-5-5', usage: ZERO_USAGE, calls: [], repairs: 0 },
      provider: 'simulator', now: new Date('2026-12-02T00:00:00Z'),
    });
    const planFile = path.join(dir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const state = path.join(dir, 'state');
    const env = { PATH: process.env.PATH, HOME: dir, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-dummy-key' };
    const { code, stderr } = await runCli(['run', planFile, '--state', state, '--workspace', path.join(dir, 'workspace')], env);
    assert.equal(code, 0, stderr);
    assert.ok(existsSync(path.join(state, 'changes')), 'the run stored its change');
    assert.doesNotMatch(allText(state), new RegExp(SECRET), 'nothing under --state holds the outside file');
    const change = JSON.parse(readFileSync(path.join(state, 'changes', plan.id, 'T1.json'), 'utf8')) as { files: { path: string }[] };
    assert.ok(change.files.every((f) => f.path !== 'src/config.ts'), 'and no edit touches the link');
  });

  it('the Coder is told the file was left out, and its prompt never holds the outside content', async () => {
    const prompts: string[] = [];
    const sdk = new AnthropicLlmClient({ apiKey: 'sim', baseURL: sim.url, provider: 'simulator' });
    const client: LlmClient = {
      provider: sdk.provider,
      complete: (r: LlmRequest) => {
        prompts.push(r.messages.flatMap((m) => m.content.map((c) => c.text)).join('\n'));
        return sdk.complete(r);
      },
      countTokens: (r) => sdk.countTokens(r),
    };
    const workspace = {
      read: (p: string) => p === 'src/config.ts'
        ? Promise.reject(new HeliosError('path_outside_workspace', `${p} resolves outside the workspace`, { path: p }))
        : Promise.resolve(p === 'src/app.ts' ? 'export const app = 1;\n' : undefined),
    };
    const result = await runCoder(task, { client, model: 'claude-sonnet-5-5', workspace, planId: 'p' });
    assert.match(prompts[0]!, /- src\/config\.ts \(left out: it resolves outside the workspace; do not edit or create it\)/);
    assert.ok(result.change.files.every((f) => f.path !== 'src/config.ts'));
  });
});
