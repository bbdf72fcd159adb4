import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { LlmRequest, LlmResponse, TextPart } from '../llm/llmClient';

/**
 * L2: exact-match cache. The key is the SHA-256 of the canonical request — every field that can
 * change the answer, in canonical JSON (sorted keys), plus HELIOS_PROMPT_VERSION so a change to
 * Helios's own prompts or parsing never serves an answer made for the old ones. Cache breakpoints,
 * tags, signals and progress callbacks are not part of the answer and are left out.
 *
 * Only complete answers are stored (`end_turn`, `tool_use`): errors never reach `set`, and
 * refusals, `max_tokens` cut-offs and pauses are refused. Entries expire after `ttlMs` by the
 * injected clock (so tests and persisted entries agree on time) and are bounded in count and bytes.
 */

/** Bump when a prompt, schema or reply parser of Helios changes meaning. */
export const HELIOS_PROMPT_VERSION = 'helios-prompts-2026-11-24';

export const EXACT_DEFAULTS = { maxEntries: 5_000, maxBytes: 64 * 1024 * 1024, ttlMs: 7 * 24 * 60 * 60_000 } as const;

export interface ExactEntry {
  readonly key: string;
  readonly response: LlmResponse;
  readonly expiresAt: number;
  /** Workspace files the answer depended on; a change to one drops the entry. */
  readonly paths: readonly string[];
}

/** What another window left in the store since this one last wrote (see `ExactCacheStore.update`). */
export interface StoredByOthers {
  readonly entries: readonly ExactEntry[];
  /** Another window cleared the cache since: entries this one holds from before are gone too. */
  readonly cleared: boolean;
}

/** What a shared store had under a key: an entry, nothing, or a value that is not an entry. */
export type SharedLookup = { readonly kind: 'hit'; readonly entry: ExactEntry } | { readonly kind: 'miss' } | { readonly kind: 'corrupt'; readonly error: string };

/** Persistence behind a small interface (infra: an atomic JSON file in workspace storage). */
export interface ExactCacheStore {
  load(): Promise<{ readonly kind: 'missing' } | { readonly kind: 'corrupt'; readonly error: string } | { readonly kind: 'ok'; readonly entries: readonly ExactEntry[] }>;
  save(entries: readonly ExactEntry[]): Promise<void>;
  /**
   * Read-modify-write for several windows over one store: under the store's lock, `merge` gets
   * what others wrote since this store's last write (no entries when nobody did) and returns what
   * to write. `clear` marks the write as a clear, which the other windows then follow.
   */
  update?(merge: (others: StoredByOthers) => readonly ExactEntry[], options?: { readonly clear?: boolean }): Promise<void>;
  /**
   * A store shared with teammates (team mode, Redis): asked on a local miss, so an identical
   * request a teammate already paid for is a hit here. Rejects when the store cannot answer.
   */
  lookup?(key: string): Promise<SharedLookup>;
  /** Writes a new entry through to the shared store (it expires there at `expiresAt`). */
  put?(entry: ExactEntry): Promise<void>;
  /** Drops shared entries: these keys and every entry that depended on these paths, or all of them. */
  forget?(what: { readonly keys: readonly string[]; readonly paths: readonly string[] } | { readonly all: true }): Promise<void>;
}

export interface ExactCacheOptions {
  readonly store?: ExactCacheStore;
  readonly maxEntries?: number;
  readonly maxBytes?: number;
  readonly ttlMs?: number;
  readonly now?: () => number;
  readonly promptVersion?: string;
  /**
   * A reason code and details; a corrupt file is reported here and discarded. A shared store that
   * cannot answer (`cache_shared_unavailable`, once until it answers again) or holds a value that
   * is not an entry (`cache_shared_corrupt`) is a miss, never a failed call.
   */
  readonly onWarning?: (reason: 'cache_file_corrupt' | 'cache_shared_unavailable' | 'cache_shared_corrupt', details: Readonly<Record<string, string>>) => void;
}

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const texts = (parts: readonly TextPart[]): string[] => parts.map((p) => p.text);

