import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import {
  beginTotpEnrolment, confirmTotpEnrolment, disableTotp, hasSecondFactor, regenerateRecoveryCodes, verifySecondFactor,
} from '../../../src/identity/totp.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { loginGuard } from './clients.js';

let env: TestEnv;
let server: RunningServer;
let an: Account;
let ha: Account;
let secret: string;
let recovery: string[];

const codeAt = (offsetSteps: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
/** waits until the current 30-second step has at least 3 seconds left, so a code made now is checked in the same step */
async function awayFromStepEdge() {
  const left = 30 - ((Date.now() / 1000) % 30);
  if (left < 3) await new Promise((r) => setTimeout(r, left * 1000 + 100));
}
const db = () => server.runtime.db;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'lockout.maxFailuresPerAccount': 5 });
  await addTestDomain(db(), 'yenbai.gov.vn');
  an = await addTestAccount(db(), server.runtime.config, 'annv@yenbai.gov.vn', { password: 'doi-che-xanh-mua-xuan' });
  ha = await addTestAccount(db(), server.runtime.config, 'hadtt@yenbai.gov.vn', { password: 'doi-che-xanh-mua-xuan' });
});

afterAll(async () => {
  await env?.stop();
});

describe('TOTP second factor (RFC 6238)', () => {
  it('enrolment gives a base32 secret and an otpauth URI; it is not active until a valid code confirms it', async () => {
    const enrolment = await beginTotpEnrolment(db(), an.id, { issuer: 'Hộp thư Yên Bái' });
    secret = enrolment.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/.*annv%40yenbai\.gov\.vn\?.*secret=[A-Z2-7]{32}/);
    expect(await hasSecondFactor(db(), an.id)).toBe(false);
    expect(await verifySecondFactor(db(), an.id, await codeAt(0))).toEqual({ ok: false, reason: 'not-enabled' });
    await expect(confirmTotpEnrolment(db(), an.id, '000000')).rejects.toThrow('the code is not valid; check the authenticator app and the device clock, then try the current code');
    await awayFromStepEdge();
    // the code that confirmed may not be used again as a login code
    const first = await codeAt(0);
    ({ recoveryCodes: recovery } = await confirmTotpEnrolment(db(), an.id, first));
    expect(recovery).toHaveLength(10);
    for (const c of recovery) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(await hasSecondFactor(db(), an.id)).toBe(true);
    expect(await verifySecondFactor(db(), an.id, first)).toEqual({ ok: false, reason: 'replayed' });
    await expect(beginTotpEnrolment(db(), an.id)).rejects.toThrow('annv@yenbai.gov.vn already has a second factor; disable it before enrolling a new one');
  });

  it('accepts the next step (clock drift, ±1), refuses a replay of it and anything two steps off', async () => {
    await awayFromStepEdge();
    expect(await verifySecondFactor(db(), an.id, await codeAt(2))).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySecondFactor(db(), an.id, await codeAt(-2))).toEqual({ ok: false, reason: 'invalid' });
    const next = await codeAt(1);
    expect(await verifySecondFactor(db(), an.id, next, { source: '203.0.113.5' })).toEqual({ ok: true, method: 'totp' });
    expect(await verifySecondFactor(db(), an.id, next)).toEqual({ ok: false, reason: 'replayed' });
    // the current step is older than the one just used: also refused
    expect(await verifySecondFactor(db(), an.id, await codeAt(0))).toEqual({ ok: false, reason: 'replayed' });
    const { rows } = await db().query("SELECT action, source, data FROM audit_events WHERE action LIKE 'auth.second-factor.%' ORDER BY id");
    expect(rows.filter((r) => r.action === 'auth.second-factor.success')).toEqual([{ action: 'auth.second-factor.success', source: '203.0.113.5', data: { service: 'web', method: 'totp' } }]);
    expect(rows.map((r) => (r.data as { reason?: string }).reason).filter(Boolean)).toEqual(['not-enabled', 'replayed', 'invalid', 'invalid', 'replayed', 'replayed']);
    // the secret is never in the audit log
    const all = await db().query('SELECT data::text AS d FROM audit_events');
    expect(all.rows.some((r) => (r.d as string).includes(secret))).toBe(false);
  }, 70_000);

  it('a recovery code works once, typed in any case and spacing; the count left is reported', async () => {
    const code = recovery[0]!;
    expect(await verifySecondFactor(db(), an.id, code.toLowerCase().replace('-', ' '))).toEqual({ ok: true, method: 'recovery-code', recoveryCodesLeft: 9 });
    expect(await verifySecondFactor(db(), an.id, code)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySecondFactor(db(), an.id, recovery[1]!)).toEqual({ ok: true, method: 'recovery-code', recoveryCodesLeft: 8 });
  });

  it('regenerating replaces every recovery code', async () => {
    const fresh = await regenerateRecoveryCodes(db(), an.id, { actor: 'annv@yenbai.gov.vn' });
    expect(fresh).toHaveLength(10);
    expect(await verifySecondFactor(db(), an.id, recovery[2]!)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySecondFactor(db(), an.id, fresh[0]!)).toEqual({ ok: true, method: 'recovery-code', recoveryCodesLeft: 9 });
    recovery = fresh;
  });

  it('wrong codes count towards the lockout, which then refuses even a right code', async () => {
    const { secret: haSecret } = await beginTotpEnrolment(db(), ha.id);
    await awayFromStepEdge();
    await confirmTotpEnrolment(db(), ha.id, await generate({ secret: haSecret }));
    const guard = loginGuard(server);
    for (let i = 0; i < 5; i++) expect(await verifySecondFactor(db(), ha.id, `00000${i}`, { guard })).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySecondFactor(db(), ha.id, recovery[5]!, { guard })).toMatchObject({ ok: false, reason: 'locked' });
    const { rows } = await db().query("SELECT data FROM audit_events WHERE action = 'auth.lockout' AND target = 'hadtt@yenbai.gov.vn'");
    expect(rows).toEqual([{ data: { service: 'web', by: 'account', minutes: 15 } }]);
  });

  it('disabling removes the factor and its recovery codes, audited', async () => {
    expect(await disableTotp(db(), an.id, { actor: 'cli:root', source: 'cli' })).toBe(true);
    expect(await hasSecondFactor(db(), an.id)).toBe(false);
    expect(await verifySecondFactor(db(), an.id, recovery[1]!)).toEqual({ ok: false, reason: 'not-enabled' });
    const { rows } = await db().query("SELECT action FROM audit_events WHERE action LIKE 'account.totp.%' OR action LIKE 'account.recovery%' ORDER BY id");
    expect(rows.map((r) => r.action)).toEqual(['account.totp.enrol', 'account.totp.enable', 'account.recovery-codes.regenerate', 'account.totp.enrol', 'account.totp.enable', 'account.totp.disable']);
  });

  it('hopthu account totp-disable removes the factor of a lost phone', async () => {
    const cliEnv = { DATABASE_URL: server.runtime.config.databaseUrl!, REDIS_URL: server.runtime.config.redisUrl!, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data') };
    expect((await runCli(['account', 'totp-disable', 'hadtt@yenbai.gov.vn'], cliEnv)).stdout).toBe('hadtt@yenbai.gov.vn no longer has a second factor\n');
    expect(await hasSecondFactor(db(), ha.id)).toBe(false);
    expect((await runCli(['account', 'totp-disable', 'hadtt@yenbai.gov.vn'], cliEnv)).stdout).toBe('hadtt@yenbai.gov.vn had no second factor\n');
    const { rows } = await db().query("SELECT actor, source FROM audit_events WHERE action = 'account.totp.disable' AND target = 'hadtt@yenbai.gov.vn'");
    expect(rows).toEqual([{ actor: expect.stringMatching(/^cli:/), source: 'cli' }]);
  }, 90_000);
});
