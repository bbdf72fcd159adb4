import type { LlmClient, LlmRequest, LlmResponse } from '../llm/llmClient';
import type { CachedLlmClient } from './cachedLlmClient';
import type { Task } from '../../shared/taskGraph';
import { contextFingerprint, type SemanticScope } from './semanticCache';

/** The L3 scope of a call, worked out when it is made (e.g. the task's files as they are now). */
export type ScopeResolver = (request: LlmRequest) => Promise<SemanticScope | undefined>;

/**
 * The cache as the agents' client: each call gets its L3 scope (agent, task type, context
 * fingerprint…) from `scopeFor`, and the key of each task's last Coder request is remembered so
 * that a Reviewer approval or a user's accept can mark that answer trusted — the one condition
 * under which L3 may serve it to a similar task later.
 */
export class ScopedCacheClient implements LlmClient {
  private readonly lastCoderKey = new Map<string, string>();

  constructor(readonly cache: CachedLlmClient, private readonly scopeFor: ScopeResolver) {}

  get provider(): string {
    return this.cache.provider;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const scope = await this.scopeFor(request).catch(() => undefined);
    const response = await this.cache.completeWithScope(request, scope);
    const { agent, planId, taskId } = request.tags ?? {};
    const key = this.cache.keyOf(request);
    if (agent === 'coder' && planId && taskId && key) this.lastCoderKey.set(`${planId}/${taskId}`, key);
    return response;
  }

  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    return this.cache.countTokens(request);
  }

  /** The cache key of the task's last Coder answer in this window, to store with its change. */
  coderKeyOf(planId: string, taskId: string): string | undefined {
    return this.lastCoderKey.get(`${planId}/${taskId}`);
  }

  /** The task's last Coder answer was approved or accepted: L3 may now serve it. False when unknown. */
  async trust(planId: string, taskId: string): Promise<boolean> {
    const key = this.coderKeyOf(planId, taskId);
    return key ? this.cache.markTrusted(key) : false;
  }
}

/**
 * The L3 scope of a Coder call: its task's type and text, and a fingerprint of the task's files as
 * they are now — a later task may get this answer only while those files are unchanged. Other
 * agents' calls get no scope (L2 only).
 */
export function coderScopeResolver(
  findTask: (planId: string, taskId: string) => Task | undefined,
  read: (path: string, planId: string) => Promise<string | undefined>,
): ScopeResolver {
  return async (request) => {
    const { agent, planId, taskId } = request.tags ?? {};
    const task = agent === 'coder' && planId && taskId ? findTask(planId, taskId) : undefined;
    if (!task || !planId) return undefined;
    // Through the plan's tree when the caller has one: the fingerprint is of what the Coder was shown.
    // A file that cannot be read safely (outside the workspace) counts as absent.
    const files = await Promise.all(task.files.map(async (f) => [f, await read(f, planId).catch(() => undefined)] as const));
    return { agent: 'coder', taskType: task.taskType, fingerprint: contextFingerprint(files), query: `${task.title}\n${task.description}`, paths: [...task.files] };
  };
}
