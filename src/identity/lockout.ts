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

const keys = (g: Pick<LoginGuard, 'prefix'>, address: string, ip: string | undefined) => ({
  accountFailures: `${g.prefix}:auth:fail:acct:${address}`,
  accountLock: `${g.prefix}:auth:lock:acct:${address}`,
  accountLockCount: `${g.prefix}:auth:locks:acct:${address}`,
  ipFailures: `${g.prefix}:auth:fail:ip:${ip ?? '-'}`,
  ipLock: `${g.prefix}:auth:lock:ip:${ip ?? '-'}`,
});

/**
 * Admission, in one atomic step: refuse when the account or the address is locked, or
 * when the window's attempts are all used (some may still be in flight); otherwise count
 * this attempt as a failure *before* any password work. A success gives the count back.
 * So however many attempts arrive at once, an account costs at most maxFailuresPerAccount
 * argon2 computations per lock period: the policy bounds the work, not the attack.
 */
const ADMIT = `
local t = redis.call('PTTL', KEYS[1])
if t > 0 then return {'account', t} end
if ARGV[4] == '1' then
  t = redis.call('PTTL', KEYS[3])
  if t > 0 then return {'ip', t} end
end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[1]) then return {'account', math.max(redis.call('PTTL', KEYS[2]), 1000)} end
if ARGV[4] == '1' then
  if tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[2]) then return {'ip', math.max(redis.call('PTTL', KEYS[4]), 1000)} end
  redis.call('INCR', KEYS[4])
  if redis.call('PTTL', KEYS[4]) < 0 then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
end
local attempts = redis.call('INCR', KEYS[2])
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return attempts
`;

/** A failure that used the last attempt locks, once: each lock within a day doubles the next (exponential back-off). */
const LOCK = `
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[1]) then return false end
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local minutes = tonumber(ARGV[2])
if KEYS[3] then
  local locks = redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], 86400)
  minutes = math.min(minutes * 2 ^ (locks - 1), tonumber(ARGV[3]))
end
redis.call('SET', KEYS[1], '1', 'PX', math.floor(minutes * 60000))
redis.call('DEL', KEYS[2])
return tostring(minutes)
`;

/** A success returns its attempt: the account's count is cleared, the address's given back one. */
const RELEASE = `
redis.call('DEL', KEYS[1])
if KEYS[2] and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`;

/**
 * Is this login refused before any password work? If not, the attempt is counted (see
 * ADMIT) and `attempts` says how many unresolved attempts the account has in the window,
 * this one included (1: nothing else going on).
 */
export async function admitAttempt(g: LoginGuard, address: string, ip?: string): Promise<{ blocked: Blocked } | { blocked?: undefined; attempts: number }> {
  const k = keys(g, address, ip);
  const windowMs = Math.round(g.policy.windowMinutes * 60_000);
  const reply = (await g.redis.eval(
    ADMIT, 4, k.accountLock, k.accountFailures, k.ipLock, k.ipFailures,
    g.policy.maxFailuresPerAccount, g.policy.maxFailuresPerIp, windowMs, ip ? '1' : '0',
  )) as [string, number] | number;
  if (typeof reply === 'number') return { attempts: reply };
  return { blocked: { by: reply[0] === 'ip' ? 'ip' : 'account', retryAfterSeconds: Math.max(1, Math.ceil(Number(reply[1]) / 1000)) } };
}

/** Is this login refused before any password work? If not, the attempt is counted (see ADMIT). */
export async function admitLogin(g: LoginGuard, address: string, ip?: string): Promise<Blocked | undefined> {
  return (await admitAttempt(g, address, ip)).blocked;
}

/** A failed attempt (already counted on admission); returns what it locked, if anything. */
export async function recordFailure(g: LoginGuard, address: string, ip?: string): Promise<Array<{ by: 'account' | 'ip'; minutes: number }>> {
  const k = keys(g, address, ip);
  const locked: Array<{ by: 'account' | 'ip'; minutes: number }> = [];
  const account = await g.redis.eval(LOCK, 3, k.accountLock, k.accountFailures, k.accountLockCount, g.policy.maxFailuresPerAccount, g.policy.lockMinutes, g.policy.maxLockMinutes);
  if (account) locked.push({ by: 'account', minutes: Number(account) });
  if (ip) {
    const byIp = await g.redis.eval(LOCK, 2, k.ipLock, k.ipFailures, g.policy.maxFailuresPerIp, g.policy.lockMinutes, g.policy.maxLockMinutes);
    if (byIp) locked.push({ by: 'ip', minutes: Number(byIp) });
  }
  return locked;
}

