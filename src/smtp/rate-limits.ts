import type { Redis } from 'ioredis';

/**
 * Messages per client IP per minute, counted in Redis so every SMTP process shares the
 * count. A Redis outage lets mail through rather than refusing it.
 */
export async function withinMessageRate(redis: Redis, prefix: string, ip: string, perMinute: number): Promise<boolean> {
  const key = `${prefix}:rate:smtp-msg:${ip}:${Math.floor(Date.now() / 60_000)}`;
  try {
    const [[, count]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[unknown, number]];
    return count <= perMinute;
  } catch {
    return true;
  }
}
