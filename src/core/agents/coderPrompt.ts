import type { Plan, Task } from '../../shared/taskGraph';
import type { ProposedChange } from '../../shared/proposedChange';
import type { ReviewFinding } from '../../shared/review';
import type { VerificationResult } from '../../shared/verification';
import type { LlmMessage, TextPart } from '../llm/llmClient';

/**
 * The Coder's instructions. Byte-stable across tasks and plans (no ids, no dates) and long enough
 * to pass the provider's minimum cacheable prefix (512 tokens on the 5.x models), so every Coder
 * call after the first reads it from the prompt cache.
 */
export const CODER_SYSTEM = [
  'You are the Helios Coder, a senior software engineer working inside a developer\'s workspace.',
  'You implement exactly one task of a larger plan. Other tasks of the plan are implemented by other agents, before or after you, so change only what this task needs and keep the existing code style, naming, module system and formatting of the files you touch.',
  '',
  'What you receive:',
  '- The task: its id, type, title, description, and the workspace-relative files it is expected to create or change, each marked as existing or not.',
  '- The current content of the task\'s existing files (possibly truncated when very large), and sometimes a context section with the declarations the files use from other modules and a ranked map of the repository. Treat what you see as the exact current state of the workspace.',
  '- Sometimes, before the task, an overview of the whole plan (every task\'s id, type, title and files). It tells you what other tasks will do: implement only your own task and leave their files to them.',
  '',
  'What you answer: only the edits, in the required JSON format, as a list of file changes. Each entry has a `path` and an `action`:',
  '- `create` makes a new file. Use it only for a file that does not exist yet, and give the complete file in `content`.',
  '- `replace` rewrites an existing file completely. Give the complete new file in `content`. Prefer `edit` for files longer than about 100 lines: it is cheaper and safer.',
  '- `edit` changes an existing file with search-and-replace `hunks`. Each hunk\'s `search` must be copied character for character from the current file as shown (indentation, blank lines and punctuation included) and must occur exactly once in it; include a few surrounding lines when a line alone is not unique. `replace` is the text that takes its place. To insert code, search for the line before the insertion point and repeat it at the start of `replace`. Hunks of one file must not overlap; they are located in the original file, so their order does not matter.',
  '',
  'Rules:',
  '- Paths are workspace-relative with forward slashes, never absolute and never containing "..". Put all changes to one file in a single entry.',
  '- Write complete, working code: no placeholders such as "TODO: implement" or "rest of the file unchanged", no elided sections. Keep imports consistent with the files that already exist.',
  '- Create a file that the task lists but that does not exist yet; do not create files the task does not need.',
  '- For tests, follow the test framework and folder conventions already visible in the workspace.',
  '- `summary` is one short sentence saying what the change does, in the language of the task description.',
  '- If the task cannot be done as described, still make the smallest sensible change and say why in the summary.',
  '',
  'Your edits are not applied automatically: they are checked (paths, existence, unique search texts) and shown to the developer as a diff to accept or reject, and a reviewer agent reads them. An edit that fails the checks is sent back to you once with the problems listed, so copy search texts exactly.',
].join('\n');

export function coderSystem(): TextPart[] {
  return [{ text: CODER_SYSTEM, cacheControl: { ttl: '5m' } }];
}

/** One of the task's files as the Coder shows it. */
export interface ShownFile {
  readonly path: string;
  /** undefined: the file does not exist. */
  readonly content: string | undefined;
  /** The content was cut to `content.length` characters of `fullLength`. */
  readonly truncated: boolean;
  /** The file exists but was left out (the context budget was used up). */
  readonly omitted: boolean;
  readonly fullLength: number;
  /** Left out because it resolves outside the workspace (a symlink): never read, never edited. */
  readonly outside?: boolean;
}

function status(f: ShownFile, prebuilt: boolean): string {
  if (f.outside) return 'left out: it resolves outside the workspace; do not edit or create it';
  if (f.content === undefined && !f.omitted) return 'does not exist yet';
  if (prebuilt) return 'exists, see the context';
  if (f.omitted) return 'exists, not shown (too large for the context)';
  return f.truncated ? `exists, shown truncated (${f.content!.length} of ${f.fullLength} characters)` : 'exists, shown below';
}

