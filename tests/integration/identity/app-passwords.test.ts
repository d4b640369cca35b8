import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { generate } from 'otplib';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import { argon2Counters } from '../../../src/identity/passwords.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../../src/identity/totp.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { authSettings, imapLogin, loginGuard, smtpLogin } from './clients.js';

const PASSWORD = 'doi-che-xanh-mua-xuan';
const USER = 'annv@yenbai.gov.vn';
let env: TestEnv;
let server: RunningServer;
let an: Account;
let cliEnv: Record<string, string>;
const hopthu = (...args: string[]) => runCli(args, cliEnv);

async function addAppPassword(name: string, scope: string): Promise<string> {
  const out = await hopthu('account', 'app-password', 'add', USER, '--name', name, '--scope', scope);
  expect(out.stderr).toBe('');
  const [intro, secret] = out.stdout.trimEnd().split('\n');
  expect(intro).toBe(`app password "${name}" for ${USER} (${scope.split(',').join(', ')}); it is shown only this once:`);
  expect(secret).toMatch(/^[a-z]{4}(-[a-z]{4}){4}$/);
  return secret!;
}

const auditActions = async (action: string) =>
  (await server.runtime.db.query<{ data: Record<string, unknown> }>('SELECT data FROM audit_events WHERE action = $1 ORDER BY id', [action])).rows.map((r) => r.data);

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, USER, { password: PASSWORD, name: 'Nguyễn Văn An' });
  cliEnv = { DATABASE_URL: server.runtime.config.databaseUrl!, REDIS_URL: server.runtime.config.redisUrl!, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data') };
});

afterAll(async () => {
  await env?.stop();
});

