import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEnv } from '../../support/harness.js';
import { addTestAccount } from '../../support/fixtures.js';
import { startSettingsServer } from './settings-server.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { getPreferences } from '../../../src/identity/preferences.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let giang: Account;
const PASSWORD = 'Suối Giàng chè cổ thụ 2026';
const ADDRESS = 'giangnt@yenbai.gov.vn';

beforeAll(async () => {
  ({ env, server, base } = await startSettingsServer(['web']));
  const { db, config } = server.runtime;
  giang = await addTestAccount(db, config, ADDRESS, { name: 'Nguyễn Thu Giang', password: PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

async function loggedIn(): Promise<WebClient> {
  const web = new WebClient(base);
  expect((await web.login(ADDRESS, PASSWORD)).status).toBe(303);
  return web;
}

describe('settings: signature, vacation, language', () => {
  it('saves the signature and shows it again; refuses one too long, keeping the text', async () => {
    const web = await loggedIn();
    await web.get('/mail/settings/signature');
    const signature = 'Nguyễn Thu Giang\nChuyên viên, Sở Nội vụ tỉnh Yên Bái\nĐT: 0216 3852 000 <nội bộ>';
    const res = await web.postForm('/mail/settings/signature', { signature: signature.replace(/\n/g, '\r\n') });
    expect(res.location).toBe('/mail/settings/signature?done=signature');
    const page = await web.get(res.location!);
    expect(page.text).toContain('Đã lưu chữ ký.');
    expect(page.text).toContain('ĐT: 0216 3852 000 &lt;nội bộ&gt;</textarea>');
    expect((await getPreferences(server.runtime.db, giang.id)).signature).toBe(signature);
    const long = await web.postForm('/mail/settings/signature', { signature: 'dài '.repeat(600) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('Chữ ký quá dài.');
    expect(long.text).toContain('dài dài dài');
    expect((await web.get('/mail/settings')).text).toContain('Đã có chữ ký.');
  });

  it('switches the vacation reply on with dates and days, and refuses what the responder cannot use', async () => {
    const web = await loggedIn();
    await web.get('/mail/settings/vacation');
    const noText = await web.postForm('/mail/settings/vacation', { enabled: 'on', subject: '', body: '', start: '', end: '', days: '7' });
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('Hãy viết nội dung trước khi bật trả lời tự động.');
    expect(noText.text).toMatch(/name="enabled" value="on" checked/);
    const fields = { enabled: 'on', subject: 'Nghỉ phép', body: 'Tôi nghỉ phép đến hết ngày 5/12.\nViệc gấp xin gọi văn phòng Sở.', start: '2026-12-01', end: '2026-12-05', days: '3' };
    const backwards = await web.postForm('/mail/settings/vacation', { ...fields, start: '2026-12-06' });
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('Ngày kết thúc không được trước ngày bắt đầu.');
    const days = await web.postForm('/mail/settings/vacation', { ...fields, days: '400' });
    expect(days.status).toBe(400);
    expect(days.text).toContain('Số ngày phải từ 1 đến 365.');
    const notNumber = await web.postForm('/mail/settings/vacation', { ...fields, days: 'ba' });
    expect(notNumber.text).toContain('Số ngày phải là số nguyên.');
    const date = await web.postForm('/mail/settings/vacation', { ...fields, end: '2026-02-30' });
    expect(date.text).toContain('Ngày không hợp lệ.');
    const ok = await web.postForm('/mail/settings/vacation', fields);
    expect(ok.location).toBe('/mail/settings/vacation?done=vacation');
    const page = await web.get(ok.location!);
    expect(page.text).toContain('Đã lưu trả lời tự động.');
    expect(page.text).toContain('value="2026-12-01"');
    expect(page.text).toContain('value="3"');
    expect((await getPreferences(server.runtime.db, giang.id)).vacation).toEqual({
      enabled: true, subject: 'Nghỉ phép', body: fields.body, start: '2026-12-01', end: '2026-12-05', days: 3,
    });
    expect((await web.get('/mail/settings')).text).toMatch(/Trả lời tự động<\/strong><span>Đang bật\./);
    const off = await web.postForm('/mail/settings/vacation', { ...fields, enabled: null });
    expect(off.status).toBe(303);
    expect((await getPreferences(server.runtime.db, giang.id)).vacation.enabled).toBe(false);
  });

  it('switches the language at once: <html lang>, the strings and the cookie; and the next login follows it', async () => {
    const web = await loggedIn();
    const vi = await web.get('/mail/settings/language');
    expect(vi.text).toContain('<html lang="vi">');
    expect(vi.text).toMatch(/value="vi" checked/);
    const res = await web.postForm('/mail/settings/language', { language: 'en' });
    expect(res.location).toBe('/mail/settings/language?done=language');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('hopthu_lang='))).toMatch(/^hopthu_lang=en; Path=\/; SameSite=Lax; Max-Age=31536000$/);
    const en = await web.get(res.location!);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('The language is changed.');
    expect(en.text).toContain('>Settings</a>');
    expect(en.text).toMatch(/value="en" checked/);
    expect((await web.get('/mail/settings')).text).toContain('Pages are shown in: English.');
    const sessions = await web.get('/mail/settings/sessions');
    expect(sessions.text).toContain('<strong class="tag">This session</strong>');
    expect(sessions.text).toContain('Log out everywhere');
    const bad = await web.postForm('/mail/settings/language', { language: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('That is not a language of the webmail.');
    // another browser, in Vietnamese before login, gets English from the login on
    const other = new WebClient(base);
    expect((await other.get('/mail/login')).text).toContain('<html lang="vi">');
    await other.login(ADDRESS, PASSWORD);
    expect(other.cookie('hopthu_lang')).toBe('en');
    expect((await other.get('/mail/settings')).text).toContain('<html lang="en">');
    await other.get('/mail/settings/language');
    await other.postForm('/mail/settings/language', { language: 'vi' });
    expect((await other.get('/mail/settings')).text).toContain('<html lang="vi">');
  });
});
