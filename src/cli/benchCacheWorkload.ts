import { defaultCoderMaxTokens } from '../core/agents/coder';
import { coderSystem, taskMessage, type ShownFile } from '../core/agents/coderPrompt';
import { coderEditsJsonSchema } from '../core/agents/coderSchema';
import { contextFingerprint, type SemanticScope } from '../core/cache/semanticCache';
import type { LlmRequest } from '../core/llm/llmClient';
import type { Task, TaskType } from '../shared/taskGraph';

/**
 * The cache benchmark's workload: Coder requests (the real system prompt, task message and edit
 * schema), because the simulator's Coder answer depends on what a real answer depends on — the
 * task's id, type, title and files — and not on the wording of the description. So the simulator is
 * an oracle: a cached answer is *false* exactly when a fresh call would answer differently.
 *
 * Classes of request, after every intent was asked once (`first`):
 *  - repeat: the identical request again (a re-run plan, a retried task);
 *  - reworded: the same title, the description with other case, punctuation, sentence order and
 *    filler words (a re-decomposed PRD);
 *  - paraphrase: the description with synonyms (other content words);
 *  - changed_files: the identical wording against files that changed since (near-miss);
 *  - reversed: the requirement reversed in title and description (near-miss: “ascending” →
 *    “descending”, “enable” → “disable”).
 */

export type RequestClass = 'first' | 'repeat' | 'reworded' | 'paraphrase' | 'changed_files' | 'reversed';
export const REQUEST_CLASSES: readonly RequestClass[] = ['first', 'repeat', 'reworded', 'paraphrase', 'changed_files', 'reversed'];

/** Follow-ups per 100 intents; the mix is an assumption about a working session, see bench/CACHE.md. */
export const DEFAULT_MIX: Readonly<Record<Exclude<RequestClass, 'first'>, number>> = {
  repeat: 60, reworded: 40, paraphrase: 25, changed_files: 25, reversed: 25,
};

export interface WorkloadItem {
  readonly cls: RequestClass;
  readonly intent: number;
  readonly request: LlmRequest;
  readonly scope: SemanticScope;
}

const TEMPLATES: ReadonlyArray<{ title: string; description: string; flip: readonly [string, string]; type: TaskType }> = [
  { title: 'Sort the {thing} by date in ascending order', description: 'Add a function that sorts the {thing} by date in ascending order. Keep the existing exports working.', flip: ['ascending', 'descending'], type: 'code_generation' },
  { title: 'Enable caching for the {thing} lookup', description: 'Enable caching for the {thing} lookup in the service. Reuse the existing configuration object.', flip: ['Enable', 'Disable'], type: 'refactoring' },
  { title: 'Show the {thing} total before the discount', description: 'Show the {thing} total before the discount is applied. Format amounts with two decimals.', flip: ['before', 'after'], type: 'bug_fix' },
  { title: 'Include archived {thing} in the export', description: 'Include archived {thing} in the CSV export. Keep the column order unchanged.', flip: ['Include', 'Exclude'], type: 'code_generation' },
  { title: 'Increase the retry limit for {thing} requests', description: 'Increase the retry limit for {thing} requests to five attempts. Log every retry with its delay.', flip: ['Increase', 'Decrease'], type: 'bug_fix' },
  { title: 'Allow empty {thing} names in the form', description: 'Allow empty {thing} names in the form validation. Show a hint under the field instead of an error.', flip: ['Allow', 'Reject'], type: 'code_generation' },
  { title: 'Add unit tests for the {thing} parser', description: 'Add unit tests for the {thing} parser that cover valid input. Use the existing test helpers.', flip: ['valid', 'invalid'], type: 'unit_test' },
  { title: 'Document the public {thing} API', description: 'Document the public {thing} API in the module header. Mention the thrown errors.', flip: ['public', 'internal'], type: 'documentation' },
];
const THINGS = [
  'invoices', 'users', 'orders', 'payments', 'sessions', 'reports', 'tickets', 'products', 'accounts', 'shipments', 'coupons', 'messages', 'devices',
  'projects', 'events', 'contracts', 'refunds', 'vendors', 'budgets', 'teams', 'comments', 'badges', 'alerts', 'quotes', 'routes', 'lessons',
];
const SYNONYMS: Readonly<Record<string, string>> = {
  Add: 'Write', function: 'helper', sorts: 'orders', Keep: 'Preserve', existing: 'current', working: 'intact', Reuse: 'Use',
  configuration: 'settings', Show: 'Display', Format: 'Print', amounts: 'sums', Include: 'Put', unchanged: 'as is',
  Increase: 'Raise', Log: 'Record', Allow: 'Accept', hint: 'note', cover: 'check', Use: 'Rely on', Document: 'Describe', Mention: 'List',
};

