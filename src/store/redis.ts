import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/index.js';

/** Where Redis is: one server by URL, or a master found through Sentinel (config.redisSentinel). */
export type RedisTarget = string | NonNullable<Config['redisSentinel']>;

/**
 * Opens a Redis connection: a URL (redis://, rediss:// or redis+unix:///path/to.sock) or
 * Sentinels that name the current master. Every connection of hopthu (queues, workers,
 * pub/sub, counters) is made here. BullMQ workers need `maxRetriesPerRequest: null` (they
 * block on commands), so that is the default; callers that must fail fast pass their own.
 */
export function connectRedis(target: RedisTarget, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  if (typeof target !== 'string') return new Redis({ ...sentinelOptions(target), ...base });
  if (target.startsWith('redis+unix://') || target.startsWith('unix://')) {
    const socketPath = decodeURIComponent(target.replace(/^(redis\+)?unix:\/\//, '').split('?')[0]!);
    return new Redis({ ...base, path: socketPath });
  }
  return new Redis(target, base);
}

/**
 * ioredis asks the Sentinels for the master on every (re)connect and checks the server's
 * role once connected, so after a failover each connection lands on the promoted replica;
 * pub/sub connections resubscribe and commands queued meanwhile are sent there.
 */
function sentinelOptions(sentinel: NonNullable<Config['redisSentinel']>): RedisOptions {
  return {
    sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: sentinel.name,
    role: 'master',
    db: sentinel.db,
    ...(sentinel.username ? { username: sentinel.username } : {}),
    ...(sentinel.password ? { password: sentinel.password } : {}),
    ...(sentinel.sentinelPassword ? { sentinelPassword: sentinel.sentinelPassword } : {}),
    // not ioredis's failoverDetector: a +switch-master that arrives while a connection is already
    // reconnecting ends that connection for good ("Connection is closed."), a BullMQ worker's
    // included. Sentinel kills the clients of a master it demotes, so they reconnect anyway.
    // An old master that comes back as a replica answers writes with READONLY: find the master again and resend
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}
