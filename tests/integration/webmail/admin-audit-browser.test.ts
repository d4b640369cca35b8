import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { launchChromium, WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { appendAudit } from '../../../src/audit/audit-log.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { officer, OFFICER_PASSWORD } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  await officer(db, config, 'kiemtoan@yenbai.gov.vn', 'auditor');
  await officer(db, config, 'annv@yenbai.gov.vn');
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  // a morning of a security officer's log: HR changes, logins, a guesser
  const hr = [
    ['account.add', 'tranthib@yenbai.gov.vn', { after: { name: 'Trần Thị B', agency: 'SNV' } }],
    ['account.password.reset', 'annv@yenbai.gov.vn', { mustChange: true }],
    ['account.disable', 'nghihuu@yenbai.gov.vn', { before: 'active', after: 'disabled' }],
    ['group.members.add', 'vanphong@yenbai.gov.vn', { added: ['tranthib@yenbai.gov.vn'] }],
  ] as const;
  for (const [action, target, data] of hr) await appendAudit(db, { actor: 'tochuc@yenbai.gov.vn', action, target, source: '10.20.30.40', agencyId: snv.id, data });
  const guesser = new WebClient(base);
  for (let i = 0; i < 3; i++) await guesser.login('annv@yenbai.gov.vn', `đoán-${i}`);
  await new WebClient(base).login('annv@yenbai.gov.vn', OFFICER_PASSWORD);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('audit log in a browser', () => {
  it('an auditor filters the log, exports the view as CSV, and the page is saved for review', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: 'vi-VN' });
    const page = await context.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (err) => scriptErrors.push(err.message));
    // the browser's own favicon.ico request is not the page's (the foundation serves none)
    page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && scriptErrors.push(`${m.text()} ${m.location().url}`));
    await page.goto(`${base}/admin/audit`);
    await page.fill('input[name=address]', 'kiemtoan@yenbai.gov.vn');
    await page.fill('input[name=password]', OFFICER_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/audit`), page.click('button[type=submit]')]);

    await page.selectOption('select[name=action]', 'account.');
    await page.fill('input[name=ip]', '10.20.30.0/24');
    await Promise.all([page.waitForURL(/action=account\./), page.click('form.filters button[type=submit]')]);
    const actions = await page.locator('table.audit tbody tr td:nth-child(3) code').allTextContents();
    expect(actions).toEqual(['account.disable', 'account.password.reset', 'account.add']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/admin/audit/export"]:not([href*=excel])')]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('id,at,actor,action,target,source,agency_id,data,prev_hash,hash');
    expect(csv.slice(1).map((line) => line.split(',')[3])).toEqual(['account.add', 'account.password.reset', 'account.disable']);

    // the filtered view with the chain checked, as the officer sees it
    await page.click('a.button[href*="verify=1"]');
    await expect.poll(() => page.locator('.chain-ok').count()).toBe(1);
    // no sideways scrolling at 1366×768 (a string: the test's compiler has no DOM types)
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/audit.png', fullPage: false });
    expect(scriptErrors.join("\n")).toBe("");
    await context.close();
  }, 60_000);

  it('the lockout view and a domain’s DNS records fit the screen too (saved for review)', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${base}/admin/logins`);
    await page.fill('input[name=address]', 'quantri@yenbai.gov.vn');
    await page.fill('input[name=password]', OFFICER_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/logins`), page.click('button[type=submit]')]);
    expect(await page.locator('table.tally-account tbody tr').count()).toBeGreaterThan(0);
    const noSideways = async () => expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await noSideways();
    await page.screenshot({ path: 'test-results/screenshots/admin-logins.png' });
    await page.goto(`${base}/admin/domains/yenbai.gov.vn`);
    expect(await page.locator('table.dns tbody tr').count()).toBeGreaterThan(4);
    await noSideways();
    await page.screenshot({ path: 'test-results/screenshots/admin-domain.png' });
    await context.close();
  }, 60_000);
});
