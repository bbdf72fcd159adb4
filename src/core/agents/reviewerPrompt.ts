import type { ReviewRecord } from '../../shared/review';
import type { Task } from '../../shared/taskGraph';
import type { VerificationResult } from '../../shared/verification';
import { lineHunksOf } from '../changes/lineHunks';
import type { LlmMessage, TextPart } from '../llm/llmClient';

/**
 * The Reviewer's instructions. Byte-stable across tasks and plans (no ids, no dates) so every
 * review call after the first reads it from the prompt cache.
 */
export const REVIEWER_SYSTEM = [
  'You are the Helios Reviewer, a senior engineer reviewing one proposed change before a developer decides whether to accept it.',
  'The change was written by a coding agent for exactly one task of a larger plan. Other tasks of the plan are done by other agents, so do not ask for work that belongs to another task.',
  '',
  'What you receive:',
  '- The task: its id, type, title and description.',
  '- The change as a line diff per file. Every line of the proposed content carries its line number in the PROPOSED file, then a mark: `+` for an added line, a space for an unchanged context line. Removed lines are marked `-` and have no number, because they no longer exist.',
  '- Sometimes a context section: declarations the changed files use or that depend on them.',
  '- Sometimes the result of running the workspace\'s verify command (tests, type check) against the change in a sandbox.',
  '- On a re-review, your previous findings: check whether the new change fixes them.',
  '',
  'What you answer: only the review, in the required JSON format.',
  '- `verdict` is `approve` when the change does what the task asks and has no defect that must be fixed, otherwise `request_changes`. `request_changes` needs at least one finding.',
  '- Each finding names a `path` of the change and a line range `startLine`..`endLine` (inclusive) using the numbers shown in the diff: the proposed file\'s lines. Never cite a removed line or a line number that is not shown.',
  '- `severity`: `blocker` for a bug, a security hole, broken build or tests, or a missing part of the task; `major` for a real problem that should be fixed; `minor` for a worthwhile improvement; `nit` for style.',
  '- `message` says what is wrong and why, briefly and concretely.',
  '- `replacement`, when you have a concrete fix, is the complete text that replaces lines startLine..endLine (without line numbers or diff marks).',
  '- `summary` is one or two sentences on the change as a whole, in the language of the task description.',
  '',
  'Review for correctness first (logic, edge cases, error handling, security, consistency with the code around it), then for whether the task is complete, then style. Prefer few precise findings over many vague ones. A failed verification is a blocker unless the output shows the failure is unrelated to the change.',
  '',
  'Your findings are checked: a finding on a file that is not in the change, or on lines that do not exist in the proposed content, is sent back to you once with the problems listed.',
].join('\n');

export function reviewerSystem(): TextPart[] {
  return [{ text: REVIEWER_SYSTEM, cacheControl: { ttl: '5m' } }];
}

/** One file of the change as the Reviewer sees it. `base` undefined: new file; `baseKnown` false: shown whole. */
export interface ReviewedFile {
  readonly path: string;
  readonly action: string;
  readonly base: string | undefined;
  readonly baseKnown: boolean;
  readonly proposed: string;
}

/** Unchanged lines shown around each hunk. */
const CONTEXT_LINES = 3;

