import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { launchChromium } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { findMailbox } from '../../../src/mail/mailboxes.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';

/**
 * The hostile-HTML corpus as a reader meets it: every file of tests/fixtures/hostile-html
 * is a message in an INBOX, opened in the real webmail (message page, sanitized body in its
 * sandboxed frame, the page's and the frame's CSP) in headless Chromium, with remote images
 * both blocked and allowed. The test fails on any dialog, page error or console error, any
 * request that leaves loopback (but images, once the reader allowed them) or reaches /pwned,
 * any popup, and any navigation of the page.
 */
const CORPUS = path.join('tests/fixtures/hostile-html');
const PASSWORD = 'Đèo Khau Phạ mây trắng 2026';

let env: TestEnv;
let server: RunningServer;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const files = readdirSync(CORPUS).filter((f) => f.endsWith('.html')).sort();
const uids = new Map<string, number>();
let inboxId = 0;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config, blobs } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const reader = await addTestAccount(db, config, 'doc@yenbai.gov.vn', { name: 'Người đọc', password: PASSWORD });
  inboxId = (await findMailbox(db, reader.id, 'INBOX'))!.id;
  for (const file of files) {
    const body = readFileSync(path.join(CORPUS, file));
    const raw = Buffer.concat([
      Buffer.from(`From: attacker@evil.example\r\nTo: doc@yenbai.gov.vn\r\nSubject: ${file}\r\nMessage-ID: <${file}@evil.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      body,
      Buffer.from('\r\n'),
    ]);
    const blob = await blobs.put([raw]);
    const result = await appendFromClient(db, blobs, { mailboxId: inboxId, quota: null, messages: [{ blobHash: blob.hash, size: blob.size, flags: [], internalDate: new Date() }] });
    uids.set(file, result.uids[0]!);
  }
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
  page = await context.newPage();
  context.on('page', (popup) => problems.push(`popup opened: ${popup.url()}`));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Content Security Policy|Failed to load resource/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'about:') return;
    // a reader who allowed remote images lets images (and only images) come from outside
    const allowedImage = request.resourceType() === 'image' && new URL(request.frame().url()).searchParams.get('images') === '1';
    if (url.hostname !== '127.0.0.1' && !allowedImage) problems.push(`request off loopback: ${request.resourceType()} ${request.url()}`);
    else if (url.pathname.includes('pwned')) problems.push(`request to ${url.pathname}`);
  });
  await page.goto(`${base}/mail/login`);
  await page.fill('#address', 'doc@yenbai.gov.vn');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/mail/`), page.click('button[type=submit]')]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('the hostile-HTML corpus in the webmail', { timeout: 120_000 }, () => {
  it('holds at least 30 attacks', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const images of ['', '?images=1']) {
    it(`opens every message ${images ? 'with remote images allowed' : 'with remote images blocked'}: no script runs, nothing leaves, nothing navigates`, async () => {
      for (const file of files) {
        const url = `${base}/mail/m/${inboxId}/${uids.get(file)}${images}`;
        const before = problems.length;
        // the frame delays the page's load event, so both documents (and their scripts, if any ran) are done
        await page.goto(url);
        const frame = page.frames().find((f) => f.url().includes('/body'));
        expect(frame, `${file}: the body frame`).toBeDefined();
        expect(page.url(), `${file}: the page stayed`).toBe(url);
        // nothing the mail did set a marker in the page or the frame
        const marked = await page.evaluate(() => Boolean((globalThis as { pwned?: unknown }).pwned));
        expect(marked, `${file}: window.pwned`).toBe(false);
        expect(problems.slice(before), file).toEqual([]);
      }
    });
  }
});
