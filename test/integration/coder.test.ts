import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { runCoder, type CoderWorkspace } from '../../src/core/agents/coder';
import { HeliosError } from '../../src/core/errors/heliosError';
import { routeTask, routerTaskOf } from '../../src/core/router/router';
import { AnthropicLlmClient } from '../../src/infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { Task } from '../../src/shared/taskGraph';

/** The Coder end to end: core → AnthropicLlmClient → official SDK → simulator on 127.0.0.1. */

const MATH = [
  "import { clamp } from './util';",
  '',
  'export function add(a: number, b: number): number {',
  '  return clamp(a + b);',
  '}',
  '',
].join('\n');

function syntaxErrors(file: string, text: string): number {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return (source as unknown as { parseDiagnostics: readonly unknown[] }).parseDiagnostics.length;
}

const task = (over: Partial<Task>): Task => ({
  id: 'T1', title: 'Add a subtraction helper', description: 'Add sub() and a module of arithmetic helpers.', taskType: 'code_generation',
  dependsOn: [], files: ['src/math.ts', 'src/helpers.ts'], priority: 2, estimatedTokens: 1_200, ...over,
});

describe('Coder through the SDK and the simulator', () => {
  let sim: ClaudeSimulator;
  let client: AnthropicLlmClient;
  let root: string;
  let workspace: CoderWorkspace;

  before(async () => {
    sim = await ClaudeSimulator.start({ speedUp: 1000 });
    client = new AnthropicLlmClient({ apiKey: 'sim-test', baseURL: sim.url, provider: 'simulator', maxRetries: 2 });
    root = await mkdtemp(path.join(tmpdir(), 'helios-coder-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'src/math.ts'), MATH);
    await writeFile(path.join(root, 'README.md'), '# Demo\n\nA demo.\n');
    workspace = { read: (p) => readFile(path.join(root, p), 'utf8').catch(() => undefined) };
  });
  after(async () => {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  });

  const coderCalls = (from: number) => sim.requests.slice(from).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens'));

  it('edits an existing file and creates a new one; the result parses as TypeScript', async () => {
    const before = sim.requests.length;
    const result = await runCoder(task({}), { client, model: 'claude-sonnet-5-5', workspace, planId: 'plan-a' });
    assert.equal(result.repairs, 0);
    assert.equal(result.model, 'claude-sonnet-5-5');
    const [helpers, math] = result.change.files;
    assert.deepEqual([helpers!.path, helpers!.action, helpers!.baseSha256], ['src/helpers.ts', 'create', null]);
    assert.deepEqual([math!.path, math!.action], ['src/math.ts', 'edit']);
    // The brain inserts at a top-level boundary the task id picks (MATH has one: after the import), not at the end.
    assert.ok(math!.proposedContent.startsWith("import { clamp } from './util';\n\n/** Add a subtraction helper (task T1). */\n"), 'inserted after the import');
    assert.ok(math!.proposedContent.endsWith(`\n\n${MATH.slice(MATH.indexOf('export function add'))}`), 'the existing code follows unchanged');
    assert.match(math!.proposedContent, /export function addASubtractionHelperT1Extra/);
    assert.match(helpers!.proposedContent, /Add a subtraction helper/);
    assert.equal(syntaxErrors('src/math.ts', math!.proposedContent), 0);
    assert.equal(syntaxErrors('src/helpers.ts', helpers!.proposedContent), 0);
    assert.equal(await readFile(path.join(root, 'src/math.ts'), 'utf8'), MATH, 'nothing is written to the workspace');

    const calls = coderCalls(before);
    assert.equal(calls.length, 1);
    assert.equal(result.usage.inputTokens, calls[0]!.usage!.input_tokens);
    assert.equal(result.usage.outputTokens, calls[0]!.usage!.output_tokens);
    assert.equal(result.calls[0]!.requestId, calls[0]!.requestId);
  });

  it('reads the stable system prompt from the prompt cache on the next task', async () => {
    const first = await runCoder(task({ id: 'T7' }), { client, model: 'claude-haiku-5-5', workspace, planId: 'plan-c' });
    const second = await runCoder(task({ id: 'T8', files: ['docs/notes.md'] }), { client, model: 'claude-haiku-5-5', workspace, planId: 'plan-c' });
    assert.ok(first.usage.cacheCreationInputTokens + first.usage.cacheReadInputTokens > 0);
    assert.ok(second.usage.cacheReadInputTokens >= 512, `cache read ${second.usage.cacheReadInputTokens}`);
    assert.equal(second.change.files[0]!.action, 'create');
    assert.match(second.change.files[0]!.proposedContent, /^# Add a subtraction helper/);
  });

  it('repairs an invalid edit (search text not in the file) with one round trip', async () => {
    sim.injectFault({ kind: 'invalid_edit' });
    const before = sim.requests.length;
    const result = await runCoder(task({ id: 'T2' }), { client, model: 'claude-sonnet-5-5', workspace, planId: 'plan-a' });
    assert.equal(result.repairs, 1);
    assert.equal(coderCalls(before).length, 2);
    assert.ok(result.usage.inputTokens > result.calls[0]!.usage.inputTokens, 'both calls are counted');
    assert.equal(result.change.files.length, 2);
  });

  it('repairs malformed JSON output', async () => {
    sim.injectFault({ kind: 'malformed_output' });
    const result = await runCoder(task({ id: 'T3', files: ['src/new.ts'] }), { client, model: 'claude-opus-5-5', workspace, planId: 'plan-a' });
    assert.equal(result.repairs, 1);
    assert.equal(result.model, 'claude-opus-5-5');
  });

  it('fails with model_output_invalid when the repair is invalid too, and nothing else is called', async () => {
    sim.injectFault({ kind: 'invalid_edit', count: 2 });
    const before = sim.requests.length;
    await assert.rejects(
      runCoder(task({ id: 'T4', files: ['src/math.ts'] }), { client, model: 'claude-haiku-5-5', workspace, planId: 'plan-a' }),
      (e: unknown) => e instanceof HeliosError && e.reason === 'model_output_invalid' && /hunk 1: the search text was not found/.test(String(e.details.problems)),
    );
    assert.equal(coderCalls(before).length, 2);
  });

  it('escalates with the router after a failed attempt and succeeds on the stronger model', async () => {
    const t = task({ id: 'T5', taskType: 'unit_test', files: ['test/math.test.ts'] });
    const first = routeTask({ task: routerTaskOf(t), fanOut: 0, governorState: 'ok', opusShare: 0 });
    assert.equal(first.family, 'haiku', 'a small one-file test task');
    sim.injectFault({ kind: 'invalid_edit', count: 2 });
    await assert.rejects(runCoder(t, { client, model: first.model, workspace, planId: 'plan-b' }), (e: unknown) => e instanceof HeliosError && e.reason === 'model_output_invalid');
    const retry = routeTask({ task: routerTaskOf(t), fanOut: 0, governorState: 'ok', opusShare: 0, attempt: 1, previousFamily: first.family });
    assert.equal(retry.model, 'claude-sonnet-5-5');
    const result = await runCoder(t, { client, model: retry.model, workspace, planId: 'plan-b' });
    assert.equal(result.model, 'claude-sonnet-5-5');
    assert.match(result.change.files[0]!.proposedContent, /describe\("Add a subtraction helper"/);
    assert.equal(syntaxErrors('test/math.test.ts', result.change.files[0]!.proposedContent), 0);
  });

  it('writes longer output for larger estimates', async () => {
    const small = await runCoder(task({ id: 'T6', files: ['src/s.ts'], estimatedTokens: 300 }), { client, model: 'claude-sonnet-5-5', workspace, planId: 'plan-a' });
    const large = await runCoder(task({ id: 'T6', files: ['src/s.ts'], estimatedTokens: 5_000 }), { client, model: 'claude-sonnet-5-5', workspace, planId: 'plan-a' });
    assert.ok(large.usage.outputTokens > 5 * small.usage.outputTokens, `${small.usage.outputTokens} → ${large.usage.outputTokens}`);
    assert.ok(large.usage.outputTokens > 2_500 && large.usage.outputTokens < 4_500);
  });
});
