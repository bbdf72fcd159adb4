import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCoderMaxTokens, runCoder, shouldEscalate, type CoderPhase, type CoderWorkspace } from '../../src/core/agents/coder';
import { CODER_SYSTEM } from '../../src/core/agents/coderPrompt';
import { HeliosError } from '../../src/core/errors/heliosError';
import type { Task } from '../../src/shared/taskGraph';
import { rejection } from '../support/rejection';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

const EXISTING = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';

class MemoryWorkspace implements CoderWorkspace {
  readonly reads: string[] = [];
  constructor(private readonly files: Record<string, string>) {}
  async read(path: string): Promise<string | undefined> {
    this.reads.push(path);
    return this.files[path];
  }
}

const task: Task = {
  id: 'T2', title: 'Add subtraction', description: 'Add a sub function next to add, and a new module.', taskType: 'code_generation',
  dependsOn: ['T1'], files: ['src/math.ts', 'src/sub.ts'], priority: 2, estimatedTokens: 800,
};
const edits = (files: unknown[], summary = 'Adds sub.') => JSON.stringify({ summary, files });
const good = edits([
  { path: 'src/math.ts', action: 'edit', hunks: [{ search: '  return a + b;\n}\n', replace: '  return a + b;\n}\n\nexport const zero = 0;\n' }] },
  { path: 'src/sub.ts', action: 'create', content: 'export const sub = (a: number, b: number) => a - b;\n' },
]);
const now = () => new Date('2026-11-24T10:00:00.000Z');