/** The fields that decide the answer; extra sampling fields (temperature, tools) are kept when present. */
export function canonicalRequest(request: LlmRequest, promptVersion = HELIOS_PROMPT_VERSION): unknown {
  const extra = request as unknown as Record<string, unknown>;
  return {
    v: promptVersion,
    model: request.model,
    system: texts(request.system),
    messages: request.messages.map((m) => ({ role: m.role, content: texts(m.content) })),
    maxTokens: request.maxTokens,
    outputSchema: request.outputSchema,
    effort: request.effort,
    temperature: extra.temperature,
    tools: extra.tools,
    toolChoice: extra.toolChoice,
  };
}

export function exactKey(request: LlmRequest, promptVersion = HELIOS_PROMPT_VERSION): string {
  return createHash('sha256').update(canonicalJson(canonicalRequest(request, promptVersion))).digest('hex');
}

/** Complete, successful, non-truncated answers only. */
export function isCacheableResponse(response: LlmResponse): boolean {
  return response.stopReason === 'end_turn' || response.stopReason === 'tool_use';
}

function sizeOf(e: ExactEntry): number {
  return 2 * (e.response.text.length + e.key.length) + 256 + e.paths.reduce((n, p) => n + 2 * p.length, 0);
}

export class ExactCache {
  private readonly lru: LRUCache<string, ExactEntry>;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private dirty = false;
  private saving: Promise<void> | undefined;
  /** What this window dropped since its last write, so a merge does not bring it back. */
  private dropped = { keys: new Set<string>(), paths: new Set<string>(), cleared: false };
  /** Writes to the shared store still on their way (`flush` waits for them). */
  private readonly sharing = new Set<Promise<void>>();
  private sharedFailing = false;

  constructor(private readonly options: ExactCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? EXACT_DEFAULTS.ttlMs;
    this.lru = new LRUCache<string, ExactEntry>({
      max: options.maxEntries ?? EXACT_DEFAULTS.maxEntries,
      maxSize: options.maxBytes ?? EXACT_DEFAULTS.maxBytes,
      sizeCalculation: sizeOf,
    });
  }

  keyOf(request: LlmRequest): string {
    return exactKey(request, this.options.promptVersion);
  }

  /** Loads the persisted entries; a corrupt file is discarded with a warning, never thrown. */
  async load(): Promise<void> {
    const read = await this.options.store?.load();
    if (!read || read.kind === 'missing') return;
    if (read.kind === 'corrupt') {
      this.options.onWarning?.('cache_file_corrupt', { layer: 'L2', error: read.error });
      this.dirty = true;
      return;
    }
    const now = this.now();
    // Oldest first, so the most recently used entries end up most recent in the LRU.
    for (const e of read.entries) if (e.expiresAt > now) this.lru.set(e.key, e);
  }

