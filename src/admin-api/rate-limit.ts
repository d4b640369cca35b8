import type { Redis } from 'ioredis';
import { ApiError } from './errors.js';

/**
 * A fixed one-minute window per token, counted in Redis so every web process shares it.
 * Over the limit is 429 with Retry-After (RFC 6585 §4).
 */
export async function checkRateLimit(redis: Redis, prefix: string, tokenId: number, perMinute: number): Promise<void> {
  const now = Date.now();
  const window = Math.floor(now / 60_000);
  const key = `${prefix}:api:rate:${tokenId}:${window}`;
  const [[, count] = [null, 0]] = ((await redis.multi().incr(key).expire(key, 120).exec()) ?? []) as Array<[Error | null, unknown]>;
  if (Number(count) > perMinute) {
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    throw Object.assign(new ApiError(429, 'rate-limited', `this token made more than ${perMinute} requests this minute; try again in ${retryAfter} s`), { retryAfter });
  }
}