/** The attempt was not a wrong password (success, disabled account, expired password): it does not count. */
export async function recordSuccess(g: LoginGuard, address: string, ip?: string): Promise<void> {
  const k = keys(g, address, ip);
  if (ip) await g.redis.eval(RELEASE, 2, k.accountFailures, k.ipFailures);
  else await g.redis.eval(RELEASE, 1, k.accountFailures);
}

/** How long the account stays locked, in seconds (0: not locked now), for the console's account page. */
export async function lockedForSeconds(g: Pick<LoginGuard, 'redis' | 'prefix'>, address: string): Promise<number> {
  const ms = await g.redis.pttl(keys(g, address, undefined).accountLock);
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** The addresses whose account is locked now (a SCAN of the lock keys: a handful at any time). */
export async function lockedAddresses(g: Pick<LoginGuard, 'redis' | 'prefix'>): Promise<string[]> {
  const prefix = keys(g, '', undefined).accountLock;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await g.redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) found.push(key.slice(prefix.length));
  } while (cursor !== '0');
  return [...new Set(found)];
}

/** An administrator lifts an account's lock (and its back-off history). */
export async function unlockAccount(g: Pick<LoginGuard, 'redis' | 'prefix'>, address: string): Promise<boolean> {
  const k = keys(g, address, undefined);
  const removed = await g.redis.del(k.accountLock, k.accountFailures, k.accountLockCount);
  return removed > 0;
}

/**
 * Counts a refused (locked or blocked) attempt per account and address per minute, and
 * says whether it is the first of its minute: only that one becomes an audit event,
 * carrying how many the previous minute refused. A flood of guesses against a locked
 * account then costs one Redis round trip each, not a row in the audit log each — the log
 * cannot be filled, nor the chain held up, by unauthenticated traffic.
 */
export async function noteRefusal(g: Pick<LoginGuard, 'redis' | 'prefix'>, address: string, ip: string | undefined, now = Date.now()): Promise<{ first: boolean; refusedPreviousMinute: number }> {
  const minute = Math.floor(now / 60_000);
  const key = (m: number) => `${g.prefix}:auth:refused:${address}:${ip ?? '-'}:${m}`;
  const reply = (await g.redis.multi().incr(key(minute)).expire(key(minute), 180).get(key(minute - 1)).exec()) ?? [];
  return { first: Number(reply[0]?.[1] ?? 1) === 1, refusedPreviousMinute: Number(reply[2]?.[1] ?? 0) };
}

/** A lock in force now: an account's or a source address's, and how long it has left. */
export interface CurrentLock {
  by: 'account' | 'ip';
  /** the account's address, or the IP address */
  subject: string;
  /** seconds until it lifts by itself */
  remainingSeconds: number;
}

/**
 * The locks in force now (for the console's lockout view), longest remaining first. Reads
 * the lock keys with SCAN, never KEYS, so a large Redis is not blocked while it walks.
 */
export async function listLocks(g: Pick<LoginGuard, 'redis' | 'prefix'>): Promise<CurrentLock[]> {
  const head = `${g.prefix}:auth:lock:`;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await g.redis.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  const locks: CurrentLock[] = [];
  for (const key of found) {
    const ttl = await g.redis.pttl(key);
    if (ttl <= 0) continue;
    const rest = key.slice(head.length);
    const by = rest.startsWith('acct:') ? 'account' : 'ip';
    locks.push({ by, subject: rest.slice(rest.indexOf(':') + 1), remainingSeconds: Math.ceil(ttl / 1000) });
  }
  return locks.sort((a, b) => b.remainingSeconds - a.remainingSeconds || a.subject.localeCompare(b.subject));
}

/** Is the account locked now? Seconds left, or 0. */
export async function accountLockRemaining(g: Pick<LoginGuard, 'redis' | 'prefix'>, address: string): Promise<number> {
  const ttl = await g.redis.pttl(keys(g, address, undefined).accountLock);
  return ttl > 0 ? Math.ceil(ttl / 1000) : 0;
}
