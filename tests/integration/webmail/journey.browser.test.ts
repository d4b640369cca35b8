import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { generate } from 'otplib';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { ImapFlow } from 'imapflow';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { launchChromium } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { createActivationCodes } from '../../../src/identity/activation.js';
import { setDelegation } from '../../../src/identity/delegations.js';
import { getAccount } from '../../../src/identity/accounts.js';
import { addOrgAccount } from '../identity/org-fixtures.js';

/**
 * A civil servant's first day, in headless Chromium against a whole running server
 * (SMTP, worker, IMAP, web): activate the account with HR's code, turn on the second
 * factor, log in with password and TOTP, read a message that came in over SMTP, reply
 * with an attachment (which arrives in the sender's INBOX over IMAP), search with and
 * without diacritics, open the office mailbox delegated to them, and log out. Every page
 * must load without a script error; the page weights are checked against the budget.
 */
let env: TestEnv;
let server: RunningServer;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const shots = 'test-results/screenshots';
const PASSWORD = 'Mường Lò lúa chín vàng 2026';
const SENDER_PASSWORD = 'Người gửi bên ngoài 2026';
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  env = await createTestEnv();
  server = await env.start({}, ['smtp', 'worker', 'imap', 'web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  await addTestAccount(db, config, 'hoanglv@yenbai.gov.vn', { name: 'Hoàng Lê Vinh', password: SENDER_PASSWORD });
  const newcomer = await addTestAccount(db, config, 'maint@yenbai.gov.vn', { name: 'Nguyễn Thị Mai' });
  const office = await addOrgAccount(db, config, 'vanphong@yenbai.gov.vn', { kind: 'agency' });
  await setDelegation(db, office, newcomer, { canRead: true, canSend: true }, 'test');
  const [code] = await createActivationCodes(db, [newcomer.id], { days: 7, by: { actor: 'hr@yenbai.gov.vn' } });
  activationCode = code!.code;
  browser = await launchChromium();
  // a browser set to Vietnamese, as the province's computers are
  context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
  page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
}, 120_000);
let activationCode = '';

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const submit = (selector = 'button[type=submit]') => Promise.all([page.waitForLoadState('load'), page.click(selector)]);
const sendOverSmtp = async (subject: string, text: string) => {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.submission, secure: false, auth: { user: 'hoanglv@yenbai.gov.vn', pass: SENDER_PASSWORD }, tls: { rejectUnauthorized: false } });
  await transport.sendMail({ from: '"Hoàng Lê Vinh" <hoanglv@yenbai.gov.vn>', to: 'maint@yenbai.gov.vn', subject, text });
  transport.close();
};