/**
 * The task message. With a prebuilt context (the context builder's output), the task's files are
 * already in it; otherwise the existing files are shown here in full (or truncated).
 */
export function taskMessage(task: Task, files: readonly ShownFile[], context: string | undefined): LlmMessage {
  // The plan-wide part goes first and ends at a cache boundary, so all tasks of a plan share the
  // prefix system → plan overview; only what follows it differs from task to task.
  const { shared, own: prebuiltContext } = splitSharedContext(context);
  const list = files.map((f) => `- ${f.path} (${status(f, prebuiltContext !== undefined)})`).join('\n');
  const parts = [
    'Implement this task.',
    '',
    `<task id="${escapeAttr(task.id)}" type="${task.taskType}" estimated-tokens="${task.estimatedTokens}">`,
    `<title>${task.title}</title>`,
    `<description>\n${task.description}\n</description>`,
    `<files>\n${list || '- (none declared)'}\n</files>`,
    '</task>',
  ];
  if (prebuiltContext !== undefined) {
    parts.push('', `<context>\n${prebuiltContext}\n</context>`);
  } else {
    const shown = files.filter((f) => f.content !== undefined);
    if (shown.length > 0) {
      parts.push('', '<workspace-files>');
      for (const f of shown) parts.push(`<file path="${escapeAttr(f.path)}"${f.truncated ? ' truncated="true"' : ''}>\n${f.content!}\n</file>`);
      parts.push('</workspace-files>');
    }
  }
  const taskPart: TextPart = { text: parts.join('\n') };
  return { role: 'user', content: shared ? [{ text: `<plan-overview>\n${shared}\n</plan-overview>`, cacheControl: { ttl: '5m' } }, taskPart] : [taskPart] };
}

/** Ends the plan-wide part of a context string (see `withSharedContext`). */
export const SHARED_CONTEXT_END = '\n<!-- helios:end-of-shared-context -->\n';

/**
 * A context string whose first part is the same for every task of the plan (it becomes a cached
 * prefix) and whose second part is the task's own context (files, imports, repo map).
 */
export function withSharedContext(shared: string, own: string | undefined): string {
  return `${shared}${SHARED_CONTEXT_END}${own ?? ''}`;
}

function splitSharedContext(context: string | undefined): { shared: string | undefined; own: string | undefined } {
  const at = context?.indexOf(SHARED_CONTEXT_END) ?? -1;
  if (context === undefined || at < 0) return { shared: undefined, own: context };
  const own = context.slice(at + SHARED_CONTEXT_END.length);
  return { shared: context.slice(0, at), own: own.length > 0 ? own : undefined };
}

/** The plan-wide part: every task in plan order, byte-stable for the life of the plan. */
/** Tasks the shared plan overview lists at most: it goes with every call, so its size must not grow with the plan. */
export const PLAN_OVERVIEW_MAX_TASKS = 60;

/**
 * The plan-wide prefix every task of the plan shares (a cached L1 prefix): up to
 * PLAN_OVERVIEW_MAX_TASKS tasks — all of a small plan; of a large one, those most others depend on —
 * so a call's cost stays bounded however large the plan is. A task's own neighbourhood goes in
 * its own context (`taskNeighbourhood`).
 */
export function planOverview(plan: Plan, maxTasks = PLAN_OVERVIEW_MAX_TASKS): string {
  const tasks = plan.graph.tasks;
  const line = (t: Plan['graph']['tasks'][number]) => {
    const deps = t.dependsOn.length > 0 ? ` after ${t.dependsOn.join(', ')}` : '';
    const files = t.files.length > 0 ? ` — ${t.files.join(', ')}` : '';
    return `- ${t.id} [${t.taskType}] ${t.title}${deps}${files}`;
  };
  if (tasks.length <= maxTasks) return [`Plan ${plan.id}: ${tasks.length} tasks.`, ...tasks.map(line)].join('\n');
  const dependants = new Map<string, number>();
  for (const t of tasks) for (const d of t.dependsOn) dependants.set(d, (dependants.get(d) ?? 0) + 1);
  const order = new Map(tasks.map((t, i) => [t.id, i]));
  const shown = [...tasks]
    .sort((a, b) => (dependants.get(b.id) ?? 0) - (dependants.get(a.id) ?? 0) || order.get(a.id)! - order.get(b.id)!)
    .slice(0, maxTasks)
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return [`Plan ${plan.id}: ${tasks.length} tasks; the ${shown.length} that most others build on:`, ...shown.map(line)].join('\n');
}

