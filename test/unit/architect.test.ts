import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decomposePrd } from '../../src/core/agents/architect';
import { readPrd } from '../../src/core/agents/prdInput';
import { HeliosError } from '../../src/core/errors/heliosError';
import { rejection } from '../support/rejection';
import { ScriptedLlmClient } from '../support/scriptedLlmClient';

const prd = readPrd('PRD.md', new TextEncoder().encode('# App\n\n## Setup\nDo it.\n\n## API\nBuild it.\n'));
const t = (id: string, dependsOn: string[] = []) => ({
  id, title: `Task ${id}`, description: 'd', taskType: 'code_generation', dependsOn, files: [`src/${id}.ts`], priority: 2, estimatedTokens: 500,
});
const json = (tasks: unknown[]) => JSON.stringify({ tasks });


describe('decomposePrd', () => {
  it('returns the validated graph, the answering model and summed usage', async () => {
    const client = new ScriptedLlmClient([{ text: json([t('T1'), t('T2', ['T1'])]) }]);
    const result = await decomposePrd(prd, { client, model: 'claude-opus-5-5' });
    assert.deepEqual(result.graph.tasks.map((x) => x.id), ['T1', 'T2']);
    assert.equal(result.repairs, 0);
    assert.equal(result.model, 'claude-opus-5-5');
    assert.equal(result.usage.inputTokens, 100);
    // The request carried the schema and the PRD, and the system prompt is a cache breakpoint.
    const req = client.requests[0]!;
    assert.equal((req.outputSchema as { title?: string }).title, 'TaskGraph');
    assert.match(req.messages[0]!.content[0]!.text, /<prd path="PRD.md">[\s\S]*## API/);
    assert.deepEqual(req.system[0]!.cacheControl, { ttl: '5m' });
  });

  it('repairs a cyclic plan once, telling the model the cycle', async () => {
    const client = new ScriptedLlmClient([
      { text: json([t('T1', ['T2']), t('T2', ['T1'])]) },
      { text: json([t('T1'), t('T2', ['T1'])]) },
    ]);
    const result = await decomposePrd(prd, { client, model: 'claude-opus-5-5' });
    assert.equal(result.repairs, 1);
    assert.equal(result.calls.length, 2);
    assert.equal(result.usage.inputTokens, 200, 'usage of both calls is counted');
    const repair = client.requests[1]!.messages;
    assert.equal(repair.length, 3);
    assert.equal(repair[1]!.role, 'assistant');
    assert.match(repair[2]!.content[0]!.text, /<validation-errors>[\s\S]*Dependency cycle: T\d → T\d → T\d/);
  });

  it('repairs output that is not JSON or breaks the schema', async () => {
    const client = new ScriptedLlmClient([
      { text: '{"tasks": [' },
      { text: json([{ ...t('T1'), taskType: 'dance' }]) },
    ]);
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5' }));
    assert.equal(error.reason, 'model_output_invalid');
    assert.match(String(client.requests[1]!.messages[2]!.content[0]!.text), /not valid JSON/);
    assert.match((error.details.problems as string[]).join(' '), /tasks\.0\.taskType/);
  });

  it('gives up with plan_invalid after one failed repair, naming the problems', async () => {
    const bad = json([t('T1', ['T9'])]);
    const client = new ScriptedLlmClient([{ text: bad }, { text: bad }]);
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5' }));
    assert.equal(error.reason, 'plan_invalid');
    assert.match((error.details.problems as string[])[0]!, /depends on "T9"/);
    assert.equal(client.requests.length, 2, 'exactly one repair round trip');
  });

  it('reports truncated output as such', async () => {
    const client = new ScriptedLlmClient([
      { text: '{"tasks":[{"id":"T1"', stopReason: 'max_tokens' },
      { text: '{"tasks":[{"id":"T1","ti', stopReason: 'max_tokens' },
    ]);
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5', maxOutputTokens: 2000 }));
    assert.equal(error.reason, 'model_output_truncated');
    assert.equal(error.details.maxTokens, 2000);
  });

  it('refuses a PRD over the context window before spending anything', async () => {
    const client = new ScriptedLlmClient([], 2_000_000);
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5' }));
    assert.equal(error.reason, 'prd_too_large');
    assert.equal(error.details.tokens, 2_000_000);
    assert.equal(error.details.limit, 1_000_000 - 32_000);
    assert.equal(client.requests.length, 0, 'no billed call was made');
  });

  it('does not call the model once cancelled', async () => {
    const client = new ScriptedLlmClient([{ text: json([t('T1')]) }]);
    const abort = new AbortController();
    abort.abort();
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5', signal: abort.signal }));
    assert.equal(error.reason, 'cancelled');
    assert.equal(client.requests.length, 0);
  });

  it('reports refusals without a repair', async () => {
    const client = new ScriptedLlmClient([{ text: '', stopReason: 'refusal' }]);
    const error = await rejection(decomposePrd(prd, { client, model: 'claude-opus-5-5' }));
    assert.equal(error.reason, 'model_refused');
    assert.equal(client.requests.length, 1);
  });
});

describe('readPrd', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('reads UTF-8 text (Korean included) and drops a BOM', () => {
    const doc = readPrd('기획.md', new Uint8Array([0xef, 0xbb, 0xbf, ...enc('# 요구사항\n')]));
    assert.equal(doc.text, '# 요구사항\n');
    assert.equal(doc.sha256.length, 64);
  });
  it('rejects empty, binary and invalid UTF-8 files with their own reasons', () => {
    assert.throws(() => readPrd('a.md', enc(' \n\t\n')), (e: unknown) => e instanceof HeliosError && e.reason === 'prd_empty');
    assert.throws(() => readPrd('a.md', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01])), (e: unknown) => e instanceof HeliosError && e.reason === 'prd_not_text');
    assert.throws(() => readPrd('a.md', new Uint8Array([0xff, 0xfe, 0x41])), (e: unknown) => e instanceof HeliosError && e.reason === 'prd_not_text');
  });
});

describe('decomposePrd with existing code', () => {
  it('shows the Architect a repo map of the workspace before the PRD', async () => {
    const client = new ScriptedLlmClient([{ text: json([t('T1')]) }]);
    await decomposePrd(prd, { client, model: 'claude-opus-5-5', repoMap: 'src/api.ts\n  export function listTodos(): Todo[]' });
    const text = client.requests[0]!.messages[0]!.content[0]!.text;
    assert.match(text, /<repo-map>\nsrc\/api\.ts\n {2}export function listTodos\(\): Todo\[\]\n<\/repo-map>[\s\S]*<prd path="PRD.md">/);
    const empty = new ScriptedLlmClient([{ text: json([t('T1')]) }]);
    await decomposePrd(prd, { client: empty, model: 'claude-opus-5-5', repoMap: '  ' });
    assert.doesNotMatch(empty.requests[0]!.messages[0]!.content[0]!.text, /repo-map/);
  });
});
