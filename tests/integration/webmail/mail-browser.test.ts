import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../support/web-client.js';
import { deliver, folder, PASSWORD, setupMail, type MailTestSetup } from './mail-setup.js';

let s: MailTestSetup;
let browser: Browser;
const SHOTS = 'test-results/screenshots';

beforeAll(async () => {
  s = await setupMail();
  await deliver(s, s.an, { from: 'Phòng Tổ chức cán bộ <tccb@sender.test>', subject: 'Danh sách cán bộ đi tập huấn quý IV', text: 'Kính gửi các phòng,\nĐề nghị gửi danh sách trước ngày 30/11.' });
  await deliver(s, s.an, { from: 'Văn phòng UBND tỉnh <vp@sender.test>', subject: 'Lịch làm việc tuần 49 của Lãnh đạo UBND tỉnh', text: 'Xem lịch đính kèm.', attachments: [{ filename: 'Lịch tuần 49.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }] });
  await deliver(s, s.an, {
    from: 'Sở Nội vụ <snv@sender.test>',
    subject: 'Bản tin cải cách hành chính tháng 11',
    html: '<h2 style="color:#0b3d6e">Bản tin cải cách hành chính</h2><p>Kính gửi <b>các đồng chí</b>,</p><p>Sở Nội vụ trân trọng gửi bản tin tháng 11 với các nội dung:</p><ul><li>Kết quả chỉ số PAR INDEX</li><li>Chuyển đổi số trong cơ quan nhà nước</li></ul><p><img src="https://tracker.example/pixel.png" alt="ảnh"></p><script>alert(1)</script><p>Trân trọng.</p>',
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await s?.env.stop();
});

describe('webmail in a browser', () => {
  it('opens the inbox and a message, runs no script from the mail, and saves screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/tracker\.example|Content Security Policy/.test(m.text()) && !m.location().url.endsWith('/favicon.ico')) problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${s.base}/mail/`);
    await page.fill('#address', 'annv@yenbai.gov.vn');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${s.base}/mail/`), page.click('button[type=submit]')]);
    expect(await page.locator('table.mail tbody tr').count()).toBe(3);
    expect(await page.title()).toBe('(3) Hộp thư đến · Hộp thư');
    await page.screenshot({ path: `${SHOTS}/inbox.png` });

    await page.click('text=Bản tin cải cách hành chính tháng 11');
    const frame = page.frameLocator('iframe.body');
    expect(await frame.locator('h2').textContent()).toBe('Bản tin cải cách hành chính');
    expect(await page.locator('.blocked').textContent()).toContain('Ảnh từ Internet đã bị chặn');
    // the frame grew to its content (the base script's data-fit)
    await page.waitForFunction(() => {
      const frame = (globalThis as unknown as { document: { querySelector(s: string): { offsetHeight: number } } }).document.querySelector('iframe.body');
      return frame.offsetHeight > 300;
    });
    await page.screenshot({ path: `${SHOTS}/message.png` });
    // keyboard: "u" back to the list, where the message now reads as read
    await page.keyboard.press('u');
    await page.waitForURL(/\/mail\/f\/\d+$/);
    expect(await page.locator('table.mail tr.unread').count()).toBe(2);
    const inbox = await folder(s, s.an, 'INBOX');
    expect(page.url()).toBe(`${s.base}/mail/f/${inbox.id}`);
    // "/" goes to the search box; without diacritics it finds the accented subject
    await page.keyboard.press('/');
    await page.keyboard.type('lich lam viec');
    await Promise.all([page.waitForURL(/\/mail\/search\?/), page.keyboard.press('Enter')]);
    expect(await page.locator('table.mail tbody tr').count()).toBe(1);
    expect(await page.locator('td.subject a').textContent()).toBe('Lịch làm việc tuần 49 của Lãnh đạo UBND tỉnh');
    await page.screenshot({ path: `${SHOTS}/search.png` });
    // the live count, in a tab with a clock the test moves (no message frame there for its script to knock on):
    // a new message arrives, and within a minute the sidebar and the title say so
    const tab = await context.newPage();
    await tab.clock.install();
    await tab.goto(`${s.base}/mail/`);
    expect(await tab.title()).toBe('(2) Hộp thư đến · Hộp thư');
    await deliver(s, s.an, { subject: 'Giấy mời họp khẩn', text: 'Kính mời.' });
    await tab.clock.fastForward(61_000);
    await tab.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title.startsWith('(3)'));
    expect(await tab.locator(`[data-unread="${inbox.id}"]`).textContent()).toBe('3');
    expect(problems).toEqual([]);
  }, 60_000);
});
