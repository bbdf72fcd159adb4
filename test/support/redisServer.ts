import { findRedisServer, startRedisServer, type RedisServerHandle } from '../../src/infra/redis/redisServer';

/**
 * Debian's `redis-server` on 127.0.0.1 and a free port, for the team-mode tests (the helper itself
 * lives in src/infra/redis so `bench governor` can start one too). Tests skip only when it is not
 * on PATH; CI installs it (`.ci/run`).
 */
export { startRedisServer, type RedisServerHandle };

/** The reason to skip, or false when `redis-server` is on PATH. */
export const skipWithoutRedis: string | false = findRedisServer() ? false : 'redis-server is not on PATH (Debian: apt-get install redis-server); the team-mode tests need it';
