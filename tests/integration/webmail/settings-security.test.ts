import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { setPasswordSource } from '../../../src/identity/domains.js';
import { startSettingsServer } from './settings-server.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';
const NEW_PASSWORD = 'Mùa lúa chín trên Mù Cang Chải 7';

beforeAll(async () => {
  ({ env, server, base } = await startSettingsServer(['web']));
  const { db, config } = server.runtime;
  await addTestAccount(db, config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  await addTestAccount(db, config, 'binhtt@yenbai.gov.vn', { name: 'Trần Thị Bình', password: PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

/** the text of an element with that id, tags and spaces removed */
const textOf = (page: string, id: string) => new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(code|ol)>`).exec(page)?.[1]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
const recoveryCodesOf = (page: string) => [...page.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g)].map((m) => m[1]!);
/** RFC 6238: the code of the step after the current one (a step's code is accepted once) */
const nextCode = (secret: string, steps = 1) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * steps });

describe('settings: password', () => {
  it('refuses a wrong current password and a password the policy refuses, in Vietnamese', async () => {
    const web = new WebClient(base);
    await web.login('annv@yenbai.gov.vn', PASSWORD);
    const form = await web.get('/mail/settings/password');
    expect(form.status).toBe(200);
    expect(form.text).toContain('aria-current="page">Mật khẩu</a>');
    const wrong = await web.postForm('/mail/settings/password', { current: 'không phải', new: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mật khẩu hiện tại không đúng.');
    const common = await web.postForm('/mail/settings/password', { current: PASSWORD, new: 'password123456', confirm: 'password123456' });
    expect(common.status).toBe(400);
    expect(common.text).toContain('Mật khẩu này quá phổ biến');
    const named = await web.postForm('/mail/settings/password', { current: PASSWORD, new: 'annv@yenbai.gov.vn-2026', confirm: 'annv@yenbai.gov.vn-2026' });
    expect(named.status).toBe(400);
    expect(named.text).toMatch(/không được chứa (tên|địa chỉ thư)/);
    const mismatch = await web.postForm('/mail/settings/password', { current: PASSWORD, new: NEW_PASSWORD, confirm: 'khác' });
    expect(mismatch.text).toContain('không khớp');
  });

  it('changes the password, ends the other sessions and keeps this one', async () => {
    const here = new WebClient(base);
    const there = new WebClient(base);
    await here.login('annv@yenbai.gov.vn', PASSWORD);
    await there.login('annv@yenbai.gov.vn', PASSWORD);
    expect((await there.get('/mail/settings')).status).toBe(200);
    await here.get('/mail/settings/password');
    const done = await here.postForm('/mail/settings/password', { current: PASSWORD, new: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect(done.location).toMatch(/^\/mail\/settings\/password\?done=password&n=\d+$/);
    const page = await here.get(done.location!);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Đã đổi mật khẩu\. Đã đăng xuất [1-9]\d* phiên đăng nhập khác\./);
    expect((await there.get('/mail/settings')).location).toMatch(/^\/mail\/login/);
    expect((await here.get('/mail/settings')).status).toBe(200);
    expect((await new WebClient(base).login('annv@yenbai.gov.vn', PASSWORD)).status).toBe(401);
    expect((await new WebClient(base).login('annv@yenbai.gov.vn', NEW_PASSWORD)).location).toBe('/mail/');
  });

  it('refuses a settings form without its CSRF token', async () => {
    const web = new WebClient(base);
    await web.login('annv@yenbai.gov.vn', NEW_PASSWORD);
    await web.get('/mail/settings/password');
    const res = await web.postForm('/mail/settings/password', { _csrf: null, current: NEW_PASSWORD, new: 'Một mật khẩu khác hẳn 2026', confirm: 'Một mật khẩu khác hẳn 2026' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Biểu mẫu đã hết hạn');
    const signature = await web.postForm('/mail/settings/signature', { _csrf: 'x'.repeat(43), signature: 'giả mạo' });
    expect(signature.status).toBe(403);
  });

  it('sends a person whose domain keeps its passwords in the directory there, without a form', async () => {
    const { db, config } = server.runtime;
    const { domain } = await addTestDomain(db, 'sonoivu.yenbai.gov.vn');
    await addTestAccount(db, config, 'khanhdv@sonoivu.yenbai.gov.vn', { name: 'Đỗ Văn Khánh', password: PASSWORD });
    const web = new WebClient(base);
    await web.login('khanhdv@sonoivu.yenbai.gov.vn', PASSWORD);
    await setPasswordSource(db, domain.id, 'directory');
    const page = await web.get('/mail/settings/password');
    expect(page.text).toContain('Mật khẩu của tên miền này được quản lý trong hệ thống danh bạ của tỉnh.');
    expect(page.text).not.toContain('name="new"');
    const post = await web.postForm('/mail/settings/password', { current: PASSWORD, new: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(post.location).toBe('/mail/settings/password');
  });

  it('sends a visitor without a session to the login page', async () => {
    const res = await new WebClient(base).get('/mail/settings/two-factor');
    expect(res.location).toBe('/mail/login?next=%2Fmail%2Fsettings%2Ftwo-factor');
  });
});

describe('settings: second factor', () => {
  let secret = '';
  let codes: string[] = [];

  it('enrols TOTP: a QR code, the secret in groups of four, a wrong code refused, then ten recovery codes shown once', async () => {
    const web = new WebClient(base);
    await web.login('binhtt@yenbai.gov.vn', PASSWORD);
    const off = await web.get('/mail/settings/two-factor');
    expect(off.text).toContain('Xác thực hai lớp chưa bật.');
    const begun = await web.postForm('/mail/settings/two-factor/enrol', {});
    expect(begun.location).toBe('/mail/settings/two-factor/enrol');
    const enrol = await web.get(begun.location!);
    expect(enrol.status).toBe(200);
    const qr = /<img class="qr" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(enrol.text);
    expect(Buffer.from(qr![1]!, 'base64').toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const typed = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!;
    expect(typed).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    secret = typed.replace(/ /g, '');
    // a reload shows the same secret (the enrolment waits for its code)
    expect((await web.get('/mail/settings/two-factor/enrol')).text).toContain(typed);
    const wrong = await web.postForm('/mail/settings/two-factor/confirm', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mã không đúng. Hãy kiểm tra đồng hồ');
    expect(wrong.text).toContain(typed);
    const ok = await web.postForm('/mail/settings/two-factor/confirm', { code: await generate({ secret }) });
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(/^\/mail\/settings\/two-factor\?done=totp-enabled&shown=[\w-]{22}$/);
    const shown = await web.get(ok.location!);
    expect(shown.text).toContain('Đã bật xác thực hai lớp.');
    expect(shown.text).toContain('Chỉ hiển thị MỘT LẦN');
    codes = recoveryCodesOf(shown.text);
    expect(codes).toHaveLength(10);
    const file = /href="data:text\/plain;charset=utf-8;base64,([^"]+)" download="recovery-codes-binhtt@yenbai.gov.vn.txt"/.exec(shown.text);
    const content = Buffer.from(file![1]!, 'base64').toString('utf8');
    expect(content).toContain('Mã khôi phục hộp thư binhtt@yenbai.gov.vn');
    for (const c of codes) expect(content).toContain(`\r\n${c}`);
    expect(textOf(shown.text, 'recovery-codes')).toContain(codes[0]);
    // once: the same address shows them no more
    const again = await web.get(ok.location!);
    expect(recoveryCodesOf(again.text)).toHaveLength(0);
    expect(again.text).toContain('không thể xem lại');
    expect(again.text).toContain('Còn 10 mã khôi phục chưa dùng.');
    expect((await web.postForm('/mail/logout', {})).location).toBe('/mail/login?done=logged-out');
  });

  it('asks for the code at the next login', async () => {
    const web = new WebClient(base);
    await web.get('/mail/login');
    const step1 = await web.postForm('/mail/login', { address: 'binhtt@yenbai.gov.vn', password: PASSWORD, next: '/mail/' });
    expect(step1.location).toBe('/mail/login/code?next=%2Fmail%2F');
    expect((await web.get('/mail/settings')).location).toBe('/mail/login/code');
    await web.get(step1.location!);
    const ok = await web.postForm('/mail/login/code', { code: await nextCode(secret), next: '/mail/' });
    expect(ok.location).toBe('/mail/');
    expect((await web.get('/mail/settings')).status).toBe(200);
  });

  it('logs in with a recovery code and shows how many are left', async () => {
    const web = new WebClient(base);
    const res = await web.login('binhtt@yenbai.gov.vn', PASSWORD, () => codes[3]!.toLowerCase());
    expect(res.location).toBe('/mail/settings?recovery-left=9');
    const overview = await web.get(res.location!);
    expect(overview.text).toContain('Đã dùng một mã khôi phục; còn lại 9 mã.');
    expect(overview.text).toContain('Đang bật. Còn 9 mã khôi phục.');
    expect((await web.get('/mail/settings/two-factor')).text).toContain('Còn 9 mã khôi phục chưa dùng.');
    // the same code a second time is refused
    expect((await new WebClient(base).login('binhtt@yenbai.gov.vn', PASSWORD, () => codes[3]!)).status).toBe(401);
  });

  it('makes a new set of recovery codes; the old ones stop working', async () => {
    const web = new WebClient(base);
    await web.login('binhtt@yenbai.gov.vn', PASSWORD, () => codes[4]!);
    await web.get('/mail/settings/two-factor');
    const res = await web.postForm('/mail/settings/two-factor/recovery-codes', {});
    expect(res.location).toMatch(/^\/mail\/settings\/two-factor\?done=recovery-codes&shown=/);
    const fresh = recoveryCodesOf((await web.get(res.location!)).text);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[5]);
    expect((await new WebClient(base).login('binhtt@yenbai.gov.vn', PASSWORD, () => codes[5]!)).status).toBe(401);
    expect((await new WebClient(base).login('binhtt@yenbai.gov.vn', PASSWORD, () => fresh[0]!)).location).toBe('/mail/settings?recovery-left=9');
    codes = fresh;
  });

  it('turns the second factor off only with the current password', async () => {
    const web = new WebClient(base);
    await web.login('binhtt@yenbai.gov.vn', PASSWORD, () => codes[1]!);
    await web.get('/mail/settings/two-factor');
    const wrong = await web.postForm('/mail/settings/two-factor/disable', { password: 'đoán bừa' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mật khẩu hiện tại không đúng.');
    expect(wrong.text).toContain('Xác thực hai lớp đang bật.');
    const ok = await web.postForm('/mail/settings/two-factor/disable', { password: PASSWORD });
    expect(ok.location).toBe('/mail/settings/two-factor?done=totp-disabled');
    const page = await web.get(ok.location!);
    expect(page.text).toContain('Đã tắt xác thực hai lớp');
    expect(page.text).toContain('Xác thực hai lớp chưa bật.');
    expect((await new WebClient(base).login('binhtt@yenbai.gov.vn', PASSWORD)).location).toBe('/mail/');
  });
});