/** The task's direct dependencies and dependants, for its own (uncached) context in a large plan. */
export function taskNeighbourhood(plan: Plan, task: Plan['graph']['tasks'][number]): string | undefined {
  if (plan.graph.tasks.length <= PLAN_OVERVIEW_MAX_TASKS) return undefined;
  const byId = new Map(plan.graph.tasks.map((t) => [t.id, t]));
  const after = task.dependsOn.map((id) => byId.get(id)).filter((t) => t !== undefined);
  const before = plan.graph.tasks.filter((t) => t.dependsOn.includes(task.id));
  const line = (t: Plan['graph']['tasks'][number]) => `- ${t.id} ${t.title}${t.files.length > 0 ? ` — ${t.files.join(', ')}` : ''}`;
  const parts = [
    ...(after.length > 0 ? ['This task builds on:', ...after.map(line)] : []),
    ...(before.length > 0 ? ['Tasks that build on this one:', ...before.slice(0, 20).map(line)] : []),
  ];
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** The repair round trip: the model sees its own answer and exactly what was wrong with it. */
export function coderRepairMessages(previous: string, problems: readonly string[]): LlmMessage[] {
  return [
    { role: 'assistant', content: [{ text: previous }] },
    {
      role: 'user',
      content: [{
        text:
          'Your edits cannot be applied:\n<validation-errors>\n' +
          problems.map((p) => `- ${p}`).join('\n') +
          '\n</validation-errors>\nReturn the complete corrected set of edits (every file, not only the ones that failed).',
      }],
    },
  ];
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** What the Coder gets when a task comes back: its previous proposal and why it came back. */
export interface CoderRework {
  readonly previous: ProposedChange;
  /** The Reviewer's findings on the previous proposal (line numbers in its proposed content). */
  readonly findings?: readonly ReviewFinding[];
  /** A failed verify run against the previous proposal. */
  readonly verification?: VerificationResult;
}

/** Lines of a finding quoted from the previous proposal, at most this many. */
const REWORK_QUOTE_LINES = 20;

/**
 * The rework part, appended after the task message: the task and workspace stay as they were (the
 * previous proposal was not applied), so the Coder answers edits against the workspace again.
 */
export function reworkPart(rework: CoderRework): TextPart {
  const parts = [
    '<rework>',
    `Your previous proposal for this task was sent back. Its summary: ${rework.previous.summary}`,
    `It changed: ${rework.previous.files.map((f) => `${f.path} (${f.action})`).join(', ')}.`,
  ];
  const findings = rework.findings ?? [];
  if (findings.length > 0) {
    parts.push('The reviewer\'s findings (line numbers refer to your previous proposal, not to the workspace):');
    for (const f of findings) {
      parts.push(`- [${f.severity}] ${f.path}:${f.startLine}-${f.endLine}: ${f.message}`);
      const proposed = rework.previous.files.find((x) => x.path === f.path)?.proposedContent.split(/\r?\n/) ?? [];
      const quoted = proposed.slice(f.startLine - 1, Math.min(f.endLine, f.startLine - 1 + REWORK_QUOTE_LINES));
      if (quoted.length > 0) parts.push(...quoted.map((l) => `    | ${l}`));
      if (f.replacement !== undefined) parts.push('  Suggested replacement:', ...f.replacement.split(/\r?\n/).map((l) => `    | ${l}`));
    }
  }
  const v = rework.verification;
  if (v && v.status === 'failed') {
    parts.push(
      `The verify command${v.command ? ` \`${v.command}\`` : ''} failed against it${v.exitCode !== undefined && v.exitCode !== null ? ` (exit code ${v.exitCode})` : ''}${v.timedOut ? ' (timed out)' : ''}. Its output:`,
      '<verify-output>', v.output, '</verify-output>',
    );
  }
  parts.push(
    'Answer with the complete set of edits for this task again, against the workspace files as shown above (your previous proposal was not applied), fixing every blocker and major finding and the verify failure.',
    '</rework>',
  );
  return { text: parts.join('\n') };
}
