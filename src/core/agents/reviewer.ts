import type { ProposedChange } from '../../shared/proposedChange';
import type { ReviewFinding, ReviewRecord } from '../../shared/review';
import type { Task } from '../../shared/taskGraph';
import { addUsage, totalTokens, ZERO_USAGE, type TokenUsage } from '../../shared/usage';
import type { VerificationResult } from '../../shared/verification';
import { sha256Hex } from '../changes/proposedChange';
import { structuredAsker, throwIfAborted } from './structuredAsk';
import { HeliosError } from '../errors/heliosError';
import type { Effort, LlmClient, LlmResponse } from '../llm/llmClient';
import { costOfUsage } from '../usage/cost';
import { renderChangeDiff, reviewerRepairMessages, reviewerSystem, reviewMessage, type ReviewedFile } from './reviewerPrompt';
import { ReviewFindingsSchema, reviewFindingsJsonSchema, type ReviewFindings } from './reviewerSchema';

export interface ReviewerOptions {
  readonly client: LlmClient;
  readonly model: string;
  readonly planId: string;
  /** A prebuilt context: the signatures the change touches, the impact set. */
  readonly context?: string;
  /** The verify command's result against this change; shown to the model and kept on the record. */
  readonly verification?: VerificationResult;
  /** The previous round's review, on a re-review after rework. */
  readonly previous?: ReviewRecord;
  /** The base of a file the change does not carry (`baseContent`); undefined = does not exist. */
  readonly readBase?: (path: string) => Promise<string | undefined>;
  readonly signal?: AbortSignal;
  readonly maxOutputTokens?: number;
  readonly effort?: Effort;
  readonly maxDiffChars?: number;
  readonly now?: () => Date;
  /** Every response as it arrives, also those of a review that ends in an error (for accounting). */
  readonly onCall?: (response: LlmResponse) => void;
}

export interface ReviewerResult {
  /** Findings numbered f1.., all open; cost and tokens are this review's own calls. */
  readonly review: ReviewRecord;
  readonly model: string;
  readonly usage: TokenUsage;
  readonly calls: readonly LlmResponse[];
  readonly repairs: 0 | 1;
}

export const REVIEWER_LIMITS = { maxDiffChars: 120_000, maxOutputTokens: 8_192 } as const;

/**
 * Task + proposed change → validated review. Structured output keeps the reply in the
 * `ReviewFindings` schema; Helios's own rules (findings on files of the change, on lines that exist
 * in the proposed content, `request_changes` backed by a finding) are checked here. A reply that
 * breaks them gets exactly one repair round trip with the problems listed, then a typed error.
 */
