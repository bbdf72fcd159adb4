import { findModel } from '../../shared/models';
import type { ProposedChange } from '../../shared/proposedChange';
import type { Task } from '../../shared/taskGraph';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../shared/usage';
import { normalizeWorkspacePath, pathProblem } from '../changes/paths';
import { makeProposedChange } from '../changes/proposedChange';
import { structuredAsker, throwIfAborted } from './structuredAsk';
import { HeliosError, isHeliosError } from '../errors/heliosError';
import type { Effort, LlmClient, LlmMessage, LlmResponse } from '../llm/llmClient';
import { coderRepairMessages, coderSystem, reworkPart, taskMessage, type CoderRework, type ShownFile } from './coderPrompt';
import { CoderEditsSchema, coderEditsJsonSchema } from './coderSchema';
import { describeEditIssues, readablePaths, validateEdits } from './editValidation';

/**
 * The workspace as the Coder sees it: read-only. `undefined` = the file does not exist; a path that
 * resolves outside the workspace (a symlink) throws `path_outside_workspace` and is never read.
 */
export interface CoderWorkspace {
  read(path: string): Promise<string | undefined>;
}

export type CoderPhase = 'reading' | 'coding' | 'repairing';

export interface CoderOptions {
  readonly client: LlmClient;
  readonly model: string;
  readonly workspace: CoderWorkspace;
  readonly planId: string;
  /** A prebuilt context (the context builder's `text`); otherwise the task's files, bounded. */
  readonly context?: string;
  readonly signal?: AbortSignal;
  /** Output budget of one call; default from the task's estimate (2× + 2K, 4K…32K). */
  readonly maxOutputTokens?: number;
  readonly effort?: Effort;
  /** Bounds of the built-in file selection, in characters. */
  readonly maxFileChars?: number;
  readonly maxContextChars?: number;
  readonly now?: () => Date;
  readonly onPhase?: (phase: CoderPhase) => void;
  readonly onProgress?: (outputChars: number) => void;
  /** The task comes back: the previous proposal with the review findings or the failed verification. */
  readonly rework?: CoderRework;
  /** Every response as it arrives, also those of an attempt that ends in an error (for accounting). */
  readonly onCall?: (response: LlmResponse) => void;
}

export interface CoderResult {
  readonly change: ProposedChange;
  /** The model that answered, as the provider reported it. */
  readonly model: string;
  /** Sum of the provider-reported usage of every call, the repair included. */
  readonly usage: TokenUsage;
  readonly calls: readonly LlmResponse[];
  readonly repairs: 0 | 1;
}

export const CODER_LIMITS = { maxFileChars: 60_000, maxContextChars: 160_000, minOutputTokens: 4_096, maxOutputTokens: 32_000 } as const;

export function defaultCoderMaxTokens(task: Task, model: string): number {
  const wanted = Math.min(CODER_LIMITS.maxOutputTokens, Math.max(CODER_LIMITS.minOutputTokens, task.estimatedTokens * 2 + 2_048));
  return Math.min(wanted, findModel(model)?.maxOutputTokens ?? wanted);
}

/**
 * Task → validated proposed change. Structured output keeps the reply in the `CoderEdits` schema;
 * Helios's own rules (safe paths, create only new files, search texts found exactly once) are
 * checked against the workspace as read. A reply that breaks them gets exactly one repair round
 * trip with the problems listed, then a typed error. Nothing is written to the workspace.
 */
