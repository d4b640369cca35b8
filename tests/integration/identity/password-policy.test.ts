import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { parse } from 'yaml';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { getAccount } from '../../../src/identity/accounts.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import { changeOwnPassword } from '../../../src/identity/password-change.js';
import { configSchema } from '../../../src/config/schema.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { authSettings, imapLogin, smtpLogin } from './clients.js';

const USER = 'annv@yenbai.gov.vn';
let env: TestEnv;
let server: RunningServer;
let cliEnv: Record<string, string>;
const hopthu = (args: string[], stdin?: string) => runCli(args, cliEnv, stdin);
const db = () => server.runtime.db;
const web = (password: string, s = server) => authenticatePassword(s.runtime.db, authSettings(s), { username: USER, password, service: 'web' });
const lastAudit = async (action: string) =>
  (await db().query('SELECT actor, data FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT 1', [action])).rows[0] as { actor: string; data: Record<string, unknown> };

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'passwordPolicy.bannedExtra': ['tuyet-mat'] });
  await addTestDomain(db(), 'yenbai.gov.vn');
  cliEnv = {
    DATABASE_URL: server.runtime.config.databaseUrl!, REDIS_URL: server.runtime.config.redisUrl!, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data'),
    HOPTHU_ARGON2__MEMORY_KI_B: '8192', HOPTHU_ARGON2__ITERATIONS: '1', HOPTHU_PASSWORD_POLICY__BANNED_EXTRA: '["tuyet-mat"]',
  };
});

afterAll(async () => {
  await env?.stop();
});

