import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { launchChromium } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { findAccount, updateAccount } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';

let env: TestEnv;
let server: RunningServer;
let browser: Browser;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';
const SHOTS = 'test-results/screenshots';

const STAFF = [
  ['annv', 'Nguyễn Văn An', 'SNV-TCCB'], ['hadtt', 'Đặng Thị Thu Hà', 'SNV'], ['binhlt', 'Lê Thanh Bình', 'SNV-VP'],
  ['paoga', 'Giàng A Páo', 'SNV-VP'], ['myvt', 'Vàng Thị Mỷ', 'SNV-TCCB'], ['cuongpv', 'Phạm Văn Cường', 'SNV'],
  ['dunghm', 'Hoàng Minh Dũng', 'SNV-VP'], ['lanlt', 'Lý Thị Lan', 'SNV-TCCB'], ['sinhmm', 'Mùa Mí Sính', 'SNV'],
] as const;

const SHEET = [
  'Mã cán bộ,Họ và tên,Chức vụ,Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên',
  'NV101,Hà Thị Thu Trang,Chuyên viên,SNV-TCCB,Phòng Tổ chức cán bộ,SNV',
  'NV102,Triệu Văn Hùng,Phó phòng,SNV-VP,Văn phòng Sở,SNV',
  'NV103,Sùng Thị Dở,Văn thư,SNV-VP,Văn phòng Sở,SNV',
  'NV104,Nông Đức Mạnh,Chuyên viên,SNV-CCVC,Phòng Công chức viên chức,SNV',
  'TC101,Trần Thị Bình,Kế toán,STC,Sở Tài chính,',
  ',Không Có Mã,Chuyên viên,SNV,Sở Nội vụ,',
].join('\r\n');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  env = await createTestEnv();
  server = await env.start({ 'provisioning.domain': 'yenbai.gov.vn' }, ['web', 'worker']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  const ids: Record<string, number> = { SNV: snv.id };
  ids['SNV-TCCB'] = (await addAgency(db, { code: 'SNV-TCCB', name: 'Phòng Tổ chức cán bộ', parentId: snv.id })).id;
  ids['SNV-VP'] = (await addAgency(db, { code: 'SNV-VP', name: 'Văn phòng Sở', parentId: snv.id })).id;
  await addAgency(db, { code: 'STC', name: 'Sở Tài chính' });
  const hr = await addTestAccount(db, config, 'tochuc@yenbai.gov.vn', { name: 'Cán Bộ Tổ Chức', password: PASSWORD });
  await grantRole(db, { accountId: hr.id, role: 'agency-admin', agencyId: snv.id, grantedBy: 'test' });
  await updateAccount(db, hr.id, { agencyId: snv.id, title: 'Chuyên viên tổ chức' });
  for (const [local, name, agency] of STAFF) {
    const account = await addTestAccount(db, config, `${local}@yenbai.gov.vn`, { name });
    await updateAccount(db, account.id, { agencyId: ids[agency]!, title: 'Chuyên viên' });
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('admin console in Chromium', () => {
  it('an HR officer browses accounts, uploads a sheet, reviews the plan and applies it to 100%', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    // the browser asks for /favicon.ico on its own; any other failed request is a fault of the pages
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${base}/mail/login?next=${encodeURIComponent('/admin/accounts')}`);
    await page.fill('#address', 'tochuc@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/accounts`), page.click('button[type=submit]')]);
    expect(await page.locator('table.accounts tbody tr').count()).toBe(STAFF.length + 1);
    await page.screenshot({ path: `${SHOTS}/admin-accounts.png` });

    await page.goto(`${base}/admin/provisioning`);
    await page.setInputFiles('#sheet', { name: 'danh-sach-snv.csv', mimeType: 'text/csv', buffer: Buffer.from(SHEET) });
    await Promise.all([page.waitForURL(/\/admin\/provisioning\/runs\/\d+$/), page.click('form[enctype] button[type=submit]')]);
    expect(await page.locator('main h1').textContent()).toContain('Kế hoạch đợt');
    expect(await page.locator('table.problems').textContent()).toContain('đơn vị STC nằm ngoài phạm vi bạn quản lý');
    expect(await page.locator('table.items').textContent()).toContain('Triệu Văn Hùng');
    await page.screenshot({ path: `${SHOTS}/admin-plan.png`, fullPage: true });

    await Promise.all([page.waitForURL(/\/admin\/provisioning\/jobs\/\d+$/), page.click('form.apply button[type=submit]')]);
    // the page reloads itself (HTTP Refresh) until the job is done
    await page.waitForSelector('progress[value="100"]', { timeout: 20_000 });
    expect(await page.locator('.job').textContent()).toContain('Đã áp dụng xong');
    expect(await page.locator('table.sheets').textContent()).toContain('SNV-CCVC');
    await page.screenshot({ path: `${SHOTS}/admin-job.png` });
    expect(await findAccount(server.runtime.db, 'hungtv@yenbai.gov.vn')).toMatchObject({ displayName: 'Triệu Văn Hùng' });
    expect(await findAccount(server.runtime.db, 'binhtt@yenbai.gov.vn')).toBeUndefined();
    await page.goto(`${base}/admin/accounts/hungtv@yenbai.gov.vn`);
    expect(await page.locator('dl.facts').textContent()).toContain('Văn phòng Sở (SNV-VP)');
    await page.screenshot({ path: `${SHOTS}/admin-account.png` });
    expect(problems).toEqual([]);
  }, 60_000);
});
