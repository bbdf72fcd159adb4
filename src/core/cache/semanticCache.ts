import { createHash } from 'node:crypto';
import { findModel, type ModelFamily } from '../../shared/models';
import type { LlmResponse } from '../llm/llmClient';
import type { Embedder } from './embedder';
import { isCacheableResponse } from './exactCache';
import { sameRequirement } from './sameRequirement';

/**
 * L3: a guarded semantic cache. A lookup is a *hit* (the cached answer is served) only when every
 * guard passes: same agent and task type, the entry's model tier is the same or stronger, the same
 * context fingerprint (the files and signatures the answer depended on), similarity above the task
 * type's threshold, the same content words in the same clauses (bag-of-words embedders cannot tell
 * “enable” from “disable”, nor “from A to B” from “from B to A”; see `sameRequirement`), and the
 * entry was trusted (accepted by the user or approved by the Reviewer).
 * When only the fingerprint differs, or the scope says answers may not be served (edits against
 * files), the trusted answer comes back as a *hint* for the prompt instead.
 */

export interface SemanticScope {
  readonly agent: string;
  readonly taskType: string;
  /** Hash of the files/signatures the answer depends on (see `contextFingerprint`). */
  readonly fingerprint: string;
  /** The text compared by meaning (e.g. the task's title and description). */
  readonly query: string;
  /** Workspace files the answer depends on, for invalidation. */
  readonly paths?: readonly string[];
  /** false: never serve as the answer, at most as a hint. Default true. */
  readonly servable?: boolean;
}

export interface SemanticEntryMeta {
  readonly key: string;
  readonly embedder: string;
  readonly agent: string;
  readonly taskType: string;
  readonly tier: number;
  readonly fingerprint: string;
  readonly query: string;
  readonly trusted: boolean;
  readonly paths: readonly string[];
  readonly response: LlmResponse;
}

/** An entry without its answer: what the guards read. */
export type SemanticEntrySummary = Omit<SemanticEntryMeta, 'response'>;

/** Storage of vectors with their metadata (infra: a vectra LocalIndex in workspace storage). */
export interface VectorIndex {
  upsert(id: string, vector: number[], meta: SemanticEntryMeta): Promise<void>;
  /** Top-k by cosine among entries of this agent, task type and embedder. */
  query(vector: number[], filter: { readonly agent: string; readonly taskType: string; readonly embedder: string }, topK: number): Promise<Array<{ readonly meta: SemanticEntrySummary; readonly score: number }>>;
  /**
   * The stored answer of an entry, read only for a hit or a hint (answers can be large; the vectors
   * and guard fields are what every lookup scans). Undefined when it is gone.
   */
  answer(entry: SemanticEntrySummary): Promise<LlmResponse | undefined>;
  get(id: string): Promise<SemanticEntryMeta | undefined>;
  setTrusted(id: string, trusted: boolean): Promise<boolean>;
  /** Deletes entries whose paths include any of these; returns how many. */
  deleteByPaths(paths: readonly string[]): Promise<number>;
  clear(): Promise<void>;
  size(): Promise<number>;
}

export type SemanticGuard = 'agent_task_type' | 'tier' | 'fingerprint' | 'threshold' | 'words' | 'trust';

export type SemanticLookup =
  | { readonly kind: 'hit'; readonly response: LlmResponse; readonly score: number; readonly key: string }
  | { readonly kind: 'hint'; readonly response: LlmResponse; readonly score: number; readonly key: string; readonly why: 'fingerprint' | 'not_servable' }
  | { readonly kind: 'miss'; readonly blockedBy?: SemanticGuard; readonly score?: number };

/** Per task type; the Coder's edit types are strictest. Unknown types use `default`. */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, number>> = {
  default: 0.95,
  code_generation: 0.97,
  boilerplate_generation: 0.96,
  refactoring: 0.97,
  bug_fix: 0.97,
  unit_test: 0.96,
  integration_test: 0.96,
  documentation: 0.93,
  code_review: 0.95,
  architectural_reasoning: 0.95,
  high_level_planning: 0.95,
};

