/**
 * The authentication benchmark: BENCH_AUTH_ATTEMPTS failed logins (default 10,000) from
 * 100 source addresses against one account, while 50 real users log in to their own
 * accounts (once each, one every 200 ms, the attack spread over the same window), through
 * authenticatePassword as IMAP/SMTP call it, with the configuration's default argon2 and
 * lockout settings. Against a private embedded PostgreSQL and redis-server with their
 * durable defaults.
 *
 * Reported: how many argon2 computations the attack caused (the lockout admits at most
 * lockout.maxFailuresPerAccount per lock period, however many attempts arrive at once)
 * and the legitimate users' login latency. The reference is the same legitimate logins,
 * at the same pace, with no attack running.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from './lib/cleanup.js';
import { intEnv } from './lib/options.js';
import { percentile, type Metric } from './lib/report.js';
import { configSchema } from '../src/config/schema.js';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { startEmbeddedRedis } from '../src/store/embedded-redis.js';
import { connectRedis } from '../src/store/redis.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { silentLogger } from '../src/shared/logger.js';
import { authenticatePassword, type AuthOutcome } from '../src/identity/authenticate.js';
import { argon2Counters, hashPassword, verifyPassword } from '../src/identity/passwords.js';
import type { LoginGuard } from '../src/identity/lockout.js';

const log = (text: string) => console.error(`auth: ${text}`);

const DOMAIN = 'yenbai.gov.vn';
const VICTIM = `giamdoc@${DOMAIN}`;
const PASSWORD = 'doi-che-xanh-mua-xuan';
const ATTACK_SOURCES = 100;
const USERS = 50;
const LOGINS_PER_USER = 1;
/** 5 logins a second: a province's 3,000 staff arriving at work within ten minutes */
const LEGIT_INTERVAL_MS = 200;
const P99_TARGET_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runAuthBench(): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const attempts = intEnv('BENCH_AUTH_ATTEMPTS', 10_000);
  const config = configSchema.parse({});
  const settings = { argon2: config.argon2, passwordPolicy: config.passwordPolicy };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-auth-'));
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the auth bench directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'postgres'), log: silentLogger });
  const stopPg = registerCleanup('auth bench PostgreSQL', () => pg.stop());
  const redisServer = await startEmbeddedRedis({ dir: path.join(tmp, 'redis'), log: silentLogger });
  const stopRedis = registerCleanup('auth bench redis-server', () => redisServer.stop());
  const redis = connectRedis(redisServer.url);
  const db: Db = createPool(pg.url, 20);
  try {
    await migrate(db);
    const domain = (await db.query<{ id: number }>('INSERT INTO domains (name) VALUES ($1) RETURNING id', [DOMAIN])).rows[0]!;
    // one hash for everyone: the bench measures logins, not account creation
    const hash = await hashPassword(PASSWORD, config.argon2);
    const users = Array.from({ length: USERS }, (_, i) => `canbo${i + 1}@${DOMAIN}`);
    await db.query(
      'INSERT INTO accounts (domain_id, address, password_hash, quota_bytes, password_changed_at) SELECT $1, unnest($2::text[]), $3, 0, now()',
      [domain.id, [VICTIM, ...users], hash],
    );
    let started = performance.now();
    await verifyPassword(hash, PASSWORD, config.argon2);
    const oneArgon2Ms = performance.now() - started;
    log(`argon2id ${config.argon2.memoryKiB / 1024} MiB × ${config.argon2.iterations}: one verify takes ${Math.round(oneArgon2Ms)} ms here; lockout after ${config.lockout.maxFailuresPerAccount} failures`);

    let prefixRun = 0;
    const guard = (): LoginGuard => ({ redis, prefix: `bench${prefixRun}`, policy: config.lockout });
    const legitLogin = async (g: LoginGuard, k: number): Promise<number> => {
      const user = k % USERS;
      const t0 = performance.now();
      const outcome = await authenticatePassword(db, settings, { username: users[user]!, password: PASSWORD, service: 'imap', remoteAddress: `192.0.2.${user + 1}` }, g);
      if (!outcome.ok) throw new Error(`a legitimate login failed: ${users[user]} ${outcome.reason}`);
      return performance.now() - t0;
    };
    const legitCount = USERS * LOGINS_PER_USER;
    // the users' logins at a fixed pace; the attack is spread over the same window (or
    // longer, when the machine cannot refuse attempts that fast), so every login meets it
    const windowMs = legitCount * LEGIT_INTERVAL_MS;
    const legitSchedule = (g: LoginGuard, t0: number) =>
      Promise.all(Array.from({ length: legitCount }, async (_, k) => {
        await sleep(Math.max(0, k * LEGIT_INTERVAL_MS - (performance.now() - t0)));
        return legitLogin(g, k);
      }));

    // the attack: 100 sources, each trying passwords one after another
    prefixRun = 1;
    const attackGuard = guard();
    const outcomes = new Map<string, number>();
    const refusedMs: number[] = [];
    const argon2Before = argon2Counters.verifies;
    log(`attack: ${attempts} wrong passwords for ${VICTIM} from ${ATTACK_SOURCES} addresses over at least ${windowMs / 1000} s; ${legitCount} logins of ${USERS} users, one every ${LEGIT_INTERVAL_MS} ms`);
    started = performance.now();
    const legitUnderAttack = legitSchedule(attackGuard, started);
    await Promise.all(
      Array.from({ length: ATTACK_SOURCES }, async (_, source) => {
        for (let i = source; i < attempts; i += ATTACK_SOURCES) {
          await sleep(Math.max(0, (i * windowMs) / attempts - (performance.now() - started)));
          const t0 = performance.now();
          const o: AuthOutcome = await authenticatePassword(db, settings, { username: VICTIM, password: `doan-mo-${i}`, service: 'imap', remoteAddress: `198.51.100.${source + 1}` }, attackGuard);
          const key = o.ok ? 'accepted' : o.reason;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (!o.ok && o.reason === 'locked') refusedMs.push(performance.now() - t0);
        }
      }),
    );
    const attackSeconds = (performance.now() - started) / 1000;
    const attackLatencies = await legitUnderAttack;
    const argon2ByAttack = argon2Counters.verifies - argon2Before - legitCount;
    log(`attack done in ${attackSeconds.toFixed(1)} s: ${JSON.stringify(Object.fromEntries(outcomes))}; argon2 computations it caused: ${argon2ByAttack}`);

    // the reference: the same logins at the same pace, no attack
    prefixRun = 2;
    const quiet = await legitSchedule(guard(), performance.now());

    const bound = config.lockout.maxFailuresPerAccount;
    const p99 = percentile(attackLatencies, 99);
    const m = (metric: string, unit: Metric['unit'], hopthu: number, reference: number | null, extra: Partial<Metric> = {}): Metric => ({
      bench: 'auth', metric, unit, hopthu, reference, ratio: reference ? hopthu / reference : null, ...extra,
    });
    const metrics: Metric[] = [
      m(`argon2 computations caused by ${attempts.toLocaleString('en-US')} failed logins from ${ATTACK_SOURCES} addresses`, 'count', argon2ByAttack, null, {
        target: `≤ ${bound} (lockout.maxFailuresPerAccount)`, met: argon2ByAttack <= bound,
      }),
      m(`legitimate login p99 during the attack (${USERS} users; reference: no attack)`, 'ms', p99, percentile(quiet, 99), { target: `< ${P99_TARGET_MS} ms`, met: p99 < P99_TARGET_MS }),
      m('legitimate login p50 during the attack (reference: no attack)', 'ms', percentile(attackLatencies, 50), percentile(quiet, 50)),
      m('refused (locked) attempts/s', '/s', (outcomes.get('locked') ?? 0) / attackSeconds, null),
      m(`one argon2id verify (${config.argon2.memoryKiB / 1024} MiB, ${config.argon2.iterations} iterations)`, 'ms', oneArgon2Ms, null),
    ];
    return {
      metrics,
      details: {
        attempts, attackSeconds, outcomes: Object.fromEntries(outcomes), argon2ByAttack, oneArgon2Ms,
        refusedP50Ms: percentile(refusedMs, 50), refusedP99Ms: percentile(refusedMs, 99),
        legitimate: { logins: legitCount, attackP50: percentile(attackLatencies, 50), attackP99: p99, quietP50: percentile(quiet, 50), quietP99: percentile(quiet, 99) },
        argon2: config.argon2, lockout: config.lockout, loadAverage: os.loadavg(),
      },
    };
  } finally {
    redis.disconnect();
    await db.end();
    await redisServer.stop();
    stopRedis();
    await pg.stop();
    stopPg();
    rmSync(tmp, { recursive: true, force: true });
    removeTmp();
  }
}
