import type { ExactCacheStore, SharedLookup } from '../../core/cache/exactCache';
import type { RedisExactCacheStore } from './redisExactCacheStore';

/**
 * The L2 store of a window (or `helios run`) that may join a team and leave it again: its own file
 * store keeps what this workspace cached (`load`, `save`, `update`), and while a team's Redis is
 * set, lookups that miss here ask the team's entries and new answers are written through to them.
 * Switching never loses the local entries; leaving the team closes the connection.
 */
export class TeamExactCacheStore implements ExactCacheStore {
  private shared: RedisExactCacheStore | undefined;
  /** Bumped on every switch, so a slow connect that lost the race is closed, not installed. */
  private generation = 0;

  constructor(private readonly local: ExactCacheStore) {}

  /** Where the team's entries live, without the password; undefined while local. */
  get where(): string | undefined {
    return this.shared?.where;
  }

  /**
   * Shares through the store `open` connects to, or only locally when `open` is undefined. A
   * connect that fails leaves the cache local (a miss costs a call, never the cap) and rejects
   * with the reason.
   */
  async useTeam(open: (() => Promise<RedisExactCacheStore>) | undefined): Promise<void> {
    const generation = ++this.generation;
    const old = this.shared;
    this.shared = undefined;
    await old?.close().catch(() => undefined);
    if (!open) return;
    const store = await open();
    if (generation !== this.generation) {
      await store.close().catch(() => undefined);
      return;
    }
    this.shared = store;
  }

  load(): ReturnType<ExactCacheStore['load']> {
    return this.local.load();
  }

  save(...args: Parameters<ExactCacheStore['save']>): Promise<void> {
    return this.local.save(...args);
  }

  update(...args: Parameters<NonNullable<ExactCacheStore['update']>>): Promise<void> {
    if (this.local.update) return this.local.update(...args);
    return this.local.save(args[0]({ entries: [], cleared: false }));
  }

  lookup(key: string): Promise<SharedLookup> {
    return this.shared?.lookup(key) ?? Promise.resolve({ kind: 'miss' });
  }

  put(...args: Parameters<NonNullable<ExactCacheStore['put']>>): Promise<void> {
    return this.shared?.put(...args) ?? Promise.resolve();
  }

  forget(...args: Parameters<NonNullable<ExactCacheStore['forget']>>): Promise<void> {
    return this.shared?.forget(...args) ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.useTeam(undefined);
  }
}
