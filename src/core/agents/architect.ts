import { findModel } from '../../shared/models';
import type { TaskGraph } from '../../shared/taskGraph';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../shared/usage';
import { structuredAsker } from './structuredAsk';
import { HeliosError } from '../errors/heliosError';
import type { LlmClient, LlmMessage, LlmResponse } from '../llm/llmClient';
import { TaskGraphSchema, taskGraphJsonSchema } from '../plan/taskGraphSchema';
import { describeIssues, validateTaskGraph } from '../plan/validateTaskGraph';
import { architectSystem, prdMessage, repairMessages } from './architectPrompt';
import type { PrdDocument } from './prdInput';

export type ArchitectPhase = 'measuring' | 'planning' | 'repairing';

export interface ArchitectOptions {
  readonly client: LlmClient;
  readonly model: string;
  /** Output budget of one planning call. Large PRDs with 100+ sections need ~20K tokens. */
  readonly maxOutputTokens?: number;
  readonly signal?: AbortSignal;
  readonly onPhase?: (phase: ArchitectPhase) => void;
  readonly onProgress?: (outputChars: number) => void;
  /** A ranked map of the existing code (code analysis), when the workspace is not empty. */
  readonly repoMap?: string;
}

export interface DecomposeResult {
  readonly graph: TaskGraph;
  /** The model that answered, as the provider reported it. */
  readonly model: string;
  /** Sum of the provider-reported usage of every call, repairs included. */
  readonly usage: TokenUsage;
  readonly calls: readonly LlmResponse[];
  readonly repairs: 0 | 1;
}

const DEFAULT_MAX_OUTPUT = 32_000;

/**
 * PRD → validated TaskGraph. Structured output keeps the reply in the schema; Helios's own rules
 * (unique ids, known dependencies, no cycles, safe paths) are checked here. A reply that breaks
 * them gets exactly one repair round trip with the problems listed, then a typed error.
 */
export async function decomposePrd(prd: PrdDocument, options: ArchitectOptions): Promise<DecomposeResult> {
  const { client, model } = options;
  const maxTokens = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT;
  const system = architectSystem();
  const first = prdMessage(prd.path, prd.text, options.repoMap);

  options.onPhase?.('measuring');
  await assertFitsContext(client, model, system, first, maxTokens, options.signal);

  const outputSchema = taskGraphJsonSchema();
  const { ask, calls } = structuredAsker({
    client, model, system, maxTokens, outputSchema, tags: { agent: 'architect' },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  options.onPhase?.('planning');
  const firstReply = await ask([first]);
  const firstCheck = checkReply(firstReply);
  if (firstCheck.ok) return result(firstCheck.graph, calls, 0);

  options.onPhase?.('repairing');
  const secondReply = await ask([first, ...repairMessages(firstReply.text, firstCheck.problems)]);
  const secondCheck = checkReply(secondReply);
  if (secondCheck.ok) return result(secondCheck.graph, calls, 1);

  throw new HeliosError(
    secondCheck.truncated ? 'model_output_truncated' : secondCheck.schemaError ? 'model_output_invalid' : 'plan_invalid',
    `The Architect's plan is still invalid after one repair: ${secondCheck.problems.join(' ')}`,
    { problems: secondCheck.problems, model: secondReply.model, maxTokens, agent: 'architect', prdPath: prd.path },
  );
}

type ReplyCheck =
  | { ok: true; graph: TaskGraph }
  | { ok: false; problems: string[]; truncated: boolean; schemaError: boolean };

function checkReply(reply: LlmResponse): ReplyCheck {
  if (reply.stopReason === 'refusal') {
    throw new HeliosError('model_refused', 'The model declined to plan this PRD', { model: reply.model });
  }
  const truncated = reply.stopReason === 'max_tokens';
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch {
    const why = truncated ? 'Your answer was cut off before the JSON ended; answer more briefly.' : 'Your answer is not valid JSON.';
    return { ok: false, problems: [why], truncated, schemaError: true };
  }
  const parsed = TaskGraphSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => `At ${i.path.join('.') || '(root)'}: ${i.message}.`);
    return { ok: false, problems, truncated, schemaError: true };
  }
  const issues = validateTaskGraph(parsed.data);
  if (issues.length > 0) return { ok: false, problems: describeIssues(issues), truncated: false, schemaError: false };
  return { ok: true, graph: parsed.data };
}

function result(graph: TaskGraph, calls: readonly LlmResponse[], repairs: 0 | 1): DecomposeResult {
  return {
    graph,
    model: calls[calls.length - 1]!.model,
    usage: calls.reduce((sum, c) => addUsage(sum, c.usage), ZERO_USAGE),
    calls,
    repairs,
  };
}

/**
 * Refuses a PRD that cannot fit the model's context window together with the output budget,
 * before spending anything: token counting is free on the provider.
 */
async function assertFitsContext(
  client: LlmClient, model: string, system: ReturnType<typeof architectSystem>, message: LlmMessage,
  maxTokens: number, signal: AbortSignal | undefined,
): Promise<void> {
  const info = findModel(model);
  if (!info) return; // A model outside the table: let the provider judge.
  const limit = info.contextWindow - Math.min(maxTokens, info.maxOutputTokens);
  // Cheap bound first: no tokenizer yields fewer than one token per 8 bytes of text.
  const bytes = message.content.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
  const tokens = bytes / 8 > limit ? Math.ceil(bytes / 4) : await client.countTokens({ model, system, messages: [message], signal });
  if (tokens > limit) {
    throw new HeliosError('prd_too_large', `The PRD needs about ${tokens} tokens; ${model} accepts ${limit} with the output budget`, {
      tokens, limit, model,
    });
  }
}

