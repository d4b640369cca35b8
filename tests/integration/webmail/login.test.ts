import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../../src/identity/totp.js';
import { createActivationCodes } from '../../../src/identity/activation.js';
import { setAccountPassword } from '../../../src/identity/password-change.js';
import { getAccount } from '../../../src/identity/accounts.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'lockout.maxFailuresPerAccount': 3 }, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  await addTestAccount(db, config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  await addTestAccount(db, config, 'binhtt@yenbai.gov.vn', { name: 'Trần Thị Bình', password: PASSWORD });
  await addTestAccount(db, config, 'locked@yenbai.gov.vn', { name: 'Lò Văn Khóa', password: PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

describe('webmail login', () => {
  it('sends a visitor without a session to the login page, in Vietnamese by default', async () => {
    const web = new WebClient(base);
    const res = await web.get('/mail/');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/mail/login?next=%2Fmail%2F');
    const login = await web.get(res.location!);
    expect(login.status).toBe(200);
    expect(login.text).toContain('<html lang="vi">');
    expect(login.text).toContain('Đăng nhập');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(login.headers.get('cache-control')).toBe('no-store');
  });

  it('logs in with a password and gives an HttpOnly, SameSite=Lax session cookie', async () => {
    const web = new WebClient(base);
    await web.get('/mail/login');
    const res = await web.postForm('/mail/login', { address: 'annv@yenbai.gov.vn', password: PASSWORD, next: '/mail/' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/mail/');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('hopthu_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP on loopback
    // the audit event names the browser (Node's fetch says "node")
    const { rows } = await server.runtime.db.query<{ data: { service: string; client?: string } }>(
      "SELECT data FROM audit_events WHERE action = 'auth.web.success' AND target = 'annv@yenbai.gov.vn' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]!.data).toMatchObject({ service: 'web', client: 'node' });
  });

  it('refuses a wrong password with a sentence and keeps the address typed', async () => {
    const web = new WebClient(base);
    await web.get('/mail/login');
    const res = await web.postForm('/mail/login', { address: 'binhtt@yenbai.gov.vn', password: 'sai mật khẩu' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Địa chỉ hoặc mật khẩu không đúng.');
    expect(res.text).toContain('value="binhtt@yenbai.gov.vn"');
    expect(web.cookie('hopthu_session')).toBeUndefined();
  });

  it('locks the account after repeated failures and says when to try again', async () => {
    const web = new WebClient(base);
    await web.get('/mail/login');
    for (let i = 0; i < 3; i++) await web.postForm('/mail/login', { address: 'locked@yenbai.gov.vn', password: 'wrong' });
    const res = await web.postForm('/mail/login', { address: 'locked@yenbai.gov.vn', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.text).toMatch(/Hãy thử lại sau \d+ phút/);
  });

  it('refuses a form without the CSRF token, or from another site', async () => {
    const web = new WebClient(base);
    await web.get('/mail/login');
    const missing = await web.postForm('/mail/login', { _csrf: null, address: 'annv@yenbai.gov.vn', password: PASSWORD });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Biểu mẫu đã hết hạn');
    const res = await fetch(`${base}/mail/login`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'address=a&password=b' });
    expect(res.status).toBe(403);
  });

  it('asks for the TOTP code after the password, and only then opens the mail', async () => {
    const { db } = server.runtime;
    const account = await getAccount(db, 'binhtt@yenbai.gov.vn');
    const { secret } = await beginTotpEnrolment(db, account.id);
    await confirmTotpEnrolment(db, account.id, await generate({ secret }));
    const web = new WebClient(base);
    await web.get('/mail/login');
    const step1 = await web.postForm('/mail/login', { address: 'binhtt@yenbai.gov.vn', password: PASSWORD, next: '/mail/' });
    expect(step1.location).toBe('/mail/login/code?next=%2Fmail%2F');
    // half logged in: the mail stays closed
    expect((await web.get('/mail/')).location).toBe('/mail/login/code');
    await web.get(step1.location!);
    const wrong = await web.postForm('/mail/login/code', { code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Mã không đúng');
    // RFC 6238: the code of the next step (the last one was used at enrolment)
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const ok = await web.postForm('/mail/login/code', { code, next: '/mail/' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/mail/');
    expect((await web.get('/mail/login')).location).toBe('/mail/');
  });

  it('makes a person whose password was reset choose their own before anything else', async () => {
    const { db, config } = server.runtime;
    const account = await addTestAccount(db, config, 'cuongpv@yenbai.gov.vn', { name: 'Phạm Văn Cường' });
    await setAccountPassword(db, config, account, 'Tạm thời 2026 đặt bởi admin', { by: 'admin' });
    const web = new WebClient(base);
    const res = await web.login('cuongpv@yenbai.gov.vn', 'Tạm thời 2026 đặt bởi admin');
    expect(res.location).toBe('/mail/password?next=%2Fmail%2F');
    expect((await web.get('/mail/')).location).toBe('/mail/password');
    await web.get('/mail/password');
    const mismatch = await web.postForm('/mail/password', { current: 'Tạm thời 2026 đặt bởi admin', new: 'Mật khẩu riêng của tôi 1', confirm: 'khác' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('không khớp');
    const banned = await web.postForm('/mail/password', { current: 'Tạm thời 2026 đặt bởi admin', new: 'password123456', confirm: 'password123456' });
    expect(banned.status).toBe(400);
    expect(banned.text).toContain('quá phổ biến');
    const done = await web.postForm('/mail/password', { current: 'Tạm thời 2026 đặt bởi admin', new: 'Mật khẩu riêng của tôi 1', confirm: 'Mật khẩu riêng của tôi 1' });
    expect(done.location).toBe('/mail/');
  });

  it('activates a new account with the code from HR, then the password works', async () => {
    const { db, config } = server.runtime;
    const account = await addTestAccount(db, config, 'dunglv@yenbai.gov.vn', { name: 'Lê Văn Dũng' });
    const [code] = await createActivationCodes(db, [account.id], { days: 14, by: { actor: 'hr@yenbai.gov.vn' } });
    const web = new WebClient(base);
    await web.get('/mail/activate');
    const bad = await web.postForm('/mail/activate', { code: 'AAAAA-BBBBB-CCCCC-DDDDD', new: 'Hoa đào nở sớm 2026', confirm: 'Hoa đào nở sớm 2026' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Mã kích hoạt không hợp lệ');
    const ok = await web.postForm('/mail/activate', { code: code!.code, new: 'Hoa đào nở sớm 2026', confirm: 'Hoa đào nở sớm 2026' });
    expect(ok.location).toBe('/mail/login?done=activated');
    expect((await web.get(ok.location!)).text).toContain('Tài khoản đã được kích hoạt');
    expect((await web.login('dunglv@yenbai.gov.vn', 'Hoa đào nở sớm 2026')).location).toBe('/mail/');
  });

  it('logs out: the old cookie opens nothing any more', async () => {
    const web = new WebClient(base);
    await web.login('annv@yenbai.gov.vn', PASSWORD);
    const cookie = web.cookie('hopthu_session')!;
    expect((await web.follow('/mail/')).status).toBe(200);
    const out = await web.postForm('/mail/logout', {});
    expect(out.location).toBe('/mail/login?done=logged-out');
    const replay = await fetch(`${base}/mail/`, { redirect: 'manual', headers: { cookie: `hopthu_session=${cookie}` } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toContain('/mail/login');
  });

  it('switches the login pages to English and back', async () => {
    const web = new WebClient(base);
    const res = await web.get('/mail/language/en?next=/mail/login');
    expect(res.location).toBe('/mail/login');
    const login = await web.get('/mail/login');
    expect(login.text).toContain('<html lang="en">');
    expect(login.text).toContain('Email address');
  });

  it('serves one stylesheet and one script, compressed and cached for a year', async () => {
    const login = await new WebClient(base).get('/mail/login');
    const css = /href="(\/assets\/app\.\w+\.css)"/.exec(login.text)![1]!;
    const res = await fetch(`${base}${css}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-encoding')).toBe('br');
    // the same bytes for everyone, cacheable anywhere: no cookie set on them
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await res.text()).length).toBeGreaterThan(100);
  });

  it('answers an unknown page with a 404 page, not a stack', async () => {
    const res = await new WebClient(base).get('/mail-nothing-here');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Không tìm thấy trang này.');
  });
});
