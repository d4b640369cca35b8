import type { Redis } from 'ioredis';

/**
 * What a mail queue needs of Redis, checked at start: keys never evicted (BullMQ's
 * queues and locks break when Redis drops keys under memory pressure) and the
 * append-only file on, so a Redis restart does not drop every queued job (the
 * reconciler would find them again in PostgreSQL, but only after a delay). Returns one
 * warning per setting that is wrong; a Redis that refuses CONFIG (some managed ones)
 * gets only the checks INFO allows.
 */
export async function redisSettingWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  const policy = await redis
    .call('CONFIG', 'GET', 'maxmemory-policy')
    .then((r) => (Array.isArray(r) ? String(r[1] ?? '') : ''))
    .catch(() => '');
  if (policy && policy !== 'noeviction') {
    warnings.push(`Redis maxmemory-policy is "${policy}": set it to "noeviction" (redis.conf: maxmemory-policy noeviction), or queued jobs can be evicted under memory pressure`);
  }
  const persistence = await redis.info('persistence').catch(() => '');
  const aof = /^aof_enabled:(\d)/m.exec(persistence)?.[1];
  if (aof === '0') {
    warnings.push('Redis runs without the append-only file: set "appendonly yes" and "appendfsync everysec" in redis.conf, so a restart keeps the delivery queue');
  }
  return warnings;
}
