import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { listLocks } from '../../../src/identity/lockout.js';
import { message, officer, OFFICER_PASSWORD, tableRows } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let auditor: WebClient;
let superadmin: WebClient;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'lockout.maxFailuresPerAccount': 3 }, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const stp = await addAgency(db, { code: 'STP', name: 'Sở Tư pháp' });
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  await officer(db, config, 'kiemtoan@yenbai.gov.vn', 'auditor');
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  await officer(db, config, 'tochuc.snv@yenbai.gov.vn', 'agency-admin', { agencyId: snv.id });
  const victim = await officer(db, config, 'nannhan@yenbai.gov.vn');
  await db.query('UPDATE accounts SET agency_id = $2 WHERE id = $1', [victim.id, stp.id]);
  auditor = new WebClient(base);
  await auditor.login('kiemtoan@yenbai.gov.vn', OFFICER_PASSWORD);
  superadmin = new WebClient(base);
  await superadmin.login('quantri@yenbai.gov.vn', OFFICER_PASSWORD);

  // a good login first, then a guesser with wrong passwords until the lock
  const victimWeb = new WebClient(base);
  expect((await victimWeb.login('nannhan@yenbai.gov.vn', OFFICER_PASSWORD)).status).toBe(303);
  const guesser = new WebClient(base);
  await guesser.get('/mail/login');
  for (const guess of ['123456', 'matkhau', 'yenbai2026', 'admin@123']) await guesser.postForm('/mail/login', { address: 'nannhan@yenbai.gov.vn', password: guess });
  // a guess at an address that does not exist
  await guesser.postForm('/mail/login', { address: 'khongco@yenbai.gov.vn', password: 'x' });
});
afterAll(async () => {
  await env?.stop();
});

describe('failed logins and lockouts', () => {
  it('shows the brute-force attempt by account and by IP, and the lock in force', async () => {
    const res = await auditor.get('/admin/logins');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Đăng nhập thất bại và khóa</h1>');
    const locks = tableRows(res.text, 'locks');
    expect(locks).toHaveLength(1);
    expect(locks[0]!.slice(0, 2)).toEqual(['Tài khoản', 'nannhan@yenbai.gov.vn']);
    expect(locks[0]![2]).toMatch(/^Còn \d+ phút$/);
    const byAccount = tableRows(res.text, 'tally-account');
    // 3 wrong passwords, then 1 refused while locked; 1 lockout; all from one address
    expect(byAccount.find((r) => r[0] === 'nannhan@yenbai.gov.vn')!.slice(1, 4)).toEqual(['4', '1', '1']);
    expect(byAccount.find((r) => r[0] === 'khongco@yenbai.gov.vn')!.slice(1, 4)).toEqual(['1', '0', '1']);
    const byIp = tableRows(res.text, 'tally-ip');
    expect(byIp).toHaveLength(1);
    expect(byIp[0]!.slice(0, 4)).toEqual(['127.0.0.1', '5', '1', '2']);
    expect(res.text).toContain('href="/admin/logins/nannhan%40yenbai.gov.vn"');
  });

  it('gives an auditor no unlock button (they change nothing), and refuses their unlock', async () => {
    const res = await auditor.get('/admin/logins');
    expect(res.text).not.toContain('action="/admin/logins/unlock"');
    expect((await auditor.postForm('/admin/logins/unlock', { address: 'nannhan@yenbai.gov.vn' })).status).toBe(403);
    const redis = server.runtime.connectRedis();
    expect(await listLocks({ redis, prefix: server.runtime.config.redisPrefix })).toMatchObject([{ by: 'account', subject: 'nannhan@yenbai.gov.vn' }]);
  });

  it('refuses an HR officer of another agency the unlock', async () => {
    const hr = new WebClient(base);
    await hr.login('tochuc.snv@yenbai.gov.vn', OFFICER_PASSWORD);
    expect((await hr.get('/admin/logins')).status).toBe(403);
    expect((await hr.postForm('/admin/logins/unlock', { address: 'nannhan@yenbai.gov.vn' })).status).toBe(403);
  });

  it('shows the account its login history: successes, failures and the lockout, with service and IP', async () => {
    const res = await auditor.get('/admin/logins/nannhan@yenbai.gov.vn');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Lịch sử đăng nhập: nannhan@yenbai.gov.vn');
    expect(message(res.text, 'error')).toMatch(/^Tài khoản đang bị khóa đăng nhập, còn \d+ phút\.$/);
    const rows = tableRows(res.text, 'history').map((r) => r.slice(1));
    expect(rows).toEqual([
      ['Thất bại', 'web', '127.0.0.1', 'locked · account'],
      ['Bị khóa', 'web', '127.0.0.1', 'account'],
      ['Thất bại', 'web', '127.0.0.1', 'bad-credentials'],
      ['Thất bại', 'web', '127.0.0.1', 'bad-credentials'],
      ['Thất bại', 'web', '127.0.0.1', 'bad-credentials'],
      ['Thành công', 'web', '127.0.0.1', ''],
    ]);
    expect((await auditor.get('/admin/logins/not-an-address')).status).toBe(404);
  });

  it('lets a superadmin lift the lock; the account logs in again and the unlock is audited', async () => {
    const page = await superadmin.get('/admin/logins');
    expect(page.text).toContain('action="/admin/logins/unlock"');
    const res = await superadmin.postForm('/admin/logins/unlock', { address: 'nannhan@yenbai.gov.vn', back: 'history' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/logins/nannhan%40yenbai.gov.vn?done=unlocked&address=nannhan%40yenbai.gov.vn');
    const after = await superadmin.get(res.location!);
    expect(message(after.text, 'notice')).toBe('Đã mở khóa nannhan@yenbai.gov.vn.');
    expect(message(after.text, 'error')).toBe('');
    expect(tableRows((await superadmin.get('/admin/logins')).text, 'locks')).toEqual([]);
    expect((await new WebClient(base).login('nannhan@yenbai.gov.vn', OFFICER_PASSWORD)).status).toBe(303);
    const { rows } = await server.runtime.db.query<{ actor: string; source: string; data: Record<string, unknown> }>(
      "SELECT actor, source, data FROM audit_events WHERE action = 'account.unlock' AND target = 'nannhan@yenbai.gov.vn'",
    );
    expect(rows).toEqual([{ actor: 'quantri@yenbai.gov.vn', source: '127.0.0.1', data: { wasLocked: true, via: 'web' } }]);
  });

  it('narrows the period to the last hour, day or week', async () => {
    const res = await auditor.get('/admin/logins?hours=1');
    expect(res.text).toMatch(/<option value="1" selected>1 giờ qua<\/option>/);
    expect(tableRows(res.text, 'tally-account').length).toBe(2);
  });
});
