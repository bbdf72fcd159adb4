import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import { TaskGraphSchema, taskGraphJsonSchema } from '../../src/core/plan/taskGraphSchema';
import { findCycle, validateTaskGraph } from '../../src/core/plan/validateTaskGraph';
import { ClaudeSimulator } from '../../src/simulator/simulator';
import type { TaskGraph } from '../../src/shared/taskGraph';

/** Structured output: the generic JSON-Schema brain and the Architect's TaskGraph brain. */

let sim: ClaudeSimulator;
let client: Anthropic;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 1000 });
  client = new Anthropic({ apiKey: 'sim-test', baseURL: sim.url, maxRetries: 0 });
});
after(() => sim.stop());

const fixture = (name: string): string => readFileSync(path.join(__dirname, '..', 'fixtures', 'prds', name), 'utf8');

function prdMessage(text: string): string {
  return `Decompose this PRD into a task graph.\n\n<prd path="docs/PRD.md">\n${text}\n</prd>`;
}

async function plan(prd: string, model = 'claude-opus-5-5'): Promise<TaskGraph> {
  const message = await client.messages.parse({
    model,
    max_tokens: 16_000,
    system: 'You are the Architect.',
    messages: [{ role: 'user', content: prdMessage(prd) }],
    output_config: { format: zodOutputFormat(TaskGraphSchema) },
  });
  assert.ok(message.parsed_output, 'parsed_output must be present');
  return message.parsed_output;
}

function headings(prd: string): string[] {
  return [...prd.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
}

describe('simulator: generic structured output', () => {
  const schemas = {
    flat: z.object({ name: z.string().min(3).max(10), count: z.number().int().min(2).max(9), ratio: z.number().gt(0).lt(1), ok: z.boolean() }),
    nested: z.object({
      kind: z.enum(['alpha', 'beta']),
      tags: z.array(z.string()).min(1),
      owner: z.object({ email: z.email(), since: z.iso.datetime() }),
      note: z.string().optional(),
      maybe: z.string().nullable(),
    }),
    union: z.object({ value: z.union([z.object({ a: z.literal('x') }), z.number()]) }),
  };
  const address = z.object({ street: z.string().min(1), zip: z.string().min(5) });
  const reused = z.object({ home: address, work: address });

  for (const [name, schema] of Object.entries({ ...schemas, reused })) {
    it(`answers schema-valid JSON for a ${name} schema, streaming or not`, async () => {
      const params = { model: 'claude-sonnet-5-5', max_tokens: 2000, messages: [{ role: 'user' as const, content: 'Fill the form.' }], output_config: { format: zodOutputFormat(schema as z.ZodType) } };
      const parsed = await client.messages.parse(params);
      assert.ok(parsed.parsed_output !== null && parsed.parsed_output !== undefined);
      assert.equal(parsed.content.length, 1);
      assert.equal(parsed.stop_reason, 'end_turn');
      const streamed = await client.messages.stream(params).finalMessage();
      assert.deepEqual(streamed.parsed_output, parsed.parsed_output);
    });
  }

  it('handles $ref/$defs and anyOf in a hand-written schema', async () => {
    const schema = {
      type: 'object',
      properties: { item: { $ref: '#/$defs/Item' }, choice: { anyOf: [{ type: 'string', enum: ['first', 'second'] }, { type: 'integer' }] } },
      required: ['item', 'choice'],
      $defs: { Item: { type: 'object', properties: { id: { type: 'integer', minimum: 7 }, label: { type: 'string', minLength: 12 } }, required: ['id', 'label'] } },
    };
    const message = await client.messages.create({ model: 'claude-haiku-5-5', max_tokens: 500, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema } } });
    const block = message.content[0];
    assert.ok(block?.type === 'text');
    const value = JSON.parse(block.text) as { item: { id: number; label: string }; choice: string };
    assert.equal(value.item.id, 7);
    assert.ok(value.item.label.length >= 12);
    assert.equal(value.choice, 'first');
  });
});