describe('app passwords', () => {
  let thunderbird: string;

  it('one scoped to imap,smtp logs in over IMAP (imapflow) and SMTP (nodemailer) without argon2 work', async () => {
    thunderbird = await addAppPassword('Thunderbird', 'imap,smtp');
    const before = argon2Counters.verifies;
    expect(await imapLogin(server, USER, thunderbird)).toBe('ok');
    expect(await smtpLogin(server, USER, thunderbird)).toBe('ok');
    // typed in capitals with spaces instead of dashes, as someone copying it by hand might
    expect(await imapLogin(server, USER, thunderbird.toUpperCase().replace(/-/g, ' '))).toBe('ok');
    expect(argon2Counters.verifies).toBe(before);
    const list = JSON.parse((await hopthu('account', 'app-password', 'list', USER, '--json')).stdout) as Array<{ name: string; scopes: string[]; lastUsedIp: string; lastUsedAt: string }>;
    expect(list).toMatchObject([{ name: 'Thunderbird', scopes: ['imap', 'smtp'], lastUsedIp: '127.0.0.1' }]);
    expect(Date.now() - Date.parse(list[0]!.lastUsedAt)).toBeLessThan(60_000);
    expect((await auditActions('auth.smtp.success')).at(-1)).toEqual({ service: 'smtp', client: '[127.0.0.1]', method: 'app-password', name: 'Thunderbird' });
  }, 90_000);

  it('never works for the webmail or the API, and says why in the audit log', async () => {
    for (const service of ['web', 'api'] as const) {
      const outcome = await authenticatePassword(server.runtime.db, authSettings(server), { username: USER, password: thunderbird, service, remoteAddress: '127.0.0.1' }, loginGuard(server));
      expect(outcome).toEqual({ ok: false, reason: 'bad-credentials' });
    }
    expect((await auditActions('auth.web.failure')).at(-1)).toEqual({ service: 'web', reason: 'bad-credentials', method: 'app-password', name: 'Thunderbird', why: 'app-password-not-for-this-service' });
  });

  it('one scoped to imap does not let SMTP in', async () => {
    const phone = await addAppPassword('Điện thoại', 'imap');
    expect(await imapLogin(server, USER, phone)).toBe('ok');
    expect(await smtpLogin(server, USER, phone)).toMatch(/^535 5\.7\.8 the username or password is not correct/);
    expect((await auditActions('auth.smtp.failure')).at(-1)).toMatchObject({ why: 'app-password-scope', scopes: ['imap'] });
  }, 90_000);

  it('refuses a scope other than imap/smtp and a second live one of the same name, saying so', async () => {
    const web = await hopthu('account', 'app-password', 'add', USER, '--name', 'Trình duyệt', '--scope', 'web');
    expect(web.code).toBe(2);
    expect(web.stderr).toBe('hopthu: "web" is not a scope an app password can have: use imap and/or smtp (the webmail and the API take the account\'s own password)\n');
    const again = await hopthu('account', 'app-password', 'add', USER, '--name', 'thunderbird', '--scope', 'imap');
    expect(again.stderr).toBe(`hopthu: ${USER} already has an app password named "thunderbird"; revoke it first or pick another name\n`);
   }, 90_000);

  it('an account with a second factor cannot use its own password over IMAP/SMTP, only app passwords; the webmail asks for the code', async () => {
    const { secret } = await beginTotpEnrolment(server.runtime.db, an.id);
    await confirmTotpEnrolment(server.runtime.db, an.id, await generate({ secret }));
    expect(await imapLogin(server, USER, PASSWORD)).toBe('AUTHENTICATIONFAILED');
    expect(await smtpLogin(server, USER, PASSWORD)).toMatch(/^535 5\.7\.8/);
    expect((await auditActions('auth.imap.failure')).at(-1)).toEqual({ service: 'imap', client: expect.stringMatching(/^imapflow /), reason: 'bad-credentials', why: 'second-factor-account-needs-app-password' });
    expect(await imapLogin(server, USER, thunderbird)).toBe('ok');
    const web = await authenticatePassword(server.runtime.db, authSettings(server), { username: USER, password: PASSWORD, service: 'web' }, loginGuard(server));
    expect(web).toMatchObject({ ok: true, method: 'password', secondFactorRequired: true });
  }, 90_000);

  it('a revoked one fails at once, and revocation is audited', async () => {
    expect((await hopthu('account', 'app-password', 'revoke', USER, 'THUNDERBIRD')).stdout).toBe(`app password "THUNDERBIRD" of ${USER} is revoked\n`);
    const before = argon2Counters.verifies;
    expect(await imapLogin(server, USER, thunderbird)).toBe('AUTHENTICATIONFAILED');
    expect(argon2Counters.verifies).toBe(before);
    expect((await auditActions('auth.imap.failure')).at(-1)).toEqual({ service: 'imap', client: expect.stringMatching(/^imapflow /), reason: 'bad-credentials', method: 'app-password', name: 'Thunderbird', why: 'app-password-revoked' });
    expect(await auditActions('account.app-password.add')).toEqual([{ name: 'Thunderbird', scopes: ['imap', 'smtp'] }, { name: 'Điện thoại', scopes: ['imap'] }]);
    expect(await auditActions('account.app-password.revoke')).toEqual([{ name: 'Thunderbird', scopes: ['imap', 'smtp'] }]);
    const listed = (await hopthu('account', 'app-password', 'list', USER)).stdout;
    expect(listed).toMatch(/^NAME\s+SCOPES\s+CREATED\s+LAST USED\s+FROM\n/);
    expect(listed).not.toMatch(/Thunderbird/);
    expect(listed).toMatch(/Điện thoại\s+imap/);
    const all = (await hopthu('account', 'app-password', 'list', USER, '--all')).stdout;
    expect(all).toMatch(/^NAME\s+SCOPES\s+CREATED\s+LAST USED\s+FROM\s+REVOKED\n/);
    expect(all).toMatch(/Thunderbird\s+imap,smtp\s+\S+\s+\S+\s+127\.0\.0\.1\s+\d{4}-/);
    const missing = await hopthu('account', 'app-password', 'revoke', USER, 'Thunderbird');
    expect(missing.stderr).toBe(`hopthu: ${USER} has no app password named "Thunderbird"\n`);
  }, 90_000);
});
