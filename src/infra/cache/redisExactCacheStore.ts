import { createHash } from 'node:crypto';
import type { ExactCacheStore, ExactEntry, SharedLookup, StoredByOthers } from '../../core/cache/exactCache';
import type { LlmResponse } from '../../core/llm/llmClient';
import { openTeamRedis, type TeamRedis } from '../redis/redisConnection';
import { EntrySchema } from './fileExactCacheStore';

/**
 * The team's L2: exact-match entries shared through Redis, so an identical request a teammate
 * already paid for is a hit. Each entry is one key `{ns}:l2:{key}` holding the entry's JSON with
 * PX = what is left of its TTL; values are validated on read (one that is not an entry is dropped
 * and reported as corrupt). Entries that depended on a file are indexed per path
 * (`{ns}:l2path:{sha256(path)}`), so a change to that file in one window drops the team's entries.
 * The window's own file store (`local`) keeps its role: `load`, `save` and `update` go there.
 */

export interface RedisExactCacheStoreOptions {
  readonly url: string;
  /** Keys live under `{namespace}:l2:` (default `helios`, the same as the account board). */
  readonly namespace?: string;
  /** This window's own persistence (the workspace's file store); without it, nothing is kept locally. */
  readonly local?: ExactCacheStore;
  readonly commandTimeoutMs?: number;
  readonly onError?: (message: string) => void;
}

/** Drops the entries indexed under the path keys (KEYS[1..ARGV[1]]), the index keys, then the other keys. */
const FORGET_LUA = `
local paths = tonumber(ARGV[1])
for i = 1, paths do
  for _, key in ipairs(redis.call('SMEMBERS', KEYS[i])) do redis.call('DEL', ARGV[2] .. key) end
  redis.call('DEL', KEYS[i])
end
for i = paths + 1, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;

export class RedisExactCacheStore implements ExactCacheStore {
  private readonly prefix: string;
  private readonly pathPrefix: string;

  private constructor(private readonly conn: TeamRedis, private readonly local: ExactCacheStore | undefined, namespace: string) {
    this.prefix = `{${namespace}}:l2:`;
    this.pathPrefix = `{${namespace}}:l2path:`;
  }

  /** Connects (or throws a `TeamRedisError` that says why, without the password). */
  static async open(options: RedisExactCacheStoreOptions): Promise<RedisExactCacheStore> {
    const namespace = options.namespace ?? 'helios';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(namespace)) throw new Error(`Team namespace "${namespace}": use letters, digits, . _ - (at most 64)`);
    const conn = await openTeamRedis({ url: options.url, ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}), ...(options.onError ? { onError: options.onError } : {}) });
    return new RedisExactCacheStore(conn, options.local, namespace);
  }

  get where(): string {
    return this.conn.where;
  }

  load(): ReturnType<ExactCacheStore['load']> {
    return this.local?.load() ?? Promise.resolve({ kind: 'missing' });
  }

  save(entries: readonly ExactEntry[]): Promise<void> {
    return this.local?.save(entries) ?? Promise.resolve();
  }

  update(merge: (others: StoredByOthers) => readonly ExactEntry[], options?: { readonly clear?: boolean }): Promise<void> {
    if (this.local?.update) return this.local.update(merge, options);
    return this.save(merge({ entries: [], cleared: false }));
  }

  async lookup(key: string): Promise<SharedLookup> {
    const value = await this.guard(this.conn.redis.get(this.prefix + key));
    if (value === null) return { kind: 'miss' };
    const parsed = EntrySchema.safeParse(safeJson(value));
    if (!parsed.success || parsed.data.key !== key) {
      // Nobody can use it: gone for every teammate (best effort).
      void this.conn.redis.del(this.prefix + key).catch(() => undefined);
      return { kind: 'corrupt', error: parsed.success ? 'the entry is stored under another key' : (parsed.error.issues[0]?.message ?? 'not JSON') };
    }
    const e = parsed.data;
    return { kind: 'hit', entry: { key: e.key, expiresAt: e.expiresAt, paths: e.paths, response: e.response as LlmResponse } };
  }

  async put(entry: ExactEntry): Promise<void> {
    const px = Math.floor(entry.expiresAt - Date.now());
    if (px <= 0) return;
    const multi = this.conn.redis.multi().set(this.prefix + entry.key, JSON.stringify(entry), 'PX', px);
    // Every entry lives the cache's TTL, so the newest entry on a path outlives the index's older ones.
    for (const p of entry.paths) multi.sadd(this.pathKey(p), entry.key).pexpire(this.pathKey(p), px);
    await this.guard(multi.exec());
  }

  async forget(what: { readonly keys: readonly string[]; readonly paths: readonly string[] } | { readonly all: true }): Promise<void> {
    if ('all' in what) {
      for (const pattern of [`${this.prefix}*`, `${this.pathPrefix}*`]) await this.unlinkMatching(pattern);
      return;
    }
    const pathKeys = [...new Set(what.paths)].map((p) => this.pathKey(p));
    const keys = [...pathKeys, ...what.keys.map((k) => this.prefix + k)];
    if (keys.length === 0) return;
    await this.guard(this.conn.redis.eval(FORGET_LUA, keys.length, ...keys, String(pathKeys.length), this.prefix));
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private pathKey(p: string): string {
    return this.pathPrefix + createHash('sha256').update(p).digest('hex').slice(0, 32);
  }

  private async unlinkMatching(pattern: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.guard(this.conn.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000));
      cursor = next;
      if (keys.length > 0) await this.guard(this.conn.redis.unlink(...keys));
    } while (cursor !== '0');
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (error) {
      throw this.conn.unreachable(error, 'cache');
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