describe('runCoder', () => {
  it('returns a validated proposed change, tagged requests and summed usage', async () => {
    const client = new ScriptedLlmClient([{ text: good }]);
    const workspace = new MemoryWorkspace({ 'src/math.ts': EXISTING });
    const phases: CoderPhase[] = [];
    const result = await runCoder(task, { client, model: 'claude-sonnet-5-5', workspace, planId: 'plan-1', now, onPhase: (p) => phases.push(p) });
    assert.deepEqual(phases, ['reading', 'coding']);
    assert.equal(result.repairs, 0);
    assert.equal(result.model, 'claude-sonnet-5-5');
    assert.equal(result.usage.inputTokens, 100);
    const { change } = result;
    assert.deepEqual({ ...change, files: undefined }, {
      version: 1, planId: 'plan-1', taskId: 'T2', state: 'proposed', createdAt: '2026-11-24T10:00:00.000Z', model: 'claude-sonnet-5-5', summary: 'Adds sub.', files: undefined,
    });
    assert.deepEqual(change.files.map((f) => [f.path, f.action, f.baseSha256 === null]), [['src/math.ts', 'edit', false], ['src/sub.ts', 'create', true]]);
    assert.equal(change.files[0]!.proposedContent, `${EXISTING}\nexport const zero = 0;\n`);

    const req = client.requests[0]!;
    assert.deepEqual(req.tags, { agent: 'coder', planId: 'plan-1', taskId: 'T2' });
    assert.equal((req.outputSchema as { title?: string }).title, 'CoderEdits');
    assert.equal(req.system[0]!.text, CODER_SYSTEM);
    assert.deepEqual(req.system[0]!.cacheControl, { ttl: '5m' }, 'the stable system prompt is a cache breakpoint');
    assert.equal(req.maxTokens, defaultCoderMaxTokens(task, 'claude-sonnet-5-5'));
    const text = req.messages[0]!.content[0]!.text;
    assert.match(text, /<task id="T2" type="code_generation" estimated-tokens="800">/);
    assert.match(text, /- src\/math\.ts \(exists, shown below\)\n- src\/sub\.ts \(does not exist yet\)/);
    assert.ok(text.includes(`<file path="src/math.ts">\n${EXISTING}\n</file>`), 'existing files are shown exactly');
    assert.deepEqual(workspace.reads, ['src/math.ts', 'src/sub.ts'], 'each file read once');
  });

  it('repairs an edit whose search text is missing, listing the failing hunk', async () => {
    const bad = edits([{ path: 'src/math.ts', action: 'edit', hunks: [{ search: 'return a - b;', replace: 'x' }] }]);
    const client = new ScriptedLlmClient([{ text: bad }, { text: good }]);
    const phases: CoderPhase[] = [];
    const result = await runCoder(task, { client, model: 'claude-sonnet-5-5', workspace: new MemoryWorkspace({ 'src/math.ts': EXISTING }), planId: 'p', onPhase: (p) => phases.push(p) });
    assert.equal(result.repairs, 1);
    assert.equal(result.calls.length, 2);
    assert.equal(result.usage.inputTokens, 200, 'both calls are counted');
    assert.deepEqual(phases, ['reading', 'coding', 'repairing']);
    const repair = client.requests[1]!.messages;
    assert.equal(repair.length, 3);
    assert.equal(repair[1]!.role, 'assistant');
    assert.equal(repair[1]!.content[0]!.text, bad);
    assert.match(repair[2]!.content[0]!.text, /<validation-errors>\n- src\/math\.ts, hunk 1: the search text was not found/);
    assert.deepEqual(client.requests[1]!.tags, { agent: 'coder', planId: 'p', taskId: 'T2' });
  });

  it('fails with model_output_invalid after one failed repair, with the problems in the details', async () => {
    const bad = edits([{ path: 'src/math.ts', action: 'create', content: 'x' }, { path: '../../etc/passwd', action: 'replace', content: 'x' }]);
    const client = new ScriptedLlmClient([{ text: bad }, { text: bad }]);
    const workspace = new MemoryWorkspace({ 'src/math.ts': EXISTING });
    const error = await rejection(runCoder(task, { client, model: 'claude-haiku-5-5', workspace, planId: 'p' }));
    assert.equal(error.reason, 'model_output_invalid');
    assert.equal(error.details.kind, 'edits');
    assert.equal(error.details.taskId, 'T2');
    const problems = error.details.problems as string[];
    assert.match(problems[0]!, /src\/math\.ts already exists/);
    assert.match(problems[1]!, /contains "\.\."/);
    assert.equal(client.requests.length, 2, 'exactly one repair round trip');
    assert.ok(shouldEscalate(error));
    assert.ok(!shouldEscalate(new HeliosError('cancelled', 'x')));
    assert.ok(!workspace.reads.some((p) => p.includes('..')), 'an unsafe path is never read');
  });

  it('reads files the model names beyond the task, so a create of an existing file is caught', async () => {
    const extra = edits([{ path: 'src/other.ts', action: 'create', content: 'x' }]);
    const client = new ScriptedLlmClient([{ text: extra }, { text: edits([{ path: 'src/other.ts', action: 'edit', hunks: [{ search: 'old', replace: 'new' }] }]) }]);
    const workspace = new MemoryWorkspace({ 'src/math.ts': EXISTING, 'src/other.ts': 'old\n' });
    const result = await runCoder(task, { client, model: 'claude-sonnet-5-5', workspace, planId: 'p' });
    assert.equal(result.repairs, 1);
    assert.equal(result.change.files[0]!.proposedContent, 'new\n');
    assert.equal(workspace.reads.filter((p) => p === 'src/other.ts').length, 1);
  });

  it('repairs JSON and schema errors; reports truncation as such', async () => {
    const client = new ScriptedLlmClient([{ text: '{"summary": "x", "fil' }, { text: JSON.stringify({ summary: 'x', files: [{ path: 'a.ts', action: 'move' }] }) }]);
    const error = await rejection(runCoder(task, { client, model: 'claude-sonnet-5-5', workspace: new MemoryWorkspace({}), planId: 'p' }));
    assert.equal(error.reason, 'model_output_invalid');
    assert.equal(error.details.kind, 'schema');
    assert.match(client.requests[1]!.messages[2]!.content[0]!.text, /not valid JSON/);
    assert.match((error.details.problems as string[])[0]!, /files\.0\.action/);

    const cut = new ScriptedLlmClient([{ text: '{"summary":"x","files":[{"path"', stopReason: 'max_tokens' }, { text: '{"sum', stopReason: 'max_tokens' }]);
    const truncated = await rejection(runCoder(task, { client: cut, model: 'claude-sonnet-5-5', workspace: new MemoryWorkspace({}), planId: 'p', maxOutputTokens: 5_000 }));
    assert.equal(truncated.reason, 'model_output_truncated');
    assert.equal(truncated.details.maxTokens, 5_000);
    assert.match(cut.requests[1]!.messages[2]!.content[0]!.text, /cut off/);
    assert.equal(cut.requests[0]!.maxTokens, 5_000);
  });

  it('reports refusals without a repair, and makes no call once cancelled', async () => {
    const refusing = new ScriptedLlmClient([{ text: '', stopReason: 'refusal' }]);
    assert.equal((await rejection(runCoder(task, { client: refusing, model: 'm', workspace: new MemoryWorkspace({}), planId: 'p' }))).reason, 'model_refused');
    assert.equal(refusing.requests.length, 1);

    const client = new ScriptedLlmClient([{ text: good }]);
    const abort = new AbortController();
    abort.abort();
    const error = await rejection(runCoder(task, { client, model: 'm', workspace: new MemoryWorkspace({}), planId: 'p', signal: abort.signal }));
    assert.equal(error.reason, 'cancelled');
    assert.equal(client.requests.length, 0);
  });

  it('uses a prebuilt context instead of its own selection, but still reads the bases', async () => {
    const client = new ScriptedLlmClient([{ text: good }]);
    const workspace = new MemoryWorkspace({ 'src/math.ts': EXISTING });
    await runCoder(task, { client, model: 'claude-sonnet-5-5', workspace, planId: 'p', context: '### src/math.ts\n```ts\nCTX\n```', effort: 'low' });
    const req = client.requests[0]!;
    const text = req.messages[0]!.content[0]!.text;
    assert.match(text, /<context>\n### src\/math\.ts\n```ts\nCTX\n```\n<\/context>/);
    assert.match(text, /src\/math\.ts \(exists, see the context\)/);
    assert.ok(!text.includes('<workspace-files>'));
    assert.equal(req.effort, 'low');
    assert.deepEqual(workspace.reads, ['src/math.ts', 'src/sub.ts']);
  });

  it('bounds its own selection: files are truncated, then omitted, when the budget is spent', async () => {
    const big = 'x'.repeat(100) + '\n';
    const t: Task = { ...task, files: ['a.ts', 'b.ts', 'c.ts', './a.ts', '../up.ts', 'empty.ts'] };
    const client = new ScriptedLlmClient([{ text: edits([{ path: 'd.ts', action: 'create', content: '' }]) }]);
    await runCoder(t, {
      client, model: 'claude-sonnet-5-5', planId: 'p', maxFileChars: 60, maxContextChars: 90,
      workspace: new MemoryWorkspace({ 'a.ts': big, 'b.ts': big, 'c.ts': big, 'empty.ts': '' }),
    });
    const text = client.requests[0]!.messages[0]!.content[0]!.text;
    assert.match(text, /- a\.ts \(exists, shown truncated \(60 of 101 characters\)\)/);
    assert.match(text, /- b\.ts \(exists, shown truncated \(30 of 101 characters\)\)/);
    assert.match(text, /- c\.ts \(exists, not shown \(too large for the context\)\)/);
    assert.match(text, /- empty\.ts \(exists, shown below\)/);
    assert.ok(!text.includes('up.ts'), 'unsafe task paths are neither read nor listed');
    assert.equal(text.match(/- a\.ts/g)?.length, 1, 'duplicates after normalization are listed once');
    assert.match(text, /<file path="a\.ts" truncated="true">\nx{60}\n<\/file>/);
  });

  it('sizes the output budget from the estimate within 4K…32K and the model limit', () => {
    assert.equal(defaultCoderMaxTokens({ ...task, estimatedTokens: 100 }, 'claude-sonnet-5-5'), 4_096);
    assert.equal(defaultCoderMaxTokens({ ...task, estimatedTokens: 5_000 }, 'claude-sonnet-5-5'), 12_048);
    assert.equal(defaultCoderMaxTokens({ ...task, estimatedTokens: 90_000 }, 'claude-sonnet-5-5'), 32_000);
    assert.equal(defaultCoderMaxTokens({ ...task, estimatedTokens: 90_000 }, 'unknown-model'), 32_000);
  });
});
