import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import type { RunningServer } from '../../../src/cli/server.js';

const PASSWORD = 'mat-khau-dai-12345';
let env: TestEnv;
let server: RunningServer;

const login = (pass: string) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user: 'annv@yenbai.gov.vn', pass } })
    .verify()
    .then(() => 'ok', (e: { response?: string; message: string }) => e.response ?? e.message);

beforeAll(async () => {
  env = await createTestEnv();
  // a deliberately slow argon2 (about a second a check), so skipped work shows in the time
  server = await env.start({ 'lockout.maxFailuresPerAccount': 3, 'lockout.lockMinutes': 1, 'argon2.memoryKiB': 65536, 'argon2.iterations': 8 });
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password: PASSWORD });
});

afterAll(async () => {
  await env?.stop();
});

describe('brute-force lockout', () => {
  it('locks the account after 3 failures; then even the right password gets 454 4.7.0, without argon2 work', async () => {
    for (let i = 0; i < 3; i++) expect(await login('sai-mat-khau')).toMatch(/^535 5\.7\.8/);
    expect(await login(PASSWORD)).toMatch(/^454 4\.7\.0 too many failed logins; try again in 1 minute\(s\)/);
    const guard = { redis: server.context.redis, prefix: server.runtime.config.redisPrefix, policy: server.runtime.config.lockout };
    const started = performance.now();
    const outcome = await authenticatePassword(server.runtime.db, server.runtime.config.argon2, { username: 'annv@yenbai.gov.vn', password: PASSWORD, service: 'test' }, guard);
    const elapsed = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, reason: 'locked' });
    // one argon2 check with these settings takes far longer than this
    expect(elapsed).toBeLessThan(150);
    const { rows } = await server.runtime.db.query("SELECT data FROM audit_events WHERE action = 'auth.lockout'");
    expect(rows).toEqual([{ data: { service: 'smtp', by: 'account', minutes: 1 } }]);
  }, 60_000);

  it('hopthu account unlock lets the user in again', async () => {
    const result = await runCli(['account', 'unlock', 'annv@yenbai.gov.vn'], {
      DATABASE_URL: server.runtime.config.databaseUrl!,
      REDIS_URL: server.runtime.config.redisUrl!,
      HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data'),
    });
    expect(result.stdout).toBe('annv@yenbai.gov.vn is unlocked\n');
    expect(await login(PASSWORD)).toBe('ok');
  }, 60_000);
});
