import type { Redis } from 'ioredis';

const MINUTE = 60_000;

/**
 * This minute's count raised by one (kept 120 s), and the last minute's, in one command.
 * A script rather than MULTI/EXEC: an ioredis MULTI builds a Pipeline object that copies
 * every script of its connection onto itself (8 KB with BullMQ's, 3 KB without) for every
 * message; under the SMTP bench's load they were 37% of the bytes that outlived V8's young
 * generation, and so waited for a full collection (docs/architecture.md, memory).
 */
const COUNT = `local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {n, tonumber(redis.call('GET', KEYS[2]) or '0')}`;

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
    const [current, previous] = (await redis.eval(COUNT, 2, key(minute), key(minute - 1), 120)) as [number, number];
    const stillInWindow = 1 - (now % MINUTE) / MINUTE;
    return current + Math.floor(previous * stillInWindow) <= perMinute;
  } catch {
    return true;
  }
}
