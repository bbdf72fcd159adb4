import type { JsonObject } from '../wire';

/**
 * The Coder brain (schema title `CoderEdits`): deterministic, valid edits for the task in the
 * prompt. Declared files that don't exist are created with a small implementation naming the task;
 * existing files whose content is shown get an `edit` that appends an exported function, its
 * search text copied from the shown content (the shortest unique suffix). Output size grows with
 * the task's `estimated-tokens`, so latency tracks the model's speed. The `invalid_edit` fault
 * makes the first hunk search for text that is not in the file (or edit a file that doesn't exist).
 */

export interface CoderTaskView {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly estimatedTokens: number;
  readonly files: readonly { readonly path: string; readonly exists: boolean }[];
  /** Exact content of the files shown in the prompt. */
  readonly shown: ReadonlyMap<string, string>;
}

const TASK_TAG = /<task id="([^"]*)" type="([^"]*)" estimated-tokens="(\d+)">/;
const FILE_BLOCK = /<file path="([^"]*)"(?: truncated="true")?>\n([\s\S]*?)\n<\/file>/g;
const CONTEXT_BLOCK = /^### (\S[^\n]*)\n```[a-z]*\n([\s\S]*?)\n```$/gm;
export const MISSING_ANCHOR = '/* helios-sim: this text is not in the file */';
/** Roughly 12 tokens per generated statement (the simulator's tokenizer: ASCII ÷ 4). */
const TOKENS_PER_LINE = 12;

function unescapeAttr(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** The task of the newest user message that carries one (a repair turn repeats none). */
export function parseCoderTask(userTextsNewestFirst: readonly string[]): CoderTaskView | undefined {
  const text = userTextsNewestFirst.find((t) => TASK_TAG.test(t));
  if (text === undefined) return undefined;
  const tag = TASK_TAG.exec(text)!;
  const title = /<title>([\s\S]*?)<\/title>/.exec(text)?.[1]?.trim() ?? 'Task';
  const list = /<files>\n([\s\S]*?)\n<\/files>/.exec(text)?.[1] ?? '';
  const files = [...list.matchAll(/^- (.+) \(([^()]*(?:\([^()]*\))?[^()]*)\)$/gm)].map((m) => ({ path: m[1]!, exists: !m[2]!.startsWith('does not exist') }));
  const shown = new Map<string, string>();
  for (const m of text.matchAll(FILE_BLOCK)) shown.set(unescapeAttr(m[1]!), m[2]!);
  const context = /<context>\n([\s\S]*)\n<\/context>/.exec(text)?.[1];
  if (context) for (const m of context.matchAll(CONTEXT_BLOCK)) if (!shown.has(m[1]!)) shown.set(m[1]!, m[2]!);
  return { id: unescapeAttr(tag[1]!), type: tag[2]!, title, estimatedTokens: Number(tag[3]), files, shown };
}

function identifier(title: string, id: string): string {
  const words = title.replace(/[^A-Za-z0-9 ]+/g, ' ').trim().split(/\s+/).filter(Boolean).slice(0, 5);
  const camel = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
  const safeId = id.replace(/[^A-Za-z0-9]/g, '');
  return /^[A-Za-z]/.test(camel) ? `${camel}${safeId}` : `task${safeId}`;
}

function commentSafe(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ');
}

function steps(count: number, fn: (i: number) => string): string[] {
  return Array.from({ length: count }, (_, i) => fn(i + 1));
}

function tsModule(task: CoderTaskView, lines: number): string {
  const name = identifier(task.title, task.id);
  const label = JSON.stringify(task.title);
  return [
    '/**',
    ` * ${commentSafe(task.title)}`,
    ` * Implements task ${commentSafe(task.id)} (${task.type}).`,
    ' */',
    `export interface ${name[0]!.toUpperCase()}${name.slice(1)}Options {`,
    '  readonly prefix?: string;',
    '}',
    '',
    `export function ${name}(items: readonly string[], options: ${name[0]!.toUpperCase()}${name.slice(1)}Options = {}): string[] {`,
    `  const prefix = options.prefix ?? ${label};`,
    '  const out: string[] = [];',
    ...steps(lines, (i) => `  out.push(\`\${prefix} step ${i}: \${items.length} item(s)\`);`),
    '  return out;',
    '}',
    '',
  ].join('\n');
}

function testModule(task: CoderTaskView, lines: number): string {
  return [
    "import assert from 'node:assert/strict';",
    "import { describe, it } from 'node:test';",
    '',
    `describe(${JSON.stringify(task.title)}, () => {`,
    ...steps(lines, (i) => `  it('case ${i}', () => assert.equal(${i} + 1, ${i + 1}));`),
    '});',
    '',
  ].join('\n');
}

function markdown(task: CoderTaskView, lines: number): string {
  return [`# ${task.title}`, '', ...steps(lines, (i) => `- Step ${i} of task ${task.id}: describe what the code does and why.`), ''].join('\n');
}

function newFileContent(path: string, task: CoderTaskView, lines: number): string {
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(path)) return testModule(task, lines);
  if (/\.[cm]?[jt]sx?$/.test(path)) return tsModule(task, lines);
  if (/\.json$/.test(path)) return `${JSON.stringify({ name: task.id, description: task.title, steps: lines }, null, 2)}\n`;
  return markdown(task, lines);
}

