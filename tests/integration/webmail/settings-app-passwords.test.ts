import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { TestEnv } from '../../support/harness.js';
import { addTestAccount } from '../../support/fixtures.js';
import { startSettingsServer } from './settings-server.js';
import { WebClient } from '../../support/web-client.js';
import { imapLogin } from '../identity/clients.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../../src/identity/totp.js';
import { getAccount } from '../../../src/identity/accounts.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Ruộng bậc thang Mù Cang Chải 2026';
const ADDRESS = 'chauhm@yenbai.gov.vn';

beforeAll(async () => {
  ({ env, server, base } = await startSettingsServer(['web', 'imap'], { 'hostname': 'mail.yenbai.gov.vn' }));
  const { db, config } = server.runtime;
  await addTestAccount(db, config, ADDRESS, { name: 'Hoàng Minh Châu', password: PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

/** the app password as the page shows it: groups of four in spans */
const secretOf = (page: string) => /<code class="app-secret" id="app-secret">([\s\S]*?)<\/code>/.exec(page)?.[1]?.replace(/<[^>]+>/g, '').trim();

describe('settings: app passwords', () => {
  let secret = '';

  it('makes an app password shown once in groups of four, with the server names and ports', async () => {
    const web = new WebClient(base);
    await web.login(ADDRESS, PASSWORD);
    const empty = await web.get('/mail/settings/app-passwords');
    expect(empty.text).toContain('Chưa có mật khẩu ứng dụng nào.');
    // iPhone, iPad and Mac set themselves up from a configuration profile
    const profileLink = /href="(\/\.well-known\/apple-mail\.mobileconfig\?address=[^"]+)"/.exec(empty.text)![1]!.replace(/&amp;/g, '&');
    const profile = await web.get(profileLink);
    expect(profile.status).toBe(200);
    expect(profile.headers.get('content-type')).toContain('application/x-apple-aspen-config');
    expect(profile.text).toContain(ADDRESS);
    const made = await web.postForm('/mail/settings/app-passwords', { name: 'Thunderbird máy cơ quan', scope: ['imap', 'smtp'] });
    expect(made.status).toBe(303);
    expect(made.location).toMatch(/^\/mail\/settings\/app-passwords\?shown=[\w-]{22}$/);
    const page = await web.get(made.location!);
    const shown = secretOf(page.text)!;
    expect(shown).toMatch(/^[a-z]{4}( [a-z]{4}){4}$/);
    secret = shown;
    expect(page.text).toContain('Mật khẩu ứng dụng “Thunderbird máy cơ quan”');
    expect(page.text).toContain('Chỉ hiển thị MỘT LẦN');
    const { config } = server.runtime;
    expect(page.text).toContain(`Máy chủ mail.yenbai.gov.vn, cổng ${config.ports.imaps}, bảo mật SSL/TLS`);
    expect(page.text).toContain(`Máy chủ mail.yenbai.gov.vn, cổng ${config.ports.submissions}, bảo mật SSL/TLS`);
    expect(page.text).toContain(`<code>${ADDRESS}</code>`);
    expect(page.text).toContain('Chưa dùng');
    // once: a reload lists it, without the secret
    const reload = await web.get(made.location!);
    expect(secretOf(reload.text)).toBeUndefined();
    expect(reload.text).toContain('<td>Thunderbird máy cơ quan</td>');
    expect(reload.text).toContain('<td>Đọc thư (IMAP), Gửi thư (SMTP)</td>');
  });

  it('lets a mail client in over IMAP with it, typed as shown, and lists when it was last used', async () => {
    expect(await imapLogin(server, ADDRESS, secret)).toBe('ok');
    expect(await imapLogin(server, ADDRESS, secret.replace(/ /g, '-').toUpperCase())).toBe('ok');
    const web = new WebClient(base);
    await web.login(ADDRESS, PASSWORD);
    const page = await web.get('/mail/settings/app-passwords');
    expect(page.text).not.toContain('Chưa dùng');
    expect(page.text).toContain('từ 127.0.0.1');
  });

  it('refuses a second password of the same name, one with no scope, and a name too long, keeping the form', async () => {
    const web = new WebClient(base);
    await web.login(ADDRESS, PASSWORD);
    await web.get('/mail/settings/app-passwords');
    const same = await web.postForm('/mail/settings/app-passwords', { name: 'thunderbird MÁY CƠ QUAN', scope: 'imap' });
    expect(same.status).toBe(400);
    expect(same.text).toContain('Đã có mật khẩu ứng dụng cùng tên.');
    expect(same.text).toContain('value="thunderbird MÁY CƠ QUAN"');
    const none = await web.postForm('/mail/settings/app-passwords', { name: 'Điện thoại' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Hãy chọn ít nhất một mục');
    const long = await web.postForm('/mail/settings/app-passwords', { name: 'x'.repeat(65), scope: 'smtp' });
    expect(long.status).toBe(400);
    expect(long.text).toContain('cần từ 1 đến 64 ký tự');
  });

  it('revokes it: IMAP refuses it from then on', async () => {
    const web = new WebClient(base);
    await web.login(ADDRESS, PASSWORD);
    await web.get('/mail/settings/app-passwords');
    const res = await web.postForm('/mail/settings/app-passwords/revoke', { name: 'Thunderbird máy cơ quan' });
    expect(res.location).toBe('/mail/settings/app-passwords?done=app-revoked');
    const page = await web.get(res.location!);
    expect(page.text).toContain('Đã thu hồi mật khẩu ứng dụng.');
    expect(page.text).toContain('Chưa có mật khẩu ứng dụng nào.');
    expect(await imapLogin(server, ADDRESS, secret)).toBe('AUTHENTICATIONFAILED');
    const again = await web.postForm('/mail/settings/app-passwords/revoke', { name: 'Thunderbird máy cơ quan' });
    expect(again.status).toBe(400);
    expect(again.text).toContain('Không có mật khẩu ứng dụng nào tên như vậy.');
  });

  it('is how an account with a second factor reads mail over IMAP, where its own password no longer works', async () => {
    const { db } = server.runtime;
    const { id } = await getAccount(db, ADDRESS);
    const { secret: totp } = await beginTotpEnrolment(db, id);
    await confirmTotpEnrolment(db, id, await generate({ secret: totp }));
    expect(await imapLogin(server, ADDRESS, PASSWORD)).toBe('AUTHENTICATIONFAILED');
    const web = new WebClient(base);
    // RFC 6238: the next step's code (the current one confirmed the enrolment)
    const code = await generate({ secret: totp, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await web.login(ADDRESS, PASSWORD, () => code)).location).toBe('/mail/');
    await web.get('/mail/settings/app-passwords');
    const made = await web.postForm('/mail/settings/app-passwords', { name: 'Điện thoại', scope: 'imap' });
    const phoneSecret = secretOf((await web.get(made.location!)).text)!;
    expect(await imapLogin(server, ADDRESS, phoneSecret)).toBe('ok');
  });
});
