import type { Redis } from 'ioredis';

/**
 * The team's Redis connection, shared by the account board and the L2 store: fail fast instead
 * of queueing (a command while Redis is away rejects at once, so admission fails closed instead of
 * waiting on a queue), a few seconds at most per command, and reconnection in the background.
 * The URL may carry a password: it never leaves this module except inside the ioredis client.
 */

export type TeamRedisReason = 'unreachable' | 'auth' | 'too_old' | 'lock_timeout' | 'lock_lost' | 'bad_url';

/** Why the team's Redis could not do what was asked; `message` never holds the password. */
export class TeamRedisError extends Error {
  constructor(readonly reason: TeamRedisReason, message: string, readonly where: string) {
    super(message);
    this.name = 'TeamRedisError';
  }
}

export interface TeamRedisOptions {
  readonly url: string;
  /** Per command (default 3 s); connecting takes at most as long. */
  readonly commandTimeoutMs?: number;
  /** Connection trouble after the start (lost, back), once per change, without the password. */
  readonly onError?: (message: string) => void;
}

export interface TeamRedis {
  readonly redis: Redis;
  /** The URL without its password, for messages. */
  readonly where: string;
  /** The last connection error, without the password (for "cannot be reached (…)" messages). */
  lastError(): string | undefined;
  /** Removes the password from a message that came from the client or the server. */
  scrub(message: string): string;
  /**
   * A failed command as a `TeamRedisError` ("The team board at … cannot be reached (…)"): the
   * connection's own error while it is down, the command's otherwise; never the password.
   */
  unreachable(error: unknown, what: string): TeamRedisError;
  close(): Promise<void>;
}

/** Redis 6.2 brought exclusive XRANGE bounds and XTRIM MINID, which the board's script uses. */
const MIN_VERSION = [6, 2] as const;

/** `redis://user:secret@host:6379/0` → `redis://user@host:6379/0`; a URL that does not parse says so, whole. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis://(an invalid URL)';
  }
}

export async function openTeamRedis(options: TeamRedisOptions): Promise<TeamRedis> {
  const where = redactRedisUrl(options.url);
  const secrets = secretsOf(options.url);
  const scrub = (message: string) => secrets.reduce((m, s) => m.split(s).join('***'), message);
  if (where === 'redis://(an invalid URL)' || !/^rediss?:\/\//.test(options.url)) throw new TeamRedisError('bad_url', 'The team Redis URL is not a valid redis:// or rediss:// URL', where);
  const timeout = options.commandTimeoutMs ?? 3_000;
  const RedisClient = await loadIoredis();
  const redis = new RedisClient(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeout,
    commandTimeout: timeout,
    // In the background, at most a second apart: admission resumes within a second of Redis coming back.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  });
  let last: string | undefined;
  let reported: string | undefined;
  let opened = false;
  redis.on('error', (error: Error) => {
    last = scrub(error.message);
    if (opened && reported !== last) options.onError?.(`The team Redis at ${where}: ${last}`);
    reported = last;
  });
  redis.on('ready', () => {
    if (opened && reported !== undefined) options.onError?.(`The team Redis at ${where} answers again`);
    reported = undefined;
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      throw new TeamRedisError('too_old', `The team Redis at ${where} runs Redis ${major}.${minor}; Helios needs 6.2 or later`, where);
    }
  } catch (error) {
    redis.disconnect();
    if (error instanceof TeamRedisError) throw error;
    const why = last ?? scrub(error instanceof Error ? error.message : String(error));
    if (refusedCredentials(why)) throw new TeamRedisError('auth', `The team Redis at ${where} refused the user name or password (${why})`, where);
    throw new TeamRedisError('unreachable', `The team Redis at ${where} cannot be reached (${why})`, where);
  }
  opened = true;
  return {
    redis, where, scrub,
    lastError: () => last,
    unreachable: (error, what) => {
      if (error instanceof TeamRedisError) return error;
      const message = scrub(error instanceof Error ? error.message : String(error));
      const why = redis.status === 'ready' ? message : (last ?? message);
      // The password was changed (or the user removed) while Helios was connected.
      if (refusedCredentials(why)) return new TeamRedisError('auth', `The team ${what} at ${where} refused the user name or password (${why})`, where);
      return new TeamRedisError('unreachable', `The team ${what} at ${where} cannot be reached (${why})`, where);
    },
    close: async () => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/**
 * ioredis, loaded when a team Redis is first used: in the extension it is a bundle of its own
 * (`dist/ioredis.js`, see esbuild.mjs), whose `import()` gives the CommonJS exports as `default`.
 */
async function loadIoredis(): Promise<typeof Redis> {
  const mod = (await import('ioredis')) as { Redis?: typeof Redis; default?: { Redis?: typeof Redis } };
  const client = mod.Redis ?? mod.default?.Redis;
  if (!client) throw new Error('ioredis did not load (no Redis export)');
  return client;
}

/** Redis's answers to a wrong or missing password (`AUTH`, ACL users). */
function refusedCredentials(message: string): boolean {
  return /\b(WRONGPASS|NOAUTH)\b|invalid (username-)?password|Authentication required/i.test(message);
}

/** What must never appear in a message: the password, raw and URL-encoded. */
function secretsOf(url: string): string[] {
  try {
    const raw = new URL(url).password;
    if (raw === '') return [];
    return [...new Set([raw, decodeURIComponent(raw)])].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}