export async function runCoder(task: Task, options: CoderOptions): Promise<CoderResult> {
  const { client, model, workspace, signal } = options;
  throwIfAborted(signal);
  options.onPhase?.('reading');
  const bases = new Map<string, string | undefined>();
  /** Paths that resolve outside the workspace: left out of the prompt, and no edit may touch them. */
  const outside = new Set<string>();
  const shown = await selectFiles(task, workspace, bases, outside, options);

  const system = coderSystem();
  const asked = taskMessage(task, shown, options.context);
  // The rework goes after the task so the cached prefix (system, plan, task) stays the same.
  const first: LlmMessage = options.rework ? { ...asked, content: [...asked.content, reworkPart(options.rework)] } : asked;
  const maxTokens = options.maxOutputTokens ?? defaultCoderMaxTokens(task, model);
  const outputSchema = coderEditsJsonSchema();
  const { ask, calls } = structuredAsker({
    client, model, system, maxTokens, outputSchema, tags: { agent: 'coder', planId: options.planId, taskId: task.id },
    ...(signal ? { signal } : {}),
    ...(options.effort ? { effort: options.effort } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const finish = (check: Accepted, repairs: 0 | 1): CoderResult => {
    const last = calls[calls.length - 1]!;
    const change = makeProposedChange(
      { planId: options.planId, taskId: task.id, model: last.model, summary: check.summary, createdAt: (options.now?.() ?? new Date()).toISOString() },
      // The base as read goes with the change: hunk decisions need it after the file changes on disk.
      check.files.map((f) => {
        const base = bases.get(f.path);
        return f.action === 'create' || base === undefined ? f : { ...f, baseContent: base };
      }),
    );
    return { change, model: last.model, usage: calls.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE), calls, repairs };
  };

  options.onPhase?.('coding');
  const firstReply = await ask([first]);
  const firstCheck = await checkReply(firstReply, workspace, bases, outside, signal);
  if (firstCheck.ok) return finish(firstCheck, 0);

  options.onPhase?.('repairing');
  const secondReply = await ask([first, ...coderRepairMessages(firstReply.text, firstCheck.problems)]);
  const secondCheck = await checkReply(secondReply, workspace, bases, outside, signal);
  if (secondCheck.ok) return finish(secondCheck, 1);

  throw new HeliosError(
    secondCheck.truncated ? 'model_output_truncated' : 'model_output_invalid',
    `The Coder's edits for ${task.id} are still invalid after one repair: ${secondCheck.problems.join(' ')}`,
    { problems: secondCheck.problems, model: secondReply.model, taskId: task.id, maxTokens, kind: secondCheck.kind },
  );
}

/** The task's declared files, read once: their content is both the prompt and the validation base. */
async function selectFiles(
  task: Task, workspace: CoderWorkspace, bases: Map<string, string | undefined>, outside: Set<string>, options: CoderOptions,
): Promise<ShownFile[]> {
  const maxFile = options.maxFileChars ?? CODER_LIMITS.maxFileChars;
  let budget = options.maxContextChars ?? CODER_LIMITS.maxContextChars;
  const shown: ShownFile[] = [];
  for (const raw of task.files) {
    const path = normalizeWorkspacePath(raw);
    if (pathProblem(path) !== undefined || bases.has(path)) continue;
    throwIfAborted(options.signal);
    const content = await readConfined(workspace, path);
    if (content === OUTSIDE) {
      outside.add(path);
      shown.push({ path, content: undefined, truncated: false, omitted: true, fullLength: 0, outside: true });
      continue;
    }
    bases.set(path, content);
    if (content === undefined) {
      shown.push({ path, content: undefined, truncated: false, omitted: false, fullLength: 0 });
      continue;
    }
    const room = Math.min(maxFile, budget);
    const cut = content.length > room ? content.slice(0, Math.max(0, room)) : content;
    budget -= cut.length;
    shown.push({ path, content: cut.length > 0 || content.length === 0 ? cut : undefined, truncated: cut.length < content.length, omitted: cut.length === 0 && content.length > 0, fullLength: content.length });
  }
  return shown;
}

interface Accepted {
  readonly ok: true;
  readonly summary: string;
  readonly files: ProposedChange['files'];
}

type ReplyCheck = Accepted | { readonly ok: false; readonly problems: string[]; readonly truncated: boolean; readonly kind: 'json' | 'schema' | 'edits' };

async function checkReply(
  reply: LlmResponse, workspace: CoderWorkspace, bases: Map<string, string | undefined>, outside: Set<string>, signal: AbortSignal | undefined,
): Promise<ReplyCheck> {
  if (reply.stopReason === 'refusal') {
    throw new HeliosError('model_refused', 'The model declined to implement this task', { model: reply.model });
  }
  const truncated = reply.stopReason === 'max_tokens';
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch {
    const why = truncated
      ? 'Your answer was cut off before the JSON ended; use "edit" hunks instead of full files and answer more briefly.'
      : 'Your answer is not valid JSON.';
    return { ok: false, problems: [why], truncated, kind: 'json' };
  }
  const parsed = CoderEditsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => `At ${i.path.join('.') || '(root)'}: ${i.message}.`);
    return { ok: false, problems, truncated, kind: 'schema' };
  }
  // Files the model names beyond the task's own are read now, only if their paths are safe.
  for (const path of readablePaths(parsed.data.files)) {
    if (bases.has(path) || outside.has(path)) continue;
    throwIfAborted(signal);
    const content = await readConfined(workspace, path);
    if (content === OUTSIDE) outside.add(path);
    else bases.set(path, content);
  }
  const escaping = parsed.data.files.filter((f) => outside.has(normalizeWorkspacePath(f.path))).map((f) => f.path);
  if (escaping.length > 0) {
    return { ok: false, problems: escaping.map((p) => `${p} resolves outside the workspace (a symbolic link): leave it out of your edits.`), truncated: false, kind: 'edits' };
  }
  const result = validateEdits(parsed.data.files, bases);
  if (!result.ok) return { ok: false, problems: describeEditIssues(result.issues), truncated: false, kind: 'edits' };
  return { ok: true, summary: parsed.data.summary.trim(), files: result.files };
}

const OUTSIDE = Symbol('outside the workspace');

/** A read that says when the path resolves outside the workspace instead of reading it. */
async function readConfined(workspace: CoderWorkspace, path: string): Promise<string | undefined | typeof OUTSIDE> {
  try {
    return await workspace.read(path);
  } catch (error) {
    if (isHeliosError(error, 'path_outside_workspace')) return OUTSIDE;
    throw error;
  }
}

/** Whether a Coder failure is one the router escalates (invalid or truncated output, after the repair). */
export function shouldEscalate(error: unknown): boolean {
  return isHeliosError(error, 'model_output_invalid') || isHeliosError(error, 'model_output_truncated');
}

