import type { Redis } from 'ioredis';

export interface LockoutPolicy {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMinutes: number;
  lockMinutes: number;
  maxLockMinutes: number;
}

export interface LoginGuard {
  redis: Redis;
  prefix: string;
  policy: LockoutPolicy;
}

export type Blocked = { by: 'account' | 'ip'; retryAfterSeconds: number };

const keys = (g: LoginGuard, address: string, ip: string | undefined) => ({
  accountFailures: `${g.prefix}:auth:fail:acct:${address}`,
  accountLock: `${g.prefix}:auth:lock:acct:${address}`,
  accountLockCount: `${g.prefix}:auth:locks:acct:${address}`,
  ipFailures: ip ? `${g.prefix}:auth:fail:ip:${ip}` : undefined,
  ipLock: ip ? `${g.prefix}:auth:lock:ip:${ip}` : undefined,
});

/**
 * Is this login refused before any password work? A locked account or a blocked
 * source address answers at once, so an attack costs no argon2 time.
 */
export async function checkBlocked(g: LoginGuard, address: string, ip?: string): Promise<Blocked | undefined> {
  const k = keys(g, address, ip);
  const [accountTtl, ipTtl] = await Promise.all([g.redis.pttl(k.accountLock), k.ipLock ? g.redis.pttl(k.ipLock) : Promise.resolve(-2)]);
  if (accountTtl > 0) return { by: 'account', retryAfterSeconds: Math.ceil(accountTtl / 1000) };
  if (ipTtl > 0) return { by: 'ip', retryAfterSeconds: Math.ceil(ipTtl / 1000) };
  return undefined;
}

/** Counts a failure; returns what got locked by it, if anything. */
export async function recordFailure(g: LoginGuard, address: string, ip?: string): Promise<Array<{ by: 'account' | 'ip'; minutes: number }>> {
  const k = keys(g, address, ip);
  const windowMs = Math.round(g.policy.windowMinutes * 60_000);
  const multi = g.redis.multi().incr(k.accountFailures).pexpire(k.accountFailures, windowMs, 'NX');
  if (k.ipFailures) multi.incr(k.ipFailures).pexpire(k.ipFailures, windowMs, 'NX');
  const replies = (await multi.exec()) ?? [];
  const accountFailures = Number(replies[0]?.[1] ?? 0);
  const ipFailures = k.ipFailures ? Number(replies[2]?.[1] ?? 0) : 0;
  const locked: Array<{ by: 'account' | 'ip'; minutes: number }> = [];
  if (accountFailures >= g.policy.maxFailuresPerAccount) {
    // exponential back-off: each lock within a day doubles the next one
    const locks = await g.redis.incr(k.accountLockCount);
    await g.redis.expire(k.accountLockCount, 24 * 3600);
    const minutes = Math.min(g.policy.lockMinutes * 2 ** (locks - 1), g.policy.maxLockMinutes);
    await g.redis.multi().set(k.accountLock, '1', 'PX', Math.round(minutes * 60_000)).del(k.accountFailures).exec();
    locked.push({ by: 'account', minutes });
  }
  if (k.ipFailures && k.ipLock && ipFailures >= g.policy.maxFailuresPerIp) {
    const minutes = g.policy.lockMinutes;
    await g.redis.multi().set(k.ipLock, '1', 'PX', Math.round(minutes * 60_000)).del(k.ipFailures).exec();
    locked.push({ by: 'ip', minutes });
  }
  return locked;
}

export async function recordSuccess(g: LoginGuard, address: string): Promise<void> {
  const k = keys(g, address, undefined);
  await g.redis.del(k.accountFailures);
}

/** An administrator lifts an account's lock (and its back-off history). */
export async function unlockAccount(g: Pick<LoginGuard, 'redis' | 'prefix'>, address: string): Promise<boolean> {
  const k = keys(g as LoginGuard, address, undefined);
  const removed = await g.redis.del(k.accountLock, k.accountFailures, k.accountLockCount);
  return removed > 0;
}