describe('a civil servant’s first day in the webmail', () => {
  it('activates the account with the code from HR', async () => {
    await page.goto(`${base}/mail/activate`);
    await page.fill('#code', activationCode);
    await page.fill('#new', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await submit();
    expect(page.url()).toBe(`${base}/mail/login?done=activated`);
    await expect(page.textContent('.notice')).resolves.toContain('Tài khoản đã được kích hoạt');
  });

  it('logs in, turns on the second factor, logs out and logs in again with password and TOTP', async () => {
    await page.fill('#address', 'maint@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await submit();
    expect(page.url()).toBe(`${base}/mail/`);
    await page.goto(`${base}/mail/settings/two-factor`);
    await submit('form[action="/mail/settings/two-factor/enrol"] button[type=submit]');
    const secret = (await page.textContent('code.secret'))!.replace(/\s+/g, '');
    await page.fill('#code', await generate({ secret }));
    await submit('form[action="/mail/settings/two-factor/confirm"] button[type=submit]');
    await expect(page.locator('#recovery-codes li').count()).resolves.toBe(10);
    await submit('header.top form[action="/mail/logout"] button');
    expect(page.url()).toContain('/mail/login?done=logged-out');
    await page.fill('#address', 'maint@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await submit();
    expect(page.url()).toContain('/mail/login/code');
    // RFC 6238: the enrolment used this step's code; the next step's is accepted
    await page.fill('#code', await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await submit();
    expect(page.url()).toBe(`${base}/mail/`);
  });

  it('reads a message delivered over SMTP and replies with an attachment that arrives over IMAP', async () => {
    await sendOverSmtp('Giấy mời họp giao ban tuần 48', 'Kính gửi chị Mai,\n\nMời chị dự họp giao ban sáng thứ Hai.\n\nTrân trọng.');
    await eventually(async () => {
      await page.goto(`${base}/mail/`);
      return (await page.locator('text=Giấy mời họp giao ban tuần 48').count()) > 0 || undefined;
    }, 20_000, 'the message in the inbox list');
    await page.screenshot({ path: `${shots}/journey-inbox.png` });
    await Promise.all([page.waitForLoadState('load'), page.click('text=Giấy mời họp giao ban tuần 48')]);
    expect(page.url()).toMatch(/\/mail\/m\/\d+\/\d+$/);
    const frame = page.frameLocator('iframe');
    // the frame loads its own URL after the page: its first body is an empty one
    await frame.getByText('Mời chị dự họp giao ban sáng thứ Hai.').waitFor({ timeout: 10_000 });
    await expect(frame.locator('body').textContent()).resolves.toContain('Mời chị dự họp giao ban sáng thứ Hai.');
    await page.screenshot({ path: `${shots}/journey-message.png` });
    await Promise.all([page.waitForLoadState('load'), page.click('a[data-key="r"]')]);
    expect(page.url()).toContain('/mail/compose?reply=');
    await expect(page.inputValue('#c-to')).resolves.toContain('hoanglv@yenbai.gov.vn');
    await expect(page.inputValue('#c-subject')).resolves.toBe('Re: Giấy mời họp giao ban tuần 48');
    await page.fill('#c-body', 'Em xin xác nhận sẽ dự họp. Báo cáo tuần gửi kèm.');
    await page.setInputFiles('#c-files', { name: 'Báo cáo tuần 48.txt', mimeType: 'text/plain', buffer: Buffer.from('Số liệu tuần 48: đã hoàn thành 95% kế hoạch.\n') });
    await page.screenshot({ path: `${shots}/journey-compose.png` });
    // the form's script sends it with upload progress, then follows the server's redirect
    await Promise.all([page.waitForURL(/\/mail\/\?notice=sent$/, { timeout: 10_000 }), page.click('button[name=intent][value=send]')]);
    await expect(page.textContent('.notice')).resolves.toContain('Đã gửi thư.');

    const imap = new ImapFlow({ host: '127.0.0.1', port: server.ports.imap, secure: false, auth: { user: 'hoanglv@yenbai.gov.vn', pass: SENDER_PASSWORD }, logger: false, tls: { rejectUnauthorized: false } });
    await imap.connect();
    try {
      const reply = await eventually(async () => {
        const lock = await imap.getMailboxLock('INBOX');
        try {
          for await (const m of imap.fetch('1:*', { envelope: true, bodyStructure: true, source: true })) {
            if (m.envelope?.subject === 'Re: Giấy mời họp giao ban tuần 48') return m;
          }
        } finally {
          lock.release();
        }
        return undefined;
      }, 20_000, 'the reply in the sender’s INBOX');
      const parsed = await simpleParser(reply.source!);
      expect(parsed.inReplyTo).toMatch(/^<.+>$/);
      expect(parsed.text).toContain('Em xin xác nhận sẽ dự họp.');
      expect(parsed.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['Báo cáo tuần 48.txt', 'Số liệu tuần 48: đã hoàn thành 95% kế hoạch.\n']]);
    } finally {
      await imap.logout();
    }
  });

  it('searches with and without diacritics', async () => {
    for (const q of ['giao ban', 'Giấy mời', 'giay moi hop']) {
      await page.goto(`${base}/mail/search?q=${encodeURIComponent(q)}`);
      await expect(page.locator('text=Giấy mời họp giao ban tuần 48').count(), q).resolves.toBeGreaterThan(0);
    }
    await page.goto(`${base}/mail/search?q=${encodeURIComponent('không có thư này')}`);
    await expect(page.locator('text=Giấy mời họp giao ban tuần 48').count()).resolves.toBe(0);
  });

  it('switches to the office mailbox delegated to them', async () => {
    await page.goto(`${base}/mail/`);
    await Promise.all([page.waitForLoadState('load'), page.click('ul.boxes a[title="vanphong@yenbai.gov.vn"]')]);
    expect(page.url()).toMatch(/\/mail\/f\/\d+$/);
    await expect(page.locator('ul.boxes a[aria-current="true"]').getAttribute('title')).resolves.toBe('vanphong@yenbai.gov.vn');
    const office = await getAccount(server.runtime.db, 'vanphong@yenbai.gov.vn');
    const { rows } = await server.runtime.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'delegation.read' AND target = $1", [office.address]);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('stays within the page-weight budget: inbox under 60 KB on a cold cache, later pages under 20 KB', async () => {
    const cdp = await context.newCDPSession(page);
    /** bytes Chromium transferred (headers and compressed bodies, frames included) for one navigation */
    const weigh = async (url: string) => {
      let bytes = 0;
      const pending: Array<Promise<void>> = [];
      const onFinished = (request: import('playwright-core').Request) => {
        pending.push(request.sizes().then((s) => void (bytes += s.responseHeadersSize + s.responseBodySize)));
      };
      page.on('requestfinished', onFinished);
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      page.off('requestfinished', onFinished);
      await Promise.all(pending);
      return bytes;
    };
    await page.goto(`${base}/mail/`);
    const message = await page.locator('a[href^="/mail/m/"]').first().getAttribute('href');
    await cdp.send('Network.clearBrowserCache');
    const inboxFirst = await weigh(`${base}/mail/`);
    const messageLater = await weigh(`${base}${message}`);
    const composeLater = await weigh(`${base}/mail/compose`);
    const inboxLater = await weigh(`${base}/mail/`);
    expect({ inboxFirst, inboxLater, messageLater, composeLater }).toEqual({
      inboxFirst: expect.toSatisfy((n: number) => n > 1000 && n < 60 * 1024),
      inboxLater: expect.toSatisfy((n: number) => n < 20 * 1024),
      messageLater: expect.toSatisfy((n: number) => n < 20 * 1024),
      composeLater: expect.toSatisfy((n: number) => n < 20 * 1024),
    });
  });

  it('logs out, and no page shows a script error', async () => {
    await submit('header.top form[action="/mail/logout"] button');
    expect(page.url()).toContain('/mail/login?done=logged-out');
    await page.goto(`${base}/mail/`);
    expect(page.url()).toContain('/mail/login');
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
