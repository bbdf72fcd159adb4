import * as vscode from 'vscode';
import { CachedLlmClient, cacheMetricsListener, type CacheMetrics, type CacheStats } from '../core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../core/cache/embedder';
import { ExactCache } from '../core/cache/exactCache';
import { ScopedCacheClient, type ScopeResolver } from '../core/cache/scopedCacheClient';
import { SemanticCache } from '../core/cache/semanticCache';
import type { HeliosSettings } from '../core/config/settings';
import type { LlmClient } from '../core/llm/llmClient';
import { FileExactCacheStore } from '../infra/cache/fileExactCacheStore';
import { TeamExactCacheStore } from '../infra/cache/teamExactCacheStore';
import { VectraIndex } from '../infra/cache/vectraIndex';

const INVALIDATE_DELAY_MS = 500;

/**
 * The window's cache layers over one workspace: L2 (exact match) and L3 (semantic, vectra) in
 * workspace storage, shared by every client the window builds, so stats and invalidation see one
 * cache. L1 (provider prompt caching) is planned per request by the facade and needs no storage.
 * Files that change in the workspace invalidate the entries that depended on them.
 */
export class CacheHost implements vscode.Disposable {
  private readonly exact: ExactCache | undefined;
  /** L2's store: the workspace's file, and the team's Redis while in team mode. */
  private readonly store: TeamExactCacheStore | undefined;
  private readonly semantic: SemanticCache | undefined;
  private loaded: Promise<void> | undefined;
  private readonly clients = new Set<CachedLlmClient>();
  private readonly disposables: vscode.Disposable[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    storage: vscode.Uri | undefined,
    settings: HeliosSettings,
    private readonly log: vscode.LogOutputChannel,
    private readonly metrics?: CacheMetrics,
  ) {
    const warn = (reason: string, details: Readonly<Record<string, string>>) => log.warn(`Cache: ${reason} ${JSON.stringify(details)} — discarded, nothing else is affected`);
    const on = storage !== undefined && settings.cacheEnabled;
    this.store = on ? new TeamExactCacheStore(new FileExactCacheStore(vscode.Uri.joinPath(storage, 'cache', 'exact.json').fsPath)) : undefined;
    this.exact = this.store ? new ExactCache({ store: this.store, onWarning: warn }) : undefined;
    this.semantic = on && settings.cacheSemanticEnabled
      ? new SemanticCache({ index: new VectraIndex(vscode.Uri.joinPath(storage, 'cache', 'l3').fsPath, { onWarning: warn }), embedder: new HashedNgramEmbedder() })
      : undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (on && folder) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'), true, false, false);
      const changed = (uri: vscode.Uri) => this.fileChanged(vscode.workspace.asRelativePath(uri, false));
      this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidDelete(changed));
    }
  }

  /** The stored L2 entries, read on first use (not at activation). */
  private load(): Promise<void> {
    this.loaded ??= (this.exact?.load() ?? Promise.resolve()).then(() => undefined, (e: unknown) => this.log.warn(`Cache: could not load (${String(e)}); starting empty`));
    return this.loaded;
  }

  /** `router → cache → governor → provider`: wraps a governed client; `scopeFor` enables L3 for its calls. */
  async wrap(governed: LlmClient, scopeFor: ScopeResolver = () => Promise.resolve(undefined)): Promise<ScopedCacheClient> {
    await this.load();
    const cache = new CachedLlmClient(governed, {
      ...(this.exact ? { exact: this.exact } : {}),
      ...(this.semantic ? { semantic: this.semantic } : {}),
      ...(this.metrics ? { onEvent: cacheMetricsListener(this.metrics) } : {}),
      onWarning: (_reason, d) => this.log.warn(`Cache: could not write ${d.layer ?? ''} (${d.error ?? ''}) — answers are still returned, that entry is not kept`),
    });
    this.clients.add(cache);
    return new ScopedCacheClient(cache, scopeFor);
  }

  /** The layers' counters summed over this window's clients; sizes from the shared stores. */
  async stats(): Promise<CacheStats | undefined> {
    const all = await Promise.all([...this.clients].map((c) => c.stats()));
    if (all.length === 0) return undefined;
    const sum = (pick: (s: CacheStats) => number) => all.reduce((n, s) => n + pick(s), 0);
    const first = all[0]!;
    return {
      L1: { calls: sum((s) => s.L1.calls), callsWithReads: sum((s) => s.L1.callsWithReads), readTokens: sum((s) => s.L1.readTokens), writeTokens: sum((s) => s.L1.writeTokens), inputTokens: sum((s) => s.L1.inputTokens), savedUsd: sum((s) => s.L1.savedUsd) },
      L2: { hits: sum((s) => s.L2.hits), misses: sum((s) => s.L2.misses), savedTokens: sum((s) => s.L2.savedTokens), savedUsd: sum((s) => s.L2.savedUsd), entries: first.L2.entries, bytes: first.L2.bytes, writeFailures: sum((s) => s.L2.writeFailures) },
      L3: { hits: sum((s) => s.L3.hits), misses: sum((s) => s.L3.misses), savedTokens: sum((s) => s.L3.savedTokens), savedUsd: sum((s) => s.L3.savedUsd), hints: sum((s) => s.L3.hints), blocked: mergeCounts(all.map((s) => s.L3.blocked)), entries: first.L3.entries, writeFailures: sum((s) => s.L3.writeFailures) },
      savedTokens: sum((s) => s.savedTokens),
      savedUsd: sum((s) => s.savedUsd),
    };
  }

  /** Sizes even before any call of this window (the stores are loaded from disk). */
  async sizes(): Promise<{ entries: number; bytes: number }> {
    await this.load();
    return { entries: this.exact?.size ?? 0, bytes: this.exact?.bytes ?? 0 };
  }

  /**
   * Shares L2 with the team through its Redis (a teammate's identical request is a hit here, and
   * this window's answers are theirs), or stops sharing (`undefined`). A Redis that cannot be
   * reached leaves the cache local: a miss costs a call, the cap is the account board's concern.
   */
  async useTeam(url: string | undefined): Promise<void> {
    if (!this.store) return;
    if (url === undefined) {
      await this.store.useTeam(undefined);
      return;
    }
    const { RedisExactCacheStore } = await import('../infra/cache/redisExactCacheStore');
    try {
      await this.store.useTeam(() => RedisExactCacheStore.open({ url, onError: (m) => this.log.warn(`Cache: ${m}`) }));
      this.log.info(`Cache: exact-match entries shared with the team through ${this.store.where ?? ''}`);
    } catch (error) {
      this.log.warn(`Cache: the team's exact-match entries are not shared for now (${error instanceof Error ? error.message : String(error)}); this window's cache works on its own`);
    }
  }

  enabled(): { exact: boolean; semantic: boolean } {
    return { exact: this.exact !== undefined, semantic: this.semantic !== undefined };
  }

  /** Marks a stored answer trusted for L3 by its key (a change accepted, in this window or a later one). */
  async trust(key: string): Promise<boolean> {
    // An accept right after the run may come before the entry's write has landed.
    await this.settled();
    return (await this.semantic?.markTrusted(key)) ?? false;
  }

  /** Every client's pending L3 writes, so a clear or an invalidation is not undone by a late one. */
  private async settled(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.settled()));
  }

  async clear(): Promise<void> {
    await this.load();
    await this.settled();
    this.exact?.clear();
    await this.exact?.flush();
    await this.semantic?.clear();
  }

  private fileChanged(path: string): void {
    if (path.startsWith('..') || /(^|\/)(node_modules|\.git)\//.test(path)) return;
    this.pending.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const paths = [...this.pending];
      this.pending = new Set();
      void this.invalidate(paths)
        .then((n) => { if (n > 0) this.log.info(`Cache: ${n} entries depended on ${paths.length} changed file(s) and were dropped`); })
        .catch((e: unknown) => this.log.warn(`Cache invalidation failed: ${String(e)}`));
    }, INVALIDATE_DELAY_MS);
  }

  private async invalidate(paths: readonly string[]): Promise<number> {
    await this.load();
    await this.settled();
    const l2 = this.exact?.invalidate(paths) ?? 0;
    if (l2 > 0) await this.exact?.flush();
    return l2 + ((await this.semantic?.invalidate(paths)) ?? 0);
  }

  dispose(): void {
    clearTimeout(this.timer);
    void this.store?.close();
    for (const d of this.disposables) d.dispose();
  }
}

/** Per-guard counts of several clients, added up. */
function mergeCounts<K extends string>(counts: ReadonlyArray<Readonly<Partial<Record<K, number>>>>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const c of counts) for (const [k, n] of Object.entries(c) as Array<[K, number]>) out[k] = (out[k] ?? 0) + n;
  return out;
}
