import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../support/web-client.js';
import { PASSWORD, readOverImap, startComposeEnv, waitForMessage, type ComposeEnv } from './compose-fixtures.js';

let c: ComposeEnv;
let browser: Browser;

beforeAll(async () => {
  c = await startComposeEnv();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await c?.env.stop();
});

describe('webmail compose in Chromium', () => {
  it('suggests a recipient from the address book, attaches a file through the file input with upload progress, and sends', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${c.base}/mail/login?next=/mail/compose`);
    await page.fill('#address', 'annv@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/mail/compose'), page.click('button[type=submit]')]);

    // typing part of a name without diacritics offers the colleague; a click fills the field
    await page.locator('#c-to').pressSequentially('tran thi', { delay: 20 });
    const suggestion = page.locator('ul.suggest li', { hasText: 'Trần Thị Bình' });
    await suggestion.waitFor();
    await suggestion.click();
    expect(await page.inputValue('#c-to')).toBe('Trần Thị Bình <binhtt@yenbai.gov.vn>, ');

    await page.fill('#c-subject', 'Kế hoạch công tác năm 2027');
    await page.locator('#c-body').pressSequentially('Kính gửi chị Bình,\nEm gửi kế hoạch đính kèm.', { delay: 1 });
    const content = Buffer.from('Kế hoạch công tác — bản gửi chị Bình\n'.repeat(2000));
    await page.setInputFiles('#c-files', { name: 'Kế hoạch 2027.txt', mimeType: 'text/plain', buffer: content });

    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/compose.png' });

    const upload = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/mail/compose'));
    await page.click('button[value=send]');
    expect((await upload).resourceType()).toBe('xhr');
    await page.waitForURL('**/mail/?notice=sent');
    expect(await page.locator('progress.upload').count()).toBe(0);

    await waitForMessage(c.server, c.binh, 'Kế hoạch công tác năm 2027');
    const { mail } = await readOverImap(c.server, 'binhtt@yenbai.gov.vn', 'INBOX', 'Kế hoạch công tác năm 2027');
    expect(mail.text).toContain('Em gửi kế hoạch đính kèm.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['Kế hoạch 2027.txt']);
    expect(Buffer.compare(mail.attachments[0]!.content, content)).toBe(0);
    expect(problems.filter((p) => !/404/.test(p))).toEqual([]);
    await page.close();
  });

  it('with files chosen, a refusal replaces the page with the form and its sentence, and a saved draft opens at its own address', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    page.setDefaultTimeout(10_000);
    await page.goto(`${c.base}/mail/login?next=/mail/compose`);
    await page.fill('#address', 'binhtt@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/mail/compose'), page.click('button[type=submit]')]);
    await page.fill('#c-to', 'khongai@yenbai.gov.vn');
    await page.fill('#c-subject', 'Thử từ chối');
    await page.setInputFiles('#c-files', { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') });
    await page.click('button[value=send]');
    await page.locator('p.error').waitFor();
    expect(await page.locator('p.error').textContent()).toContain('Không có hộp thư «khongai@yenbai.gov.vn» trên hệ thống.');
    expect(await page.inputValue('#c-subject')).toBe('Thử từ chối');

    await page.fill('#c-to', 'annv@yenbai.gov.vn');
    await page.setInputFiles('#c-files', { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') });
    await Promise.all([page.waitForURL(/\/mail\/compose\?draft=\d+:\d+&saved=1$/), page.click('button[value=draft]')]);
    expect(await page.locator('p.notice').textContent()).toBe('Đã lưu thư nháp.');
    expect(await page.locator('input[name=keep]').count()).toBe(1);
    await page.close();
  });

  it('sends without JavaScript too: a plain multipart form post', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${c.base}/mail/login?next=/mail/compose`);
    await page.fill('#address', 'annv@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL('**/mail/compose'), page.click('button[type=submit]')]);
    await page.fill('#c-to', 'cuongld@yenbai.gov.vn');
    await page.fill('#c-subject', 'Không cần JavaScript');
    await page.setInputFiles('#c-files', { name: 'Ghi chú.txt', mimeType: 'text/plain', buffer: Buffer.from('ghi chú') });
    await Promise.all([page.waitForURL('**/mail/?notice=sent'), page.click('button[value=send]')]);
    await waitForMessage(c.server, c.cuong, 'Không cần JavaScript');
    await context.close();
  });
});
