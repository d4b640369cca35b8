import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import { argon2Counters, hashPassword, verifyPassword } from '../../../src/identity/passwords.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { authSettings, imapLogin, loginGuard, smtpLogin } from './clients.js';

const PASSWORD = 'doi-che-xanh-mua-xuan';
let env: TestEnv;
let server: RunningServer;

beforeAll(async () => {
  env = await createTestEnv();
  // the configuration's default argon2 (64 MiB, 3 iterations): the cost a real login has
  server = await env.start({
    'lockout.maxFailuresPerAccount': 4, 'lockout.maxFailuresPerIp': 6, 'lockout.lockMinutes': 1,
    'argon2.memoryKiB': 65536, 'argon2.iterations': 3,
  });
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  for (const user of ['annv', 'hadtt', 'lanpt']) await addTestAccount(server.runtime.db, server.runtime.config, `${user}@yenbai.gov.vn`, { password: PASSWORD });
});

afterAll(async () => {
  await env?.stop();
});

describe('brute-force lockout', () => {
  it('failures over SMTP AUTH and IMAP LOGIN count together; the 4th locks the account on both, and a locked login costs no argon2', async () => {
    expect(await smtpLogin(server, 'annv@yenbai.gov.vn', 'sai-mat-khau-1')).toMatch(/^535 5\.7\.8/);
    expect(await imapLogin(server, 'annv@yenbai.gov.vn', 'sai-mat-khau-2')).toBe('AUTHENTICATIONFAILED');
    expect(await smtpLogin(server, 'annv@yenbai.gov.vn', 'sai-mat-khau-3')).toMatch(/^535 5\.7\.8/);
    expect(await imapLogin(server, 'annv@yenbai.gov.vn', 'sai-mat-khau-4')).toBe('AUTHENTICATIONFAILED');

    const before = argon2Counters.verifies;
    // RFC 4954 §6: 454 4.7.0 temporary authentication failure; RFC 5530 §3: UNAVAILABLE
    expect(await smtpLogin(server, 'annv@yenbai.gov.vn', PASSWORD)).toMatch(/^454 4\.7\.0 too many failed logins; try again in 1 minute\(s\)/);
    expect(await imapLogin(server, 'annv@yenbai.gov.vn', PASSWORD)).toBe('UNAVAILABLE');
    expect(argon2Counters.verifies).toBe(before);

    // timed against one argon2 verify with the same parameters
    const hash = await hashPassword(PASSWORD, server.runtime.config.argon2);
    let started = performance.now();
    await verifyPassword(hash, PASSWORD, server.runtime.config.argon2);
    const argon2Ms = performance.now() - started;
    started = performance.now();
    const outcome = await authenticatePassword(server.runtime.db, authSettings(server), { username: 'annv@yenbai.gov.vn', password: PASSWORD, service: 'web' }, loginGuard(server));
    const refusedMs = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, reason: 'locked' });
    expect(refusedMs).toBeLessThan(argon2Ms / 3);

    const { rows } = await server.runtime.db.query("SELECT data FROM audit_events WHERE action = 'auth.lockout' AND target = 'annv@yenbai.gov.vn'");
    expect(rows).toEqual([{ data: { service: 'imap', client: expect.stringMatching(/^imapflow /), by: 'account', minutes: 1 } }]);
  }, 60_000);

  it('40 wrong passwords at once from 40 addresses cost at most maxFailuresPerAccount (4) argon2 computations', async () => {
    const before = argon2Counters.verifies;
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      authenticatePassword(server.runtime.db, authSettings(server), { username: 'hadtt@yenbai.gov.vn', password: `doan-mo-${i}`, service: 'imap', remoteAddress: `192.0.2.${i + 1}` }, loginGuard(server))));
    expect(argon2Counters.verifies - before).toBe(4);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'bad-credentials')).toHaveLength(4);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'locked')).toHaveLength(36);
  }, 60_000);

  it('attempts refused while locked are one audit event per account, address and minute, counting the minute before', async () => {
    const guard = loginGuard(server);
    const attempt = () => authenticatePassword(server.runtime.db, authSettings(server), { username: 'hadtt@yenbai.gov.vn', password: 'doan-tiep', service: 'imap', remoteAddress: '203.0.113.9' }, guard);
    const count = async () => (await server.runtime.db.query("SELECT count(*)::int AS n FROM audit_events WHERE target = 'hadtt@yenbai.gov.vn' AND source = '203.0.113.9' AND data->>'reason' = 'locked'")).rows[0].n as number;
    for (let i = 0; i < 25; i++) expect(await attempt()).toMatchObject({ ok: false, reason: 'locked' });
    // one event (two if the minute turned during the loop), not 25
    expect(await count()).toBeGreaterThanOrEqual(1);
    expect(await count()).toBeLessThanOrEqual(2);
    // the next minute's first refusal says how many the minute before refused
    const { noteRefusal } = await import('../../../src/identity/lockout.js');
    const at = 60_000 * 30_000_000;
    for (let i = 0; i < 7; i++) await noteRefusal(guard, 'tester@yenbai.gov.vn', '203.0.113.10', at + i);
    expect(await noteRefusal(guard, 'tester@yenbai.gov.vn', '203.0.113.10', at + 60_000)).toEqual({ first: true, refusedPreviousMinute: 7 });
    expect(await noteRefusal(guard, 'tester@yenbai.gov.vn', '203.0.113.10', at + 60_001)).toEqual({ first: false, refusedPreviousMinute: 7 });
  }, 60_000);

  it('a source address that fails on many accounts is blocked, for every account', async () => {
    const guard = loginGuard(server);
    for (let i = 0; i < 6; i++) {
      const o = await authenticatePassword(server.runtime.db, authSettings(server), { username: `khong-co-${i}@yenbai.gov.vn`, password: 'thu-doan-mo', service: 'smtp', remoteAddress: '198.51.100.7' }, guard);
      expect(o).toEqual({ ok: false, reason: 'bad-credentials' });
    }
    const blocked = await authenticatePassword(server.runtime.db, authSettings(server), { username: 'lanpt@yenbai.gov.vn', password: PASSWORD, service: 'smtp', remoteAddress: '198.51.100.7' }, guard);
    expect(blocked).toMatchObject({ ok: false, reason: 'locked' });
    const elsewhere = await authenticatePassword(server.runtime.db, authSettings(server), { username: 'lanpt@yenbai.gov.vn', password: PASSWORD, service: 'smtp', remoteAddress: '198.51.100.8' }, guard);
    expect(elsewhere).toMatchObject({ ok: true, method: 'password' });
    const { rows } = await server.runtime.db.query("SELECT data FROM audit_events WHERE action = 'auth.lockout' AND source = '198.51.100.7'");
    expect(rows).toEqual([{ data: { service: 'smtp', by: 'ip', minutes: 1 } }]);
  }, 60_000);

  it('hopthu account unlock lets the user in again', async () => {
    const result = await runCli(['account', 'unlock', 'annv@yenbai.gov.vn'], {
      DATABASE_URL: server.runtime.config.databaseUrl!,
      REDIS_URL: server.runtime.config.redisUrl!,
      HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data'),
    });
    expect(result.stdout).toBe('annv@yenbai.gov.vn is unlocked\n');
    expect(await imapLogin(server, 'annv@yenbai.gov.vn', PASSWORD)).toBe('ok');
    expect(await smtpLogin(server, 'annv@yenbai.gov.vn', PASSWORD)).toBe('ok');
  }, 60_000);
});
