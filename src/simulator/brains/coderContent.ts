/**
 * What the Coder brain writes: new files and the blocks it inserts into existing ones. New files
 * have several top-level blocks (code) or sections (markdown), so the tasks that later edit them
 * find several insertion points; `lines` (from the task's estimate) sets their size. Inserted
 * blocks name the task in every line, so a line diff never aligns them with their neighbours.
 */

export interface ContentTask {
  readonly id: string;
  readonly type: string;
  readonly title: string;
}

export const CODE_FILE = /\.[cm]?[jt]sx?$/;
export const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
export const MARKDOWN_FILE = /\.(md|mdx|markdown)$/i;
/** Shared type declarations (TypeScript only: interfaces are not JavaScript). */
export const TYPES_FILE = /(^|\/)types\.[cm]?tsx?$/;

export function identifier(title: string, id: string): string {
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

/** `total` split into `parts` shares of at least one, in order. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.max(1, Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts)));
}

function tsModule(task: ContentTask, lines: number): string {
  const name = identifier(task.title, task.id);
  const type = `${name[0]!.toUpperCase()}${name.slice(1)}Options`;
  // One-line exports after the main function: cheap top-level blocks for later tasks to insert between.
  const parts = Array.from({ length: Math.min(16, Math.max(8, Math.ceil(lines / 4))) }, (_, k) =>
    ['', `export const ${name}Part${k + 2} = ${JSON.stringify(`${task.title}: part ${k + 2} of ${task.id}`)};`]);
  return [
    '/**',
    ` * ${commentSafe(task.title)}`,
    ` * Implements task ${commentSafe(task.id)} (${task.type}).`,
    ' */',
    `export interface ${type} {`,
    '  readonly prefix?: string;',
    '}',
    '',
    `export function ${name}(items: readonly string[], options: ${type} = {}): string[] {`,
    `  const prefix = options.prefix ?? ${JSON.stringify(task.title)};`,
    '  const out: string[] = [];',
    ...steps(lines, (i) => `  out.push(\`\${prefix} step ${i}: \${items.length} item(s)\`);`),
    '  return out;',
    '}',
    ...parts.flat(),
    '',
  ].join('\n');
}

function typeName(task: ContentTask): string {
  const name = identifier(task.title, task.id);
  return `${name[0]!.toUpperCase()}${name.slice(1)}`;
}

function recordType(name: string, fields: number): string[] {
  return [`export interface ${name} {`, '  readonly id: string;', ...steps(fields, (i) => `  readonly ${name[0]!.toLowerCase()}${name.slice(1)}Field${i}: number;`), '}'];
}

function typesModule(task: ContentTask, lines: number): string {
  const name = typeName(task);
  const blocks = shares(lines, Math.min(16, Math.max(8, Math.ceil(lines / 3)))).map((fields, k) => recordType(`${name}Record${k + 1}`, fields));
  return [`/** Shared record types (task ${commentSafe(task.id)}). */`, '', ...blocks.flatMap((b, k) => (k === 0 ? b : ['', ...b])), ''].join('\n');
}

function testModule(task: ContentTask, lines: number): string {
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

const SECTIONS = ['Overview', 'Usage', 'Configuration', 'Design', 'Operations', 'Notes'];

function markdown(task: ContentTask, lines: number): string {
  const sections = shares(lines, Math.min(SECTIONS.length, Math.max(2, Math.ceil(lines / 4))));
  let step = 0;
  return [
    `# ${task.title}`,
    '',
    `What task ${task.id} provides, and how to use it.`,
    ...sections.flatMap((count, k) => ['', `## ${SECTIONS[k]!}`, '', ...steps(count, () => `- Step ${++step} of task ${task.id}: describe what the code does and why.`)]),
    '',
  ].join('\n');
}

function packageJson(task: ContentTask): string {
  const name = `sim-${task.id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'app'}`;
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    description: task.title,
    type: 'module',
    scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/index.js', test: 'node --test', lint: 'eslint src', format: 'prettier --check .' },
    dependencies: { pino: '^9.5.0', undici: '^7.0.0', zod: '^4.1.0' },
    devDependencies: { '@types/node': '^20.0.0', typescript: '^5.9.0' },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function newFileContent(path: string, task: ContentTask, lines: number): string {
  if (TEST_FILE.test(path)) return testModule(task, lines);
  if (TYPES_FILE.test(path)) return typesModule(task, lines);
  if (CODE_FILE.test(path)) return tsModule(task, lines);
  if (/(^|\/)package\.json$/.test(path)) return packageJson(task);
  if (/\.json$/.test(path)) return `${JSON.stringify({ name: task.id, description: task.title, steps: lines }, null, 2)}\n`;
  return markdown(task, lines);
}

/** The block a task inserts into an existing file (no surrounding blank lines). */
export function insertedBlock(path: string, task: ContentTask, lines: number): string[] {
  if (TEST_FILE.test(path)) {
    return [
      `describe(${JSON.stringify(`${task.title} (${task.id})`)}, () => {`,
      ...steps(lines, (i) => `  it(${JSON.stringify(`${task.id} case ${i}`)}, () => assert.equal(${i} * 2, ${i * 2}));`),
      '});',
    ];
  }
  if (TYPES_FILE.test(path)) return recordType(`${typeName(task)}Record`, lines);
  if (CODE_FILE.test(path)) {
    const name = `${identifier(task.title, task.id)}Extra`;
    return [
      `/** ${commentSafe(task.title)} (task ${commentSafe(task.id)}). */`,
      `export function ${name}(): string[] {`,
      `  const label = ${JSON.stringify(task.title)};`,
      '  return [',
      ...steps(lines, (i) => `    \`\${label} part ${i} of ${name}\`,`),
      '  ];',
      '}',
    ];
  }
  return [`## ${task.title}`, '', ...steps(lines, (i) => `- Update ${i} for task ${task.id}.`)];
}

/** The same block for an append at the end of the file: it opens with its separating blank line. */
export function appendedBlock(path: string, task: ContentTask, lines: number): string {
  return ['', ...insertedBlock(path, task, lines), ''].join('\n');
}
