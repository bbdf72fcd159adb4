import { createHash } from 'node:crypto';
import type { JsonObject } from '../wire';

/**
 * The Reviewer brain (schema title `ReviewFindings`): a deterministic review of the diff in the
 * prompt, with findings on lines the diff really numbers. A first review requests changes with a
 * blocker for about a quarter of the tasks (a stable hash of the task id), for a task whose
 * description carries `REQUEST_CHANGES_MARKER`, and when the verification in the prompt failed; a
 * re-review (the prompt carries the previous findings) approves, so a review loop always ends.
 * Every review also leaves a `nit` with a one-line replacement. The `invalid_findings` fault cites
 * lines past the end of the first file and a file that is not in the change (the repair path).
 */

export const REQUEST_CHANGES_MARKER = '[sim:request-changes]';

export interface ReviewDiffLine {
  readonly line: number;
  readonly added: boolean;
  readonly text: string;
}

export interface ReviewDiffFile {
  readonly path: string;
  readonly proposedLines: number;
  readonly lines: readonly ReviewDiffLine[];
}

export interface ReviewView {
  readonly taskId: string;
  readonly description: string;
  readonly files: readonly ReviewDiffFile[];
  readonly reReview: boolean;
  readonly verificationFailed: boolean;
}

const FILE_BLOCK = /<file path="([^"]*)" action="[^"]*" proposed-lines="(\d+)">\n([\s\S]*?)\n<\/file>/g;
const NUMBERED = /^ *(\d+) ([+ ]) (.*)$/;

function unescapeAttr(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** The review request of the newest user message that carries one (a repair turn repeats none). */
export function parseReviewRequest(userTextsNewestFirst: readonly string[]): ReviewView | undefined {
  const text = userTextsNewestFirst.find((t) => t.includes('<diff>') && /<task id="/.test(t));
  if (text === undefined) return undefined;
  const taskId = unescapeAttr(/<task id="([^"]*)"/.exec(text)![1]!);
  const description = /<description>\n([\s\S]*?)\n<\/description>/.exec(text)?.[1] ?? '';
  const diff = /<diff>\n([\s\S]*?)\n<\/diff>/.exec(text)?.[1] ?? '';
  const files = [...diff.matchAll(FILE_BLOCK)].map((m) => ({
    path: unescapeAttr(m[1]!),
    proposedLines: Number(m[2]),
    lines: m[3]!.split('\n').flatMap((l) => {
      const n = NUMBERED.exec(l);
      return n ? [{ line: Number(n[1]), added: n[2] === '+', text: n[3]! }] : [];
    }),
  }));
  return {
    taskId, description, files,
    reReview: text.includes('<previous-review>'),
    verificationFailed: /<verification status="failed"/.test(text),
  };
}

/** About one task in four, the same one every time. */
export function wantsChanges(taskId: string): boolean {
  return createHash('sha256').update(taskId).digest()[0]! < 64;
}

/** The first non-blank added line (else any numbered line): what the findings sit on. */
function target(view: ReviewView): { file: ReviewDiffFile; line: ReviewDiffLine } | undefined {
  for (const file of view.files) {
    const line = file.lines.find((l) => l.added && l.text.trim().length > 0);
    if (line) return { file, line };
  }
  for (const file of view.files) if (file.lines[0]) return { file, line: file.lines[0] };
  return undefined;
}

function commentLine(path: string, indent: string): string | undefined {
  if (/\.[cm]?[jt]sx?$/.test(path)) return `${indent}// Explains the step below (simulated review suggestion).`;
  if (/\.md$/.test(path)) return `${indent}<!-- Explains the item below (simulated review suggestion). -->`;
  return undefined;
}

export function reviewFindings(view: ReviewView, options: { readonly invalidFindings?: boolean } = {}): JsonObject {
  const at = target(view);
  const requestChanges = !view.reReview &&
    (view.verificationFailed || view.description.includes(REQUEST_CHANGES_MARKER) || wantsChanges(view.taskId));
  const findings: JsonObject[] = [];
  if (at && requestChanges) {
    findings.push({
      path: at.file.path, startLine: at.line.line, endLine: at.line.line, severity: 'blocker',
      message: view.verificationFailed
        ? 'The verify command fails against this change; fix the failure before it can be accepted.'
        : `Task ${view.taskId}: this added line is not covered by any test and its input is not validated.`,
    });
  }
  if (at) {
    const indent = /^\s*/.exec(at.line.text)![0];
    const comment = commentLine(at.file.path, indent);
    findings.push({
      path: at.file.path, startLine: at.line.line, endLine: at.line.line, severity: 'nit',
      message: 'A one-line comment would say why this step is needed.',
      ...(comment ? { replacement: `${comment}\n${at.line.text}` } : {}),
    });
  }
  if (options.invalidFindings) {
    const first = view.files[0];
    findings.push(
      { path: first?.path ?? 'src/none.ts', startLine: (first?.proposedLines ?? 0) + 5, endLine: (first?.proposedLines ?? 0) + 7, severity: 'major', message: 'Past the end of the file.' },
      { path: 'src/helios-sim/not-in-the-change.ts', startLine: 1, endLine: 1, severity: 'minor', message: 'A file the change does not have.' },
    );
  }
  const summary = requestChanges
    ? `The change for ${view.taskId} needs work before it can be accepted (simulated review).`
    : `The change for ${view.taskId} does what the task asks (simulated review${view.reReview ? ', re-review' : ''}).`;
  return { verdict: requestChanges && findings.length > 0 ? 'request_changes' : 'approve', summary, findings };
}
