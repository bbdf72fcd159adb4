import type { JsonObject } from '../wire';
import { appendedBlock, CODE_FILE, insertedBlock, MARKDOWN_FILE, newFileContent } from './coderContent';
import { jsonEdit } from './coderJson';
import { appendBlock, codeBoundaries, insertBlock, markdownBoundaries, pickPoint, wantsSameLines, type Hunk } from './coderPlacement';

export { uniqueSuffix } from './coderPlacement';

/**
 * The Coder brain (schema title `CoderEdits`): deterministic, valid edits for the task in the
 * prompt. Declared files that don't exist are created (code with several top-level blocks, a
 * `package.json` with scripts and dependencies, markdown with sections). Existing files shown in
 * full get an `edit` whose search text is copied from the shown content, so a dependant's search
 * texts come from its ancestors' output; where it inserts is chosen by the task id among the
 * file's boundaries (`coderPlacement.ts`, `coderJson.ts`), so siblings usually merge cleanly —
 * except the seeded same-lines fifth (or `sameLines`, or `[sim:same-lines]` in the description),
 * which append at the end. Files shown truncated or not at all are never edited. Output size grows
 * with the task's `estimated-tokens`, so latency tracks the model's speed. The `invalid_edit`
 * fault makes the first hunk search for text that is not in the file.
 */

export interface CoderTaskView {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly estimatedTokens: number;
  readonly files: readonly { readonly path: string; readonly exists: boolean }[];
  /** Exact content of the files shown in full in the prompt (truncated ones are left out). */
  readonly shown: ReadonlyMap<string, string>;
  readonly description?: string;
}

const TASK_TAG = /<task id="([^"]*)" type="([^"]*)" estimated-tokens="(\d+)">/;
const FILE_BLOCK = /<file path="([^"]*)"( truncated="true")?>\n([\s\S]*?)\n<\/file>/g;
// A fenced block ends where the next section (or the context) starts, so a file with a fence of its own stays whole.
const CONTEXT_BLOCK = /^### (\S[^\n]*)\n```[a-z]*\n([\s\S]*?)\n```(?=\n\n### |(?![\s\S]))/gm;
export const MISSING_ANCHOR = '/* helios-sim: this text is not in the file */';
/** In a task description: edit the same lines as the siblings (append at the end). */
export const SAME_LINES_MARKER = '[sim:same-lines]';
/** Roughly 12 tokens per generated statement (the simulator's tokenizer: ASCII ÷ 4). */
const TOKENS_PER_LINE = 12;
/** A new file gets this many times the lines an edit inserts. */
const NEW_FILE_WEIGHT = 4;

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
  const description = /<description>\n([\s\S]*?)\n<\/description>/.exec(text)?.[1] ?? '';
  const shown = new Map<string, string>();
  const partial = new Set<string>();
  for (const m of text.matchAll(FILE_BLOCK)) {
    if (m[2]) partial.add(unescapeAttr(m[1]!));
    else shown.set(unescapeAttr(m[1]!), m[3]!);
  }
  const context = /<context>\n([\s\S]*)\n<\/context>/.exec(text)?.[1];
  if (context) for (const m of context.matchAll(CONTEXT_BLOCK)) if (!shown.has(m[1]!) && !partial.has(m[1]!)) shown.set(m[1]!, m[2]!);
  return { id: unescapeAttr(tag[1]!), type: tag[2]!, title, estimatedTokens: Number(tag[3]), files, shown, description };
}

type Edit = { path: string; action: 'create' | 'replace' | 'edit'; content?: string; hunks?: Hunk[] };

/** The edit of a file shown in full; undefined when the brain leaves it alone (JSON it cannot parse). */
function editShown(path: string, shown: string, task: CoderTaskView, lines: number, sameLines: boolean): Edit | undefined {
  if (/\.json$/i.test(path)) {
    const edit = jsonEdit(path, shown, task, sameLines);
    return edit && { path, ...edit };
  }
  const boundaries = CODE_FILE.test(path) ? codeBoundaries(shown.split('\n')) : MARKDOWN_FILE.test(path) ? markdownBoundaries(shown.split('\n')) : [];
  if (sameLines || boundaries.length === 0) return { path, action: 'edit', hunks: [appendBlock(shown, appendedBlock(path, task, lines))] };
  const at = boundaries[pickPoint(task.id, boundaries.length)]!;
  return { path, action: 'edit', hunks: [insertBlock(shown, at, insertedBlock(path, task, lines))] };
}

export interface CoderEditOptions {
  readonly invalidEdit?: boolean;
  /** Edit the lines the siblings of the same-lines share edit (append at the end), whatever the id. */
  readonly sameLines?: boolean;
}

export function coderEdits(task: CoderTaskView, options: CoderEditOptions = {}): JsonObject {
  // Files not shown in full (truncated, left out) are never edited.
  const targets = task.files.filter((f) => !f.exists || task.shown.has(f.path));
  const totalTokens = Math.min(4_000, Math.max(120, Math.round(task.estimatedTokens * 0.6)));
  // Most of a task's code goes into the files it writes anew; its edit of a shared file is a
  // quarter of that (a registration, a type), as in real plans where the shared files stay small.
  const fresh = (f: { path: string; exists: boolean }) => !f.exists || (task.shown.get(f.path) ?? '').trim().length === 0;
  const weight = targets.reduce((n, f) => n + (fresh(f) ? NEW_FILE_WEIGHT : 1), 0);
  const unit = totalTokens / TOKENS_PER_LINE / Math.max(1, weight);
  const lines = Math.max(2, Math.round(unit * NEW_FILE_WEIGHT));
  const editLines = Math.max(2, Math.round(unit));
  const sameLines = options.sameLines === true || (task.description ?? '').includes(SAME_LINES_MARKER) || wantsSameLines(task.id);
  const files: Edit[] = [];
  for (const f of targets) {
    const shown = task.shown.get(f.path);
    if (!f.exists || shown === undefined) files.push({ path: f.path, action: 'create', content: newFileContent(f.path, task, lines) });
    else if (shown.trim().length === 0) files.push({ path: f.path, action: 'replace', content: newFileContent(f.path, task, lines) });
    else {
      const edit = editShown(f.path, shown, task, editLines, sameLines);
      if (edit) files.push(edit);
    }
  }
  if (files.length === 0) {
    // Nothing it may touch: a new module of its own.
    const path = `src/helios/${task.id.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'task'}.ts`;
    files.push({ path, action: 'create', content: newFileContent(path, task, lines) });
  }
  if (options.invalidEdit) {
    const first = files[0]!;
    files[0] = { path: first.path, action: 'edit', hunks: [{ search: MISSING_ANCHOR, replace: '' }] };
  }
  const summary = `Implements ${task.id} "${task.title}" in ${files.map((f) => f.path).join(', ')}.`;
  return { summary, files };
}
