import path from 'node:path';
import { CachedLlmClient } from '../core/cache/cachedLlmClient';
import { HashedNgramEmbedder } from '../core/cache/embedder';
import { ExactCache } from '../core/cache/exactCache';
import { ScopedCacheClient, type ScopeResolver } from '../core/cache/scopedCacheClient';
import { SemanticCache } from '../core/cache/semanticCache';
import { createContextHook } from '../core/context/contextHook';
import { once } from '../core/context/reviewContext';
import type { LlmClient } from '../core/llm/llmClient';
import { FileExactCacheStore } from '../infra/cache/fileExactCacheStore';
import { TeamExactCacheStore } from '../infra/cache/teamExactCacheStore';
import { VectraIndex } from '../infra/cache/vectraIndex';
import { memberName } from '../infra/governor/accountDir';
import type { RedisAccountBoard } from '../infra/governor/redisAccountBoard';

/**
 * What `helios run` builds its call chain from, besides the governor: the team's account board
 * (team mode), the L2/L3 caches (shared with the team when it has one) and the workspace's graph
 * for the Coder's and the Reviewer's context.
 */

/**
 * The Coder's context from the code analysis of `--workspace` (see `createContextHook`). ts-morph
 * is imported on the first task, never by other commands; on any error the Coder selects files itself.
 */
export function workspaceContext(root: string, log: (line: string) => void, open = openGraphOnce(root)): ReturnType<typeof createContextHook> {
  return createContextHook(
    open,
    {
      onEvent: (e) => {
        if (e.kind === 'opened') log(`Code analysis: ${e.files} files in ${Math.round(e.ms)} ms`);
        else if (e.kind === 'unavailable') log(`Code analysis unavailable (${e.error}); the Coder selects files itself.`);
        else log(`Context for ${e.taskId} failed (${e.error}); the Coder selects files itself.`);
      },
    },
  );
}

/**
 * The team's account board; one that cannot be reached stops the run before any call (fail
 * closed: `helios run` never goes on uncapped), saying how to run on this machine's cap instead.
 */
export async function teamBoard(url: string, label: string, log: (l: string) => void): Promise<RedisAccountBoard> {
  const { RedisAccountBoard: Board } = await import('../infra/governor/redisAccountBoard');
  try {
    const board = await Board.open({ url, label, originKind: 'cli', member: memberName(), onError: (m) => log(`warning: ${m}`) });
    log(`Team mode: admitting against ${board.where}`);
    return board;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${why}. Nothing was run: the team cap holds. Unset HELIOS_TEAM_REDIS_URL to run against this machine's own cap.`, { cause: error });
  }
}

/**
 * The L2 and L3 caches in `dir` around the governed client (just L1 planning without a dir); with
 * a team URL, L2 also asks and fills the team's entries (a Redis that cannot be reached leaves it local).
 */
export async function cachedClient(governed: LlmClient, where: { readonly dir: string; readonly teamUrl: string | undefined } | undefined, scopeFor: ScopeResolver, log: (l: string) => void, closers: Array<() => Promise<void>>): Promise<ScopedCacheClient> {
  const warn = (reason: string, details: Readonly<Record<string, string>>) => log(`cache: ${reason} ${JSON.stringify(details)} — discarded`);
  const dir = where?.dir;
  const store = dir ? new TeamExactCacheStore(new FileExactCacheStore(path.join(dir, 'exact.json'))) : undefined;
  if (store) closers.push(() => store.close());
  if (store && where?.teamUrl) {
    const url = where.teamUrl;
    const { RedisExactCacheStore } = await import('../infra/cache/redisExactCacheStore');
    await store.useTeam(() => RedisExactCacheStore.open({ url })).catch((e: unknown) => log(`warning: the team's exact-match cache is not shared for this run (${e instanceof Error ? e.message : String(e)})`));
  }
  const exact = store ? new ExactCache({ store, onWarning: warn }) : undefined;
  await exact?.load();
  const semantic = dir ? new SemanticCache({ index: new VectraIndex(path.join(dir, 'l3'), { onWarning: warn }), embedder: new HashedNgramEmbedder() }) : undefined;
  return new ScopedCacheClient(new CachedLlmClient(governed, { ...(exact ? { exact } : {}), ...(semantic ? { semantic } : {}), onWarning: warn }), scopeFor);
}

/**
 * The workspace's dependency graph, opened on first use and shared by the Coder's and the
 * Reviewer's context; with `cacheDir`, kept there for the next run (content hashes), so a rerun on
 * an unchanged workspace rescans nothing.
 */
export function openGraphOnce(root: string, cacheDir?: string, log?: (line: string) => void) {
  return once(async () => {
    const { openWorkspaceGraph } = await import('../infra/analysis/workspaceAnalysis');
    const { workspace, stats } = await openWorkspaceGraph({ root, ...(cacheDir ? { cacheDir } : {}) });
    if (cacheDir) await workspace.save().catch((error: unknown) => log?.(`warning: the dependency graph's cache was not saved (${String(error)})`));
    return { workspace, files: stats.files, ms: stats.totalMs };
  });
}