export async function runReviewer(task: Task, change: ProposedChange, options: ReviewerOptions): Promise<ReviewerResult> {
  const { client, model, signal } = options;
  throwIfAborted(signal);
  const files = await reviewedFiles(change, options.readBase);
  const lineCounts = new Map(change.files.map((f) => [f.path, countLines(f.proposedContent)]));
  const diff = renderChangeDiff(files, options.maxDiffChars ?? REVIEWER_LIMITS.maxDiffChars);
  const first = reviewMessage({
    task, summary: change.summary, diff,
    ...(options.context ? { context: options.context } : {}),
    ...(options.verification ? { verification: options.verification } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  const system = reviewerSystem();
  const outputSchema = reviewFindingsJsonSchema();
  const maxTokens = options.maxOutputTokens ?? REVIEWER_LIMITS.maxOutputTokens;
  const { ask, calls } = structuredAsker({
    client, model, system, maxTokens, outputSchema, tags: { agent: 'reviewer', planId: options.planId, taskId: task.id },
    ...(signal ? { signal } : {}),
    ...(options.effort ? { effort: options.effort } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const finish = (findings: ReviewFindings, repairs: 0 | 1): ReviewerResult => {
    const last = calls[calls.length - 1]!;
    const usage = calls.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE);
    const review: ReviewRecord = {
      verdict: findings.verdict,
      summary: findings.summary.trim(),
      findings: findings.findings.map((f, i): ReviewFinding => ({
        id: `f${i + 1}`, path: f.path, startLine: f.startLine, endLine: f.endLine, severity: f.severity, message: f.message.trim(),
        ...(f.replacement !== undefined ? { replacement: f.replacement } : {}),
        status: 'open', replies: [],
      })),
      model: last.model,
      reviewedAt: (options.now?.() ?? new Date()).toISOString(),
      costUsd: calls.reduce((sum, c) => sum + (costOfUsage(c.model, c.usage) ?? 0), 0),
      tokens: totalTokens(usage),
    };
    return { review, model: last.model, usage, calls, repairs };
  };

  const firstReply = await ask([first]);
  const firstCheck = checkReview(firstReply, lineCounts);
  if (firstCheck.ok) return finish(firstCheck.findings, 0);

  const secondReply = await ask([first, ...reviewerRepairMessages(firstReply.text, firstCheck.problems)]);
  const secondCheck = checkReview(secondReply, lineCounts);
  if (secondCheck.ok) return finish(secondCheck.findings, 1);

  throw new HeliosError(
    secondCheck.truncated ? 'model_output_truncated' : 'model_output_invalid',
    `The Reviewer's findings for ${task.id} are still invalid after one repair: ${secondCheck.problems.join(' ')}`,
    { problems: secondCheck.problems, model: secondReply.model, taskId: task.id, agent: 'reviewer' },
  );
}

type ReviewCheck =
  | { readonly ok: true; readonly findings: ReviewFindings }
  | { readonly ok: false; readonly problems: string[]; readonly truncated: boolean };

/** Parses and validates one reply against the change's files and their proposed line counts. */
export function checkReview(reply: LlmResponse, lineCounts: ReadonlyMap<string, number>): ReviewCheck {
  if (reply.stopReason === 'refusal') {
    throw new HeliosError('model_refused', 'The model declined to review this change', { model: reply.model });
  }
  const truncated = reply.stopReason === 'max_tokens';
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch {
    return { ok: false, problems: [truncated ? 'Your answer was cut off before the JSON ended; answer with fewer, shorter findings.' : 'Your answer is not valid JSON.'], truncated };
  }
  const parsed = ReviewFindingsSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.slice(0, 20).map((i) => `At ${i.path.join('.') || '(root)'}: ${i.message}.`), truncated };
  }
  const problems = findingProblems(parsed.data, lineCounts);
  return problems.length > 0 ? { ok: false, problems, truncated: false } : { ok: true, findings: parsed.data };
}

/** Helios's rules for findings; each problem names the finding so the model can fix exactly it. */
export function findingProblems(review: ReviewFindings, lineCounts: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  review.findings.forEach((f, i) => {
    const at = `Finding ${i + 1} (${f.path}:${f.startLine}-${f.endLine})`;
    const count = lineCounts.get(f.path);
    if (count === undefined) {
      problems.push(`${at}: "${f.path}" is not a file of this change; the files are ${[...lineCounts.keys()].join(', ')}.`);
      return;
    }
    if (f.startLine > f.endLine) problems.push(`${at}: startLine is after endLine.`);
    if (f.startLine < 1 || f.endLine > count) {
      problems.push(`${at}: the proposed content of ${f.path} has lines 1-${count}; cite lines that exist.`);
    }
  });
  if (review.verdict === 'request_changes' && review.findings.length === 0) {
    problems.push('The verdict is request_changes but there are no findings: add the findings that must be fixed, or approve.');
  }
  return problems;
}

/** Lines of a proposed file as the diff numbers them (a final newline does not start a line). */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  const breaks = text.match(/\r?\n/g)?.length ?? 0;
  return /\r?\n$/.test(text) ? breaks : breaks + 1;
}

async function reviewedFiles(change: ProposedChange, readBase: ReviewerOptions['readBase']): Promise<ReviewedFile[]> {
  const files: ReviewedFile[] = [];
  for (const f of change.files) {
    let base: string | undefined;
    let baseKnown = true;
    if (f.action === 'create') base = undefined;
    else if (f.baseContent !== undefined) base = f.baseContent;
    else if (readBase) {
      base = await readBase(f.path);
      // A file that changed since the Coder read it would give a wrong diff: show the file whole.
      baseKnown = base !== undefined && sha256Hex(base) === f.baseSha256;
    } else baseKnown = false;
    files.push({ path: f.path, action: f.action, base, baseKnown, proposed: f.proposedContent });
  }
  return files;
}

