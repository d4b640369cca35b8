import { Redis, type RedisOptions } from 'ioredis';

/**
 * Opens a Redis connection from a URL: redis://, rediss:// or redis+unix:///path/to.sock.
 * BullMQ workers need `maxRetriesPerRequest: null` (they block on commands), so that is
 * the default; callers that must fail fast pass their own.
 */
export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  if (url.startsWith('redis+unix://') || url.startsWith('unix://')) {
    const socketPath = decodeURIComponent(url.replace(/^(redis\+)?unix:\/\//, '').split('?')[0]!);
    return new Redis({ ...base, path: socketPath });
  }
  return new Redis(url, base);
}