describe('simulator: Architect brain', () => {
  it('plans an English PRD: one task per ## section, acyclic, sensible types', async () => {
    const prd = fixture('sim-english.md');
    const graph = await plan(prd);
    assert.deepEqual(graph.tasks.map((t) => t.title), headings(prd));
    assert.deepEqual(validateTaskGraph(graph), []);
    const byTitle = new Map(graph.tasks.map((t) => [t.title, t]));
    assert.equal(byTitle.get('Project setup and configuration')?.taskType, 'boilerplate_generation');
    assert.deepEqual(byTitle.get('Project setup and configuration')?.dependsOn, []);
    assert.equal(byTitle.get('Project setup and configuration')?.priority, 1);
    // T1 creates what it names, then the shared files: its entry module (the first source file it names), types, README.
    assert.deepEqual(byTitle.get('Project setup and configuration')?.files, ['package.json', 'tsconfig.json', 'src/server.ts', 'src/types.ts', 'README.md']);
    // Features register in the entry module; documentation edits the README; all after T1.
    assert.deepEqual(byTitle.get('Book catalogue')?.files, ['src/db/books.ts', 'src/server.ts']);
    assert.deepEqual(byTitle.get('Documentation')?.files, ['docs/documentation.md', 'README.md']);
    assert.equal(byTitle.get('Unit tests')?.taskType, 'unit_test');
    assert.equal(byTitle.get('Integration tests')?.taskType, 'integration_test');
    assert.equal(byTitle.get('Code review')?.taskType, 'code_review');
    assert.equal(byTitle.get('Documentation')?.taskType, 'documentation');
    assert.equal(byTitle.get('Book catalogue')?.taskType, 'code_generation');
    // "Reading sessions" mentions "Book catalogue": it waits for it.
    assert.deepEqual(byTitle.get('Reading sessions')?.dependsOn, ['T1', 'T2']);
    // Tests follow the nearest earlier implementation task (Statistics dashboard, T4).
    assert.deepEqual(byTitle.get('Unit tests')?.dependsOn, ['T4']);
    assert.deepEqual(byTitle.get('Integration tests')?.dependsOn, ['T4']);
    assert.deepEqual(byTitle.get('Unit tests')?.files, ['test/unit-tests.test.ts']);
  });

  it('plans a Korean PRD with Korean keywords and ASCII file names', async () => {
    const prd = fixture('sim-korean.md');
    const graph = await plan(prd, 'claude-fable-5-1');
    assert.deepEqual(graph.tasks.map((t) => t.title), headings(prd));
    assert.deepEqual(validateTaskGraph(graph), []);
    assert.deepEqual(graph.tasks.map((t) => t.taskType), [
      'boilerplate_generation',
      'architectural_reasoning',
      'code_generation',
      'code_generation',
      'unit_test',
      'integration_test',
      'documentation',
    ]);
    assert.deepEqual(graph.tasks[0]?.files, ['src/app.ts', 'package.json', 'src/types.ts', 'README.md']);
    assert.deepEqual(graph.tasks[2]?.files, ['src/task-3.ts', 'src/app.ts']);
    assert.deepEqual(graph.tasks[3]?.dependsOn, ['T1', 'T3'], '월별 보고서 mentions 거래 내역 기록');
    for (const t of graph.tasks) assert.ok(t.files.every((f) => /^[\x20-\x7e]+$/.test(f)));
  });

  it('copes with a 30 KB PRD of 120 sections, in a stream', async () => {
    const sections = Array.from({ length: 120 }, (_, i) =>
      `## Feature ${i + 1}: ${i % 10 === 9 ? 'tests for the previous features' : `widget number ${i + 1}`}\n\n${'The widget shows data and handles input. '.repeat(5)}\n`,
    );
    const prd = `# Big product\n\n${sections.join('\n')}`;
    assert.ok(prd.length > 25_000);
    const message = await client.messages
      .stream({ model: 'claude-sonnet-5-5', max_tokens: 64_000, messages: [{ role: 'user', content: prdMessage(prd) }], output_config: { format: zodOutputFormat(TaskGraphSchema) } })
      .finalMessage();
    const graph = message.parsed_output;
    assert.ok(graph);
    assert.equal(graph.tasks.length, 120);
    assert.deepEqual(validateTaskGraph(graph), []);
    assert.equal(graph.tasks[9]?.taskType, 'unit_test');
    assert.deepEqual(graph.tasks[9]?.dependsOn, ['T9']);
  });

  it('accepts the plain JSON Schema the Architect sends and answers a repair request validly', async () => {
    const prd = fixture('sim-english.md');
    const format = { type: 'json_schema' as const, schema: taskGraphJsonSchema() };
    sim.injectFault({ kind: 'invalid_plan' });
    const first = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 16_000, messages: [{ role: 'user', content: prdMessage(prd) }], output_config: { format } });
    const firstText = first.content.find((b) => b.type === 'text');
    assert.ok(firstText?.type === 'text');
    const bad = TaskGraphSchema.parse(JSON.parse(firstText.text));
    assert.ok(findCycle(bad), 'invalid_plan answers a schema-valid graph with a cycle');
    assert.ok(bad.tasks[0]?.dependsOn.includes(`T${bad.tasks.length}`));

    const repair = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 16_000,
      messages: [
        { role: 'user', content: prdMessage(prd) },
        { role: 'assistant', content: firstText.text },
        { role: 'user', content: 'Your plan breaks these rules:\n<validation-errors>\n- cycle: T1 → T8 → T1\n</validation-errors>\nReturn the complete corrected plan.' },
      ],
      output_config: { format },
    });
    const repaired = repair.content.find((b) => b.type === 'text');
    assert.ok(repaired?.type === 'text');
    const graph = TaskGraphSchema.parse(JSON.parse(repaired.text));
    assert.deepEqual(validateTaskGraph(graph), []);
    assert.equal(graph.tasks.length, headings(prd).length);
  });

  it('plans through a forced tool whose input schema is the TaskGraph', async () => {
    const message = await client.messages.create({
      model: 'claude-haiku-5-5',
      max_tokens: 16_000,
      messages: [{ role: 'user', content: prdMessage(fixture('sim-english.md')) }],
      tools: [{ name: 'submit_plan', input_schema: taskGraphJsonSchema() as Anthropic.Tool.InputSchema }],
      tool_choice: { type: 'tool', name: 'submit_plan' },
    });
    const use = message.content.find((b) => b.type === 'tool_use');
    assert.ok(use?.type === 'tool_use');
    assert.deepEqual(validateTaskGraph(TaskGraphSchema.parse(use.input)), []);
  });

  it('reports a truncated plan as max_tokens', async () => {
    const message = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 50, messages: [{ role: 'user', content: prdMessage(fixture('sim-english.md')) }], output_config: { format: { type: 'json_schema', schema: taskGraphJsonSchema() } } });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 50);
  });
});