const TIERS: Readonly<Record<ModelFamily, number>> = { haiku: 1, sonnet: 2, opus: 3, fable: 4 };

export function modelTier(modelId: string): number {
  const family = findModel(modelId)?.family;
  return family ? TIERS[family] : 0;
}

/** SHA-256 over the sorted (path, content or signature) pairs an answer depended on. */
export function contextFingerprint(items: ReadonlyArray<readonly [path: string, content: string | undefined]>): string {
  const h = createHash('sha256');
  for (const [p, c] of [...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(p).update('\u0000').update(c ?? '\u0001missing').update('\u0000');
  return h.digest('hex');
}

export interface SemanticCacheOptions {
  readonly index: VectorIndex;
  readonly embedder: Embedder;
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Keep the word guard, `sameRequirement` (default true; a real embedder may relax it). */
  readonly requireSameContentWords?: boolean;
  readonly topK?: number;
}

export class SemanticCache {
  constructor(private readonly options: SemanticCacheOptions) {}

  threshold(taskType: string): number {
    const t = this.options.thresholds ?? DEFAULT_THRESHOLDS;
    return t[taskType] ?? t.default ?? DEFAULT_THRESHOLDS.default!;
  }

  async lookup(scope: SemanticScope, modelId: string): Promise<SemanticLookup> {
    const vector = await this.options.embedder.embed(scope.query);
    const found = await this.options.index.query(vector, { agent: scope.agent, taskType: scope.taskType, embedder: this.options.embedder.id }, this.options.topK ?? 5);
    if (found.length === 0) return { kind: 'miss', blockedBy: 'agent_task_type' };
    const tier = modelTier(modelId);
    const threshold = this.threshold(scope.taskType);
    let blockedBy: SemanticGuard = 'threshold';
    let hint: SemanticLookup | undefined;
    const strictWords = this.options.requireSameContentWords ?? true;
    for (const { meta, score } of found) {
      // Guards in order of cost; remember the strongest reason a candidate failed.
      if (score < threshold) continue;
      if (strictWords && !sameRequirement(meta.query, scope.query)) { blockedBy = 'words'; continue; }
      if (meta.tier < tier) { blockedBy = 'tier'; continue; }
      if (!meta.trusted) { blockedBy = 'trust'; continue; }
      const servable = meta.fingerprint === scope.fingerprint && scope.servable !== false;
      if (meta.fingerprint !== scope.fingerprint) blockedBy = 'fingerprint';
      if (!servable && hint) continue;
      const response = await this.options.index.answer(meta);
      if (!response) continue;
      if (servable) return { kind: 'hit', response, score, key: meta.key };
      hint = { kind: 'hint', response, score, key: meta.key, why: meta.fingerprint !== scope.fingerprint ? 'fingerprint' : 'not_servable' };
    }
    return hint ?? { kind: 'miss', blockedBy, score: found[0]!.score };
  }

  /** Stores a complete answer (untrusted until `markTrusted`); returns false for any other. */
  async store(key: string, scope: SemanticScope, response: LlmResponse): Promise<boolean> {
    if (!isCacheableResponse(response)) return false;
    const vector = await this.options.embedder.embed(scope.query);
    await this.options.index.upsert(key, vector, {
      key, embedder: this.options.embedder.id, agent: scope.agent, taskType: scope.taskType, tier: modelTier(response.model),
      fingerprint: scope.fingerprint, query: scope.query, trusted: false, paths: [...(scope.paths ?? [])], response,
    });
    return true;
  }

  markTrusted(key: string, trusted = true): Promise<boolean> {
    return this.options.index.setTrusted(key, trusted);
  }

  invalidate(paths: readonly string[]): Promise<number> {
    return this.options.index.deleteByPaths(paths);
  }

  clear(): Promise<void> {
    return this.options.index.clear();
  }

  size(): Promise<number> {
    return this.options.index.size();
  }
}