/** A small seeded PRNG (mulberry32) so every run of the workload is the same. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Intent {
  readonly task: Task;
  readonly files: ReadonlyMap<string, string>;
  readonly model: string;
}

function intentAt(i: number): Intent {
  const t = TEMPLATES[i % TEMPLATES.length]!;
  const thing = THINGS[Math.floor(i / TEMPLATES.length) % THINGS.length]!;
  const round = Math.floor(i / (TEMPLATES.length * THINGS.length));
  const fill = (s: string) => s.replace(/\{thing\}/g, thing);
  const file = `src/${thing}/${t.type}${round > 0 ? round : ''}.ts`;
  const content = `export interface ${thing[0]!.toUpperCase()}${thing.slice(1)}Row {\n  readonly id: string;\n  readonly createdAt: string;\n}\n\nexport const ${thing}Version = ${i};\n`;
  return {
    task: { id: `T${i + 1}`, title: fill(t.title), description: fill(t.description), taskType: t.type, dependsOn: [], files: [file], priority: 2, estimatedTokens: 400 + (i % 5) * 100 },
    files: new Map([[file, content]]),
    model: t.type === 'documentation' ? 'claude-haiku-5-5' : 'claude-sonnet-5-5',
  };
}

function reword(description: string): string {
  const sentences = description.split(/(?<=\.)\s+/).map((s) => s.replace(/\.$/, ''));
  return `Please ${sentences.reverse().map((s) => s[0]!.toLowerCase() + s.slice(1)).join(', and ')}!`;
}

function paraphrase(description: string): string {
  return description.replace(/\b\w+\b/g, (w) => SYNONYMS[w] ?? w);
}

function flip(text: string, [from, to]: readonly [string, string]): string {
  return text.replace(new RegExp(`\\b${from}\\b`, 'i'), (m) => (m[0] === m[0]!.toUpperCase() ? to[0]!.toUpperCase() + to.slice(1) : to.toLowerCase()));
}

function item(cls: RequestClass, intent: number, task: Task, files: ReadonlyMap<string, string>, model: string): WorkloadItem {
  const shown: ShownFile[] = task.files.map((p) => {
    const content = files.get(p);
    return { path: p, content, truncated: false, omitted: false, fullLength: content?.length ?? 0 };
  });
  const request: LlmRequest = {
    model, system: coderSystem(), messages: [taskMessage(task, shown, undefined)], maxTokens: defaultCoderMaxTokens(task, model),
    outputSchema: coderEditsJsonSchema(), tags: { agent: 'coder', planId: 'bench-cache', taskId: task.id },
  };
  const scope: SemanticScope = {
    agent: 'coder', taskType: task.taskType, query: `${task.title}\n${task.description}`,
    fingerprint: contextFingerprint(task.files.map((p) => [p, files.get(p)] as const)), paths: [...task.files],
  };
  return { cls, intent, request, scope };
}

/** `intents` first requests, then the follow-ups of DEFAULT_MIX (per 100 intents) in a seeded order. */
export function cacheWorkload(intents: number, seed: number, mix = DEFAULT_MIX): WorkloadItem[] {
  const random = rng(seed);
  const base = Array.from({ length: intents }, (_, i) => intentAt(i));
  const firsts = base.map((b, i) => item('first', i, b.task, b.files, b.model));
  const followUps: WorkloadItem[] = [];
  for (const [cls, per100] of Object.entries(mix) as Array<[Exclude<RequestClass, 'first'>, number]>) {
    const count = Math.round((intents * per100) / 100);
    for (let k = 0; k < count; k++) {
      const i = Math.floor(random() * intents);
      const { task, files, model } = base[i]!;
      const tpl = TEMPLATES[i % TEMPLATES.length]!;
      if (cls === 'repeat') followUps.push(item(cls, i, task, files, model));
      else if (cls === 'reworded') followUps.push(item(cls, i, { ...task, description: reword(task.description) }, files, model));
      else if (cls === 'paraphrase') followUps.push(item(cls, i, { ...task, description: paraphrase(task.description) }, files, model));
      else if (cls === 'changed_files') {
        const changed = new Map([...files].map(([p, c]) => [p, `${c}export const changedBy${k} = true;\n`]));
        followUps.push(item(cls, i, task, changed, model));
      } else followUps.push(item(cls, i, { ...task, title: flip(task.title, tpl.flip), description: flip(task.description, tpl.flip) }, files, model));
    }
  }
  for (let j = followUps.length - 1; j > 0; j--) {
    const r = Math.floor(random() * (j + 1));
    [followUps[j], followUps[r]] = [followUps[r]!, followUps[j]!];
  }
  return [...firsts, ...followUps];
}
