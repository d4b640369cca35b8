import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import type { TestEnv } from '../../support/harness.js';
import { addTestAccount } from '../../support/fixtures.js';
import { startSettingsServer } from './settings-server.js';
import { launchChromium } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: RunningServer;
let browser: Browser;
let base: string;
const PASSWORD = 'Đèo Khau Phạ mây trắng 2026';
const SHOTS = 'test-results/screenshots';

beforeAll(async () => {
  ({ env, server, base } = await startSettingsServer(['web'], { hostname: 'mail.yenbai.gov.vn' }));
  const { db, config } = server.runtime;
  await addTestAccount(db, config, 'hoalt@yenbai.gov.vn', { name: 'Lò Thị Hoa', password: PASSWORD });
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('settings in Chromium', () => {
  it('shows the overview, enrols TOTP from the QR page and offers the recovery codes to print, copy and download', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    // CSP refusals and script errors are console errors; a failed load is told by its response (the browser's own /favicon.ico aside)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => void d.accept());

    await page.goto(`${base}/mail/login?next=%2Fmail%2Fsettings`);
    await page.fill('#address', 'hoalt@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/mail/settings`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Cài đặt');
    expect(await page.locator('a.setting').count()).toBe(7);
    await page.screenshot({ path: `${SHOTS}/settings.png` });

    await page.click('a.setting.two-factor');
    await Promise.all([page.waitForURL(`${base}/mail/settings/two-factor/enrol`), page.click('button:has-text("Bật xác thực hai lớp")')]);
    const qr = page.locator('img.qr');
    // the page CSP lets the data: image in: it has decoded to its full size
    expect(await qr.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    expect((await qr.boundingBox())!.width).toBe(264);
    await page.screenshot({ path: `${SHOTS}/totp.png` });

    const secret = (await page.textContent('code.secret'))!.replace(/\s/g, '');
    await page.fill('#code', await generate({ secret }));
    await Promise.all([page.waitForURL(/\/mail\/settings\/two-factor\?done=totp-enabled/), page.click('button:has-text("Xác nhận và bật")')]);
    expect(await page.locator('ol.recovery-codes li').count()).toBe(10);
    // the script revealed the print and copy buttons; the download is a .txt
    expect(await page.isVisible('button[data-print]')).toBe(true);
    expect(await page.isVisible('button[data-copy]')).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    expect(download.suggestedFilename()).toBe('recovery-codes-hoalt@yenbai.gov.vn.txt');
    await page.screenshot({ path: `${SHOTS}/recovery-codes.png`, fullPage: true });

    await page.goto(`${base}/mail/settings/sessions`);
    expect(await page.textContent('tr.this td')).toMatch(/^Chrome \d+ trên Linux/);

    await page.goto(`${base}/mail/settings/app-passwords`);
    await page.fill('#name', 'Điện thoại cá nhân');
    await Promise.all([page.waitForURL(/\/mail\/settings\/app-passwords\?shown=/), page.click('button:has-text("Tạo mật khẩu")')]);
    expect(await page.textContent('#app-secret')).toMatch(/^[a-z]{4}( [a-z]{4}){4}$/);
    await page.screenshot({ path: `${SHOTS}/app-password.png`, fullPage: true });

    await page.goto(`${base}/mail/settings/vacation`);
    await page.screenshot({ path: `${SHOTS}/vacation.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});