describe('password policy and forced change', () => {
  it.each([
    ['ngan-qua', 'the password has 8 characters; it needs at least 12'],
    ['Mật-khẩu-2025!', 'the password is a common one ("matkhau" with small changes); choose words others would not guess'],
    ['TuyetMat!2025', 'the password is a common one ("tuyetmat" with small changes); choose words others would not guess'],
    ['nguyen-hoa-mai-99', 'the password contains "nguyen" from the account\'s name; leave your name out of it'],
    ['annv-doi-che-xanh', 'the password contains "annv" from the account\'s address; leave the address out of it'],
  ])('account add refuses %s: %s', async (password, message) => {
    const out = await hopthu(['account', 'add', USER, '--name', 'Nguyễn Văn An', '--password-stdin'], `${password}\n`);
    expect(out.stderr).toBe(`hopthu: ${message}\n`);
    expect(out.code).toBe(2);
  }, 90_000);

  it('an account made with a password must change it in the webmail; IMAP/SMTP keep working', async () => {
    const out = await hopthu(['account', 'add', USER, '--name', 'Nguyễn Văn An', '--password-stdin'], 'doi-che-xanh-mua-xuan\n');
    expect(out.stdout).toBe(`created ${USER} (Nguyễn Văn An), quota 2.0 GiB\n`);
    expect(await web('doi-che-xanh-mua-xuan')).toMatchObject({ ok: true, mustChangePassword: 'reset' });
    expect(await imapLogin(server, USER, 'doi-che-xanh-mua-xuan')).toBe('ok');
  }, 90_000);

  it('changing it clears the forced change; the current and recent passwords cannot be reused', async () => {
    const account = await getAccount(db(), USER);
    const settings = server.runtime.config;
    await expect(changeOwnPassword(db(), settings, account, 'sai-roi-mat-khau', 'nui-cao-suoi-sau-2025')).rejects.toThrow('the current password is not correct');
    await expect(changeOwnPassword(db(), settings, account, 'doi-che-xanh-mua-xuan', 'doi-che-xanh-mua-xuan')).rejects.toThrow('the password was used recently; choose one different from the last 5');
    await changeOwnPassword(db(), settings, account, 'doi-che-xanh-mua-xuan', 'nui-cao-suoi-sau-2025', '203.0.113.4');
    expect(await web('nui-cao-suoi-sau-2025')).toMatchObject({ ok: true, mustChangePassword: false });
    await changeOwnPassword(db(), settings, account, 'nui-cao-suoi-sau-2025', 'ruong-bac-thang-mu-cang');
    await expect(changeOwnPassword(db(), settings, account, 'ruong-bac-thang-mu-cang', 'doi-che-xanh-mua-xuan')).rejects.toMatchObject({ code: 'password-reused' });
    expect(await lastAudit('account.password.change')).toEqual({ actor: USER, data: {} });
  }, 90_000);

  it('an administrator reset (account passwd) is under the policy and forces a change; --force overrides it, audited', async () => {
    const refused = await hopthu(['account', 'passwd', USER, '--password-stdin'], 'anhyeuem2025@@\n');
    expect(refused.stderr).toBe('hopthu: the password is a common one ("anhyeuem" with small changes); choose words others would not guess\n');
    const reused = await hopthu(['account', 'passwd', USER, '--password-stdin'], 'ruong-bac-thang-mu-cang\n');
    expect(reused.stderr).toBe('hopthu: the password was used recently; choose one different from the last 5\n');
    const forced = await hopthu(['account', 'passwd', USER, '--password-stdin', '--force'], 'anhyeuem2025@@\n');
    expect(forced.stdout).toBe(`password changed for ${USER} (policy check "password-banned" overridden with --force); it must be changed at the next webmail login\n`);
    expect(await lastAudit('account.passwd')).toMatchObject({ actor: expect.stringMatching(/^cli:/), data: { mustChangePassword: true, policyOverridden: 'password-banned' } });
    expect(await web('anhyeuem2025@@')).toMatchObject({ ok: true, mustChangePassword: 'reset' });
    expect(await smtpLogin(server, USER, 'anhyeuem2025@@')).toBe('ok');
  }, 90_000);

  it('an expired password (passwordPolicy.maxAgeDays) is refused by IMAP (EXPIRED) and SMTP, and the webmail asks for a new one', async () => {
    const strict = await env.start({ 'passwordPolicy.maxAgeDays': 90 });
    await db().query("UPDATE accounts SET password_changed_at = now() - interval '91 days' WHERE address = $1", [USER]);
    // RFC 5530 §3: EXPIRED
    expect(await imapLogin(strict, USER, 'anhyeuem2025@@')).toBe('EXPIRED');
    expect(await smtpLogin(strict, USER, 'anhyeuem2025@@')).toBe('535 5.7.8 your password has expired; set a new one in the webmail');
    expect(await web('anhyeuem2025@@', strict)).toMatchObject({ ok: true, mustChangePassword: 'expired' });
    // the server without expiry still lets it in
    expect(await imapLogin(server, USER, 'anhyeuem2025@@')).toBe('ok');
    expect((await lastAudit('auth.imap.failure')).data).toMatchObject({ reason: 'password-expired' });
  }, 90_000);

  it('hopthu auth calibrate prints argon2 settings near the target, as YAML the configuration accepts', async () => {
    const out = await hopthu(['auth', 'calibrate', '--target-ms', '40', '--max-memory-mib', '16', '--parallelism', '2']);
    expect(out.stderr).toBe('');
    const [summary] = out.stdout.split('\n');
    expect(summary).toMatch(/^# argon2id on \d+ × .+: \d+ MiB, \d+ iteration\(s\), parallelism 2 → \d+ ms per hash \(target 40 ms\)$/);
    const yaml = parse(out.stdout) as { argon2: { memoryKiB: number; iterations: number; parallelism: number } };
    expect(yaml.argon2.memoryKiB).toBeLessThanOrEqual(16 * 1024);
    expect(yaml.argon2.iterations).toBeGreaterThanOrEqual(1);
    expect(yaml.argon2.parallelism).toBe(2);
    // within the target (10% slack), unless even the least memory and one iteration take longer on this machine
    const ms = Number(/→ (\d+) ms per hash/.exec(summary!)![1]);
    expect(ms <= 44 || (yaml.argon2.memoryKiB === 8192 && yaml.argon2.iterations === 1)).toBe(true);
    expect(configSchema.parse({ argon2: yaml.argon2 }).argon2).toEqual(yaml.argon2);
    const bad = await hopthu(['auth', 'calibrate', '--target-ms', 'nhanh']);
    expect(bad.stderr).toBe('hopthu: --target-ms must be a whole number from 1 to 10000, not "nhanh"\n');
  }, 90_000);
});