function appendix(path: string, task: CoderTaskView, lines: number): string {
  if (/\.[cm]?[jt]sx?$/.test(path) && !/\.json$/.test(path)) {
    const name = `${identifier(task.title, task.id)}Extra`;
    return [
      '',
      `/** ${commentSafe(task.title)} (task ${commentSafe(task.id)}). */`,
      `export function ${name}(): string[] {`,
      `  const label = ${JSON.stringify(task.title)};`,
      '  return [',
      ...steps(lines, (i) => `    \`\${label} part ${i}\`,`),
      '  ];',
      '}',
      '',
    ].join('\n');
  }
  return ['', `## ${task.title}`, '', ...steps(lines, (i) => `- Update ${i} for task ${task.id}.`), ''].join('\n');
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0 && n < 2; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

/** The shortest run of trailing lines that occurs exactly once in the content (non-blank). */
export function uniqueSuffix(content: string): string {
  const lines = content.split('\n');
  for (let k = 1; k <= lines.length; k++) {
    const candidate = lines.slice(-k).join('\n');
    if (candidate.trim().length > 0 && occurrences(content, candidate) === 1) return candidate;
  }
  return content;
}

type Edit = { path: string; action: 'create' | 'replace' | 'edit'; content?: string; hunks?: { search: string; replace: string }[] };

export function coderEdits(task: CoderTaskView, options: { readonly invalidEdit?: boolean } = {}): JsonObject {
  const targets = task.files.filter((f) => !f.exists || task.shown.has(f.path));
  if (targets.length === 0) targets.push({ path: `src/helios/${task.id.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'task'}.ts`, exists: false });
  const totalTokens = Math.min(4_000, Math.max(120, Math.round(task.estimatedTokens * 0.6)));
  const lines = Math.max(2, Math.round(totalTokens / TOKENS_PER_LINE / targets.length));
  const files: Edit[] = targets.map((f) => {
    const shown = task.shown.get(f.path);
    if (!f.exists || shown === undefined) return { path: f.path, action: 'create', content: newFileContent(f.path, task, lines) };
    if (shown.trim().length === 0) return { path: f.path, action: 'replace', content: newFileContent(f.path, task, lines) };
    const search = uniqueSuffix(shown);
    const glue = search.endsWith('\n') ? '' : '\n';
    return { path: f.path, action: 'edit', hunks: [{ search, replace: `${search}${glue}${appendix(f.path, task, lines)}` }] };
  });
  if (options.invalidEdit) {
    const first = files[0]!;
    files[0] = { path: first.path, action: 'edit', hunks: [{ search: MISSING_ANCHOR, replace: '' }] };
  }
  const summary = `Implements ${task.id} "${task.title}" in ${files.map((f) => f.path).join(', ')}.`;
  return { summary, files };
}