function lines(text: string): string[] {
  const all = text.split(/\r?\n/);
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * One file's diff with proposed-content line numbers on every shown line, so findings can cite
 * them. Without a known base, the whole proposed file is shown as context.
 */
export function renderFileDiff(file: ReviewedFile): string {
  const proposed = lines(file.proposed);
  const width = String(Math.max(1, proposed.length)).length;
  const num = (n: number | undefined) => (n === undefined ? ' '.repeat(width) : String(n).padStart(width));
  const out: string[] = [];
  if (!file.baseKnown) {
    out.push('(the base file is not available: the whole proposed file is shown)');
    proposed.forEach((text, i) => out.push(`${num(i + 1)}   ${text}`));
    return out.join('\n');
  }
  const hunks = lineHunksOf(file.base, file.proposed);
  let shownUpTo = 0;
  hunks.forEach((h, i) => {
    const from = Math.max(shownUpTo + 1, h.proposedStart - CONTEXT_LINES);
    if (from > shownUpTo + 1 || i === 0) {
      out.push(h.proposedLines > 0 ? `@@ proposed lines ${h.proposedStart}-${h.proposedStart + h.proposedLines - 1} @@` : `@@ lines removed before proposed line ${h.proposedStart} @@`);
    }
    for (let n = from; n < h.proposedStart; n++) out.push(`${num(n)}   ${proposed[n - 1] ?? ''}`);
    for (const text of h.removed) out.push(`${num(undefined)} - ${text}`);
    h.added.forEach((text, k) => out.push(`${num(h.proposedStart + k)} + ${text}`));
    const end = h.proposedStart + h.proposedLines - 1;
    const next = hunks[i + 1];
    const until = Math.min(proposed.length, end + CONTEXT_LINES, next ? next.proposedStart - 1 : Number.POSITIVE_INFINITY);
    for (let n = end + 1; n <= until; n++) out.push(`${num(n)}   ${proposed[n - 1] ?? ''}`);
    shownUpTo = Math.max(end, until);
  });
  if (hunks.length === 0) out.push('(no line changes)');
  return out.join('\n');
}

/** The whole change, bounded: files past the budget are listed but not shown. */
export function renderChangeDiff(files: readonly ReviewedFile[], maxChars: number): string {
  let budget = maxChars;
  return files.map((f) => {
    const proposedLines = lines(f.proposed).length;
    const open = `<file path="${escapeAttr(f.path)}" action="${f.action}" proposed-lines="${proposedLines}">`;
    const body = renderFileDiff(f);
    if (body.length > budget) return `${open}\n(not shown: the diff is too large for the review context)\n</file>`;
    budget -= body.length;
    return `${open}\n${body}\n</file>`;
  }).join('\n');
}

export interface ReviewInput {
  readonly task: Task;
  readonly summary: string;
  readonly diff: string;
  readonly context?: string;
  readonly verification?: VerificationResult;
  /** The previous round's review, on a re-review. */
  readonly previous?: ReviewRecord;
}

export function reviewMessage(input: ReviewInput): LlmMessage {
  const { task } = input;
  const parts = [
    input.previous ? 'Review this reworked change again.' : 'Review this change.',
    `<task id="${escapeAttr(task.id)}" type="${task.taskType}">`,
    `<title>${task.title}</title>`,
    `<description>\n${task.description}\n</description>`,
    '</task>',
    `<change-summary>${input.summary}</change-summary>`,
    '<diff>',
    input.diff,
    '</diff>',
  ];
  if (input.context) parts.push('<context>', input.context, '</context>');
  const v = input.verification;
  if (v) {
    const attrs = [`status="${v.status}"`, ...(v.exitCode !== undefined && v.exitCode !== null ? [`exit-code="${v.exitCode}"`] : []),
      ...(v.failedTests !== undefined ? [`failed-tests="${v.failedTests}"`] : []), ...(v.timedOut ? ['timed-out="true"'] : [])];
    parts.push(`<verification ${attrs.join(' ')}${v.command ? ` command="${escapeAttr(v.command)}"` : ''}>`, v.output, '</verification>');
  }
  if (input.previous) {
    parts.push('<previous-review>', ...input.previous.findings.map((f) => `- ${f.path}:${f.startLine}-${f.endLine} [${f.severity}] ${f.message}`), '</previous-review>');
    parts.push('The line numbers of the previous review refer to the previous proposal; cite lines of the diff above.');
  }
  return { role: 'user', content: [{ text: parts.join('\n') }] };
}

/** The repair round trip: the model sees its own answer and exactly what was wrong with it. */
export function reviewerRepairMessages(previous: string, problems: readonly string[]): LlmMessage[] {
  return [
    { role: 'assistant', content: [{ text: previous }] },
    {
      role: 'user',
      content: [{
        text:
          'Your review cannot be used:\n<validation-errors>\n' +
          problems.map((p) => `- ${p}`).join('\n') +
          '\n</validation-errors>\nReturn the complete corrected review (every finding, not only the ones that failed), citing only lines shown in the diff.',
      }],
    },
  ];
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
