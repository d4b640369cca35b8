import type { Redis } from 'ioredis';

/** Open connections per client IP in this process. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** false when the IP already has `max` connections open */
  tryOpen(ip: string): boolean {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.open.set(ip, n + 1);
    return true;
  }

  close(ip: string) {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
  }
}

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
