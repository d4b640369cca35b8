import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { addAccount, type Account } from '../../../src/identity/accounts.js';
import { createActivationCodes, redeemActivationCode } from '../../../src/identity/activation.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { authSettings, imapLogin } from './clients.js';

let env: TestEnv;
let server: RunningServer;
let an: Account;
let cliEnv: Record<string, string>;
const db = () => server.runtime.db;
const by = { actor: 'cli:root', source: 'cli' };

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  await addTestDomain(db(), 'yenbai.gov.vn');
  an = await addTestAccount(db(), server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An' });
  cliEnv = { DATABASE_URL: server.runtime.config.databaseUrl!, REDIS_URL: server.runtime.config.redisUrl!, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data') };
});

afterAll(async () => {
  await env?.stop();
});

describe('activation codes', () => {
  let code: string;

  it('a code is 20 characters in groups of five, valid for activation.codeDays (14), stored only as SHA-256', async () => {
    const [made] = await createActivationCodes(db(), [an.id], { days: server.runtime.config.activation.codeDays, by });
    code = made!.code;
    expect(made).toMatchObject({ accountId: an.id, address: 'annv@yenbai.gov.vn' });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    expect(Math.round((made!.expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(14);
    const { rows } = await db().query<{ code_hash: Buffer }>('SELECT code_hash FROM activation_codes');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.code_hash.toString('hex')).not.toContain(code.replace(/-/g, '').toLowerCase());
  });

  it('a password the policy refuses leaves the code usable; a good one activates the account once', async () => {
    const settings = server.runtime.config;
    await expect(redeemActivationCode(db(), settings, code, 'matkhau@2025!')).rejects.toMatchObject({ code: 'password-banned' });
    await expect(redeemActivationCode(db(), settings, code, 'nguyen-hoa-mai-2025')).rejects.toMatchObject({ code: 'password-contains-name' });
    // typed in lower case with spaces, O for 0 and l for 1, as a person might copy it
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(await redeemActivationCode(db(), settings, typed, 'doi-che-xanh-mua-xuan', '203.0.113.9')).toEqual({ accountId: an.id, address: 'annv@yenbai.gov.vn' });
    expect(await imapLogin(server, 'annv@yenbai.gov.vn', 'doi-che-xanh-mua-xuan')).toBe('ok');
    const web = await authenticatePassword(db(), authSettings(server), { username: 'annv@yenbai.gov.vn', password: 'doi-che-xanh-mua-xuan', service: 'web' });
    expect(web).toMatchObject({ ok: true, mustChangePassword: false, secondFactorRequired: false });
    await expect(redeemActivationCode(db(), settings, code, 'mot-mat-khau-khac-han')).rejects.toThrow(
      'this activation code has already been used; log in with the password you set, or ask your administrator for a new code',
    );
    const { rows } = await db().query("SELECT action, target, source, data FROM audit_events WHERE action LIKE 'account.activat%' ORDER BY id");
    expect(rows.map((r) => [r.action, r.target, r.data.reason ?? null])).toEqual([
      ['account.activation.create', 'annv@yenbai.gov.vn', null],
      ['account.activate', 'annv@yenbai.gov.vn', null],
      ['account.activation.failure', 'annv@yenbai.gov.vn', 'activation-code-used'],
    ]);
  }, 90_000);

  it('an expired code, an unknown one and a malformed one are refused with their reason', async () => {
    const [made] = await createActivationCodes(db(), [an.id], { days: 1, by });
    await db().query("UPDATE activation_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
    const settings = server.runtime.config;
    await expect(redeemActivationCode(db(), settings, made!.code, 'mot-mat-khau-khac-han')).rejects.toMatchObject({ code: 'activation-code-expired' });
    await expect(redeemActivationCode(db(), settings, 'ABCDE-FGHJK-MNPQR-STVWX', 'mot-mat-khau-khac-han')).rejects.toMatchObject({ code: 'activation-code-invalid' });
    await expect(redeemActivationCode(db(), settings, 'ABCDE', 'mot-mat-khau-khac-han')).rejects.toThrow('an activation code has 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX');
  });

  it('a new code replaces the account\'s unused one', async () => {
    const [first] = await createActivationCodes(db(), [an.id], { days: 14, by });
    const [second] = await createActivationCodes(db(), [an.id], { days: 14, by });
    await expect(redeemActivationCode(db(), server.runtime.config, first!.code, 'mot-mat-khau-khac-han')).rejects.toMatchObject({ code: 'activation-code-invalid' });
    expect(await redeemActivationCode(db(), server.runtime.config, second!.code, 'mot-mat-khau-khac-han')).toMatchObject({ accountId: an.id });
  }, 90_000);

  it('makes thousands of codes a second: 3,000 in one call', async () => {
    const { rows } = await db().query<{ id: number }>(
      `INSERT INTO accounts (domain_id, address, quota_bytes)
       SELECT (SELECT id FROM domains WHERE name = 'yenbai.gov.vn'), 'gv' || n || '@yenbai.gov.vn', 0 FROM generate_series(1, 3000) n RETURNING id`,
    );
    const started = performance.now();
    const codes = await createActivationCodes(db(), rows.map((r) => r.id), { days: 14, by });
    const seconds = (performance.now() - started) / 1000;
    expect(codes).toHaveLength(3000);
    expect(new Set(codes.map((c) => c.code)).size).toBe(3000);
    expect(3000 / seconds).toBeGreaterThan(1000);
    const audit = await db().query("SELECT data FROM audit_events WHERE action = 'account.activation.create' ORDER BY id DESC LIMIT 1");
    expect(audit.rows[0].data.count).toBe(3000);
  }, 90_000);

  it('hopthu account activation --agency covers the agency and its sub-agencies, accounts without a password only', async () => {
    const snv = await addAgency(db(), { code: 'SNV', name: 'Sở Nội vụ' });
    const vp = await addAgency(db(), { code: 'SNV-VP', name: 'Văn phòng Sở', parentId: snv.id });
    const other = await addAgency(db(), { code: 'STC', name: 'Sở Tài chính' });
    for (const [local, agencyId] of [['lanpt', snv.id], ['hoabt', vp.id], ['minhdq', other.id]] as const) {
      await addAccount(db(), { address: `${local}@yenbai.gov.vn`, quotaBytes: 0, agencyId });
    }
    await addAccount(db(), { address: 'dacokhau@yenbai.gov.vn', quotaBytes: 0, agencyId: vp.id, passwordHash: 'x' });
    const out = await runCli(['account', 'activation', '--agency', 'SNV', '--csv', '--days', '7'], cliEnv);
    expect(out.stderr).toBe('');
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('address,code,expires');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['hoabt@yenbai.gov.vn', 'lanpt@yenbai.gov.vn']);
    const [, codeOfHoa, expires] = lines[1]!.split(',');
    expect(Math.round((Date.parse(expires!) - Date.now()) / 86_400_000)).toBe(7);
    expect(await redeemActivationCode(db(), server.runtime.config, codeOfHoa!, 'doi-che-xanh-mua-xuan')).toMatchObject({ address: 'hoabt@yenbai.gov.vn' });
    const one = await runCli(['account', 'activation', 'minhdq@yenbai.gov.vn'], cliEnv);
    expect(one.stdout).toMatch(/^ADDRESS\s+CODE\s+EXPIRES\nminhdq@yenbai\.gov\.vn\s+[0-9A-Z]{5}(-[0-9A-Z]{5}){3}\s+\d{4}-\d\d-\d\dT/);
    const none = await runCli(['account', 'activation'], cliEnv);
    expect(none.stderr).toBe('hopthu: which accounts? hopthu account activation ADDRESS... or --agency CODE\n');
  }, 90_000);
});
