import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEnv } from '../../support/harness.js';
import { addTestAccount } from '../../support/fixtures.js';
import { startSettingsServer } from './settings-server.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { createSession } from '../../../src/identity/web-sessions.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let dung: Account;
let em: Account;
const PASSWORD = 'Hồ Thác Bà có nhiều đảo 2026';
const COC_COC_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/118.0.226 Chrome/112.0.5615.138 Safari/537.36';
const SAFARI_ON_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  ({ env, server, base } = await startSettingsServer(['web']));
  const { db, config } = server.runtime;
  dung = await addTestAccount(db, config, 'dunglt@yenbai.gov.vn', { name: 'Lê Thị Dung', password: PASSWORD });
  em = await addTestAccount(db, config, 'emvt@yenbai.gov.vn', { name: 'Vũ Thị Em', password: PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

/** a session opened elsewhere (another browser, another address), and a request with its cookie */
async function otherBrowser(account: Account, userAgent: string, ip: string) {
  const { db, config } = server.runtime;
  const { session, token } = await createSession(db, { accountId: account.id, stage: 'ready', ip, userAgent }, { idleMinutes: config.web.sessionIdleMinutes, maxHours: config.web.sessionMaxHours });
  const open = async (path = '/mail/settings') => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: `hopthu_session=${token}` } });
  return { session, open };
}

describe('settings: sessions', () => {
  it('lists the account’s sessions with browser, system and address, this one marked', async () => {
    const phone = await otherBrowser(dung, SAFARI_ON_IPHONE, '203.0.113.7');
    const office = await otherBrowser(dung, COC_COC_ON_WINDOWS, '198.51.100.20');
    await otherBrowser(em, COC_COC_ON_WINDOWS, '192.0.2.99');
    const web = new WebClient(base);
    await web.login('dunglt@yenbai.gov.vn', PASSWORD);
    const page = await web.get('/mail/settings/sessions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cốc Cốc 118 trên Windows 10/11');
    expect(page.text).toContain('Safari 17 trên iOS 17.4');
    expect(page.text).toContain('<td>203.0.113.7</td>');
    expect(page.text).toContain('<td>198.51.100.20</td>');
    expect(page.text).not.toContain('192.0.2.99');
    expect(page.text.match(/<strong class="tag">Phiên này<\/strong>/g)).toHaveLength(1);
    expect(page.text).toContain(`name="session" value="${phone.session.id}"`);
    expect(page.text).toContain(`name="session" value="${office.session.id}"`);
    expect(page.text).toContain('action="/mail/logout-everywhere"');
    expect((await web.get('/mail/settings')).text).toContain('Đang đăng nhập trên 3 trình duyệt.');
  });

  it('ends another session: its cookie opens nothing any more', async () => {
    const phone = await otherBrowser(dung, SAFARI_ON_IPHONE, '203.0.113.8');
    expect((await phone.open()).status).toBe(200);
    const web = new WebClient(base);
    await web.login('dunglt@yenbai.gov.vn', PASSWORD);
    await web.get('/mail/settings/sessions');
    const res = await web.postForm('/mail/settings/sessions/end', { session: String(phone.session.id) });
    expect(res.location).toBe('/mail/settings/sessions?done=session-ended');
    expect((await web.get(res.location!)).text).toContain('Đã kết thúc phiên đăng nhập đó.');
    const after = await phone.open();
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/mail\/login/);
  });

  it('does not end another account’s session, nor this one', async () => {
    const theirs = await otherBrowser(em, COC_COC_ON_WINDOWS, '192.0.2.100');
    const web = new WebClient(base);
    await web.login('dunglt@yenbai.gov.vn', PASSWORD);
    await web.get('/mail/settings/sessions');
    const res = await web.postForm('/mail/settings/sessions/end', { session: String(theirs.session.id) });
    expect(res.status).toBe(404);
    expect(res.text).toContain('Phiên này đã kết thúc hoặc không thuộc tài khoản của bạn.');
    expect((await theirs.open()).status).toBe(200);
    const mine = /<tr class="this">[\s\S]*?<\/tr>/.exec(res.text)![0];
    expect(mine).not.toContain('name="session"');
    expect((await web.postForm('/mail/settings/sessions/end', { session: 'abc' })).status).toBe(404);
  });

  it('logs out everywhere from its button: every session of the account ends, another account’s stays', async () => {
    const a = await otherBrowser(dung, SAFARI_ON_IPHONE, '203.0.113.9');
    const theirs = await otherBrowser(em, COC_COC_ON_WINDOWS, '192.0.2.101');
    const web = new WebClient(base);
    await web.login('dunglt@yenbai.gov.vn', PASSWORD);
    await web.get('/mail/settings/sessions');
    const res = await web.postForm('/mail/logout-everywhere', {});
    expect(res.location).toBe('/mail/login?done=logged-out-everywhere');
    expect((await a.open()).status).toBe(303);
    expect((await web.get('/mail/settings')).location).toMatch(/^\/mail\/login/);
    expect((await theirs.open()).status).toBe(200);
  });
});
