import type { Redis } from 'ioredis';

const MINUTE = 60_000;

/**
 * Messages per client IP per minute, counted in Redis so every SMTP process shares the
 * count. A sliding window: this minute's count plus the last minute's, weighted by how
 * much of it still lies within the last 60 seconds, so a burst across a minute boundary
 * is not let through twice. A Redis outage lets mail through rather than refusing it.
 */
export async function withinMessageRate(redis: Redis, prefix: string, ip: string, perMinute: number, now = Date.now()): Promise<boolean> {
  const minute = Math.floor(now / MINUTE);
  const key = (m: number) => `${prefix}:rate:smtp-msg:${ip}:${m}`;
  try {
    const results = (await redis.multi().incr(key(minute)).expire(key(minute), 120).get(key(minute - 1)).exec()) ?? [];
    const current = Number(results[0]?.[1] ?? 0);
    const previous = Number(results[2]?.[1] ?? 0);
    const stillInWindow = 1 - (now % MINUTE) / MINUTE;
    return current + Math.floor(previous * stillInWindow) <= perMinute;
  } catch {
    return true;
  }
}