  get(key: string): LlmResponse | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.lru.delete(key);
      this.dropped.keys.add(key);
      this.dirty = true;
      return undefined;
    }
    return e.response;
  }

  /**
   * `get`, then on a local miss the shared store (team mode): a teammate's entry is served and kept
   * here too. A shared store that fails or holds garbage is a miss with a warning.
   */
  async lookup(key: string): Promise<LlmResponse | undefined> {
    const local = this.get(key);
    const store = this.options.store;
    if (local || !store?.lookup) return local;
    let found: SharedLookup;
    try {
      found = await store.lookup(key);
      this.sharedAnswered();
    } catch (error) {
      this.sharedFailed(error);
      return undefined;
    }
    if (found.kind === 'corrupt') this.options.onWarning?.('cache_shared_corrupt', { layer: 'L2', key, error: found.error });
    if (found.kind !== 'hit' || found.entry.key !== key || found.entry.expiresAt <= this.now() || !isCacheableResponse(found.entry.response)) return undefined;
    this.lru.set(key, found.entry);
    this.dirty = true;
    return found.entry.response;
  }

  /** Stores a complete answer; returns false (and stores nothing) for any other stop reason. */
  set(key: string, response: LlmResponse, paths: readonly string[] = []): boolean {
    if (!isCacheableResponse(response)) return false;
    const entry: ExactEntry = { key, response, expiresAt: this.now() + this.ttlMs, paths: [...paths] };
    this.lru.set(key, entry);
    this.dirty = true;
    const store = this.options.store;
    if (store?.put) this.share(store.put(entry));
    return true;
  }

  /** Drops every entry that depended on one of the paths; returns how many. */
  invalidate(paths: readonly string[]): number {
    const changed = new Set(paths);
    const removed: string[] = [];
    for (const [key, e] of this.lru.entries()) {
      if (e.paths.some((p) => changed.has(p))) {
        this.lru.delete(key);
        this.dropped.keys.add(key);
        removed.push(key);
      }
    }
    for (const p of paths) this.dropped.paths.add(p);
    if (removed.length > 0) this.dirty = true;
    // The shared copies too, and the teammates' entries on those paths this window never held.
    const store = this.options.store;
    if (store?.forget && paths.length > 0) this.share(store.forget({ keys: removed, paths: [...paths] }));
    return removed.length;
  }

  clear(): void {
    this.lru.clear();
    this.dropped = { keys: new Set(), paths: new Set(), cleared: true };
    this.dirty = true;
    // Otherwise the next lookup would bring the answers back from the shared store.
    if (this.options.store?.forget) this.share(this.options.store.forget({ all: true }));
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /**
   * Persists if anything changed; concurrent calls share one write. With a store that can
   * `update`, what other windows wrote meanwhile is merged in (and served from here on), except
   * what this window dropped; a clear in another window is followed here.
   */
  async flush(): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    await Promise.all([...this.sharing]);
    while (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    const dropped = this.dropped;
    this.dropped = { keys: new Set(), paths: new Set(), cleared: false };
    const write = store.update
      ? store.update((others) => this.merge(others, dropped), dropped.cleared ? { clear: true } : {})
      : store.save(this.ordered());
    // A failed write leaves the cache dirty, so the next flush tries again with the same drops.
    this.saving = write.catch((e: unknown) => {
      this.dirty = true;
      for (const k of dropped.keys) this.dropped.keys.add(k);
      for (const p of dropped.paths) this.dropped.paths.add(p);
      this.dropped.cleared ||= dropped.cleared;
      throw e;
    }).finally(() => (this.saving = undefined));
    await this.saving;
  }

  /** A write to the shared store, off the call path: a failure is a warning, never the caller's. */
  private share(write: Promise<void>): void {
    const tracked: Promise<void> = write.then(() => this.sharedAnswered(), (e: unknown) => this.sharedFailed(e)).finally(() => this.sharing.delete(tracked));
    this.sharing.add(tracked);
  }

  private sharedAnswered(): void {
    this.sharedFailing = false;
  }

  /** Warned once until the store answers again: an outage is one warning, not one per call. */
  private sharedFailed(error: unknown): void {
    if (!this.sharedFailing) this.options.onWarning?.('cache_shared_unavailable', { layer: 'L2', error: error instanceof Error ? error.message : String(error) });
    this.sharedFailing = true;
  }

  /** Oldest first, the order `load` expects. */
  private ordered(): ExactEntry[] {
    return [...this.lru.values()].reverse();
  }

  private merge(others: StoredByOthers, dropped: { readonly keys: ReadonlySet<string>; readonly paths: ReadonlySet<string>; readonly cleared: boolean }): ExactEntry[] {
    if (others.cleared && !dropped.cleared) this.lru.clear();
    const now = this.now();
    const theirs = dropped.cleared ? [] : others.entries.filter((e) => e.expiresAt > now && !this.lru.has(e.key) && !dropped.keys.has(e.key) && !e.paths.some((p) => dropped.paths.has(p)));
    if (theirs.length > 0) {
      // Theirs go in as the least recently used; the bounds then drop the oldest of all.
      const mine = this.ordered();
      this.lru.clear();
      for (const e of [...theirs, ...mine]) this.lru.set(e.key, e);
    }
    return this.ordered();
  }
}
