import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageFrameHeaders, renderMessageFrame, renderPlainText, sanitizeMailHtml } from '../../../src/webmail/sanitize/index.js';

/**
 * Every hostile body, sanitized and served in the message frame exactly as the webmail will
 * (its own URL, the CSP headers, a sandboxed iframe), opened in headless Chromium. Any dialog,
 * page error, console error, request that leaves loopback or reaches /pwned, popup or
 * navigation fails it; so does a script, handler or embedding element in the DOM the browser built.
 */

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';
const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

interface Case {
  name: string;
  body: string;
}

const hostile: Case[] = readdirSync(join(FIXTURES, 'hostile-html'))
  .filter((f) => f.endsWith('.html'))
  .sort()
  .map((f) => ({ name: f.replace(/\.html$/, ''), body: readFileSync(join(FIXTURES, 'hostile-html', f), 'utf8') }));
const benign: Case[] = readdirSync(join(FIXTURES, 'benign-html'))
  .sort()
  .map((f) => ({ name: `benign-${f.replace(/\.html$/, '')}`, body: readFileSync(join(FIXTURES, 'benign-html', f), 'utf8') }));
const cases = new Map([...hostile, ...benign].map((c) => [c.name, c]));

/** A text/plain body that looks like markup and script URLs. */
const PLAIN_TEXT =
  'Chào anh,\n<script>fetch("/pwned?plain")</script> <img src=x onerror=alert(1)>\n' +
  'javascript:alert(1) xem https://example.gov.vn/van-ban?id=1&x=2.\n> Trích thư cũ\n> > sâu hơn\n';

/** The unsanitized control: proves the detectors below see an attack that does run. */
const CONTROL_BODY = '<img src="x" onerror="fetch(\'/pwned?control\'); alert(1)">';

/** Requests and browser events that must not happen, each with the case it came from. */
const violations: string[] = [];
const pwnedHits: string[] = [];

function parentPage(frameUrl: string, sandbox: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>webmail</title></head><body>' +
    `<iframe id="message" sandbox="${sandbox}" src="${frameUrl}" style="width: 100%; height: 700px; border: 0"></iframe>` +
    '</body></html>'
  );
}

function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, kind, name] = url.pathname.split('/');
    if (url.pathname.startsWith('/pwned')) {
      pwnedHits.push(`${url.pathname}${url.search}`);
      res.writeHead(204).end();
    } else if (kind === 'case' && name && cases.has(name)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(parentPage(`/frame/${name}`, SANDBOX));
    } else if (kind === 'frame' && name && cases.has(name)) {
      const { html } = sanitizeMailHtml(cases.get(name)!.body, { cidUrl: (id) => `/cid/${encodeURIComponent(id)}` });
      res.writeHead(200, messageFrameHeaders()).end(renderMessageFrame(html, { title: name }));
    } else if (kind === 'plain-frame') {
      res.writeHead(200, messageFrameHeaders()).end(renderMessageFrame(renderPlainText(PLAIN_TEXT)));
    } else if (kind === 'plain') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(parentPage('/plain-frame', SANDBOX));
    } else if (kind === 'cid') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(ONE_PIXEL_PNG);
    } else if (kind === 'control') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(parentPage('/control-frame', 'allow-scripts allow-same-origin allow-modals'));
    } else if (kind === 'control-frame') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(CONTROL_BODY);
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      violations.push(`unexpected request ${req.method} ${url.pathname}${url.search}`);
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server;
let browser: Browser;
let context: BrowserContext;
let origin: string;

beforeAll(async () => {
  server = await startServer();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext();
  // Nothing may leave loopback: the request is stopped and the case fails.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    violations.push(`request to ${url.href}`);
    return route.abort();
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * A browser tab that opens case after case and collects, for the current one, every sign of an
 * attack that ran. Tabs are reused: opening a fresh one per case costs more than the case.
 */
class Lane {
  signs: string[] = [];
  private loaded = false;

  private constructor(readonly page: Page) {
    page.on('dialog', (dialog) => {
      this.signs.push(`dialog ${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.signs.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.signs.push(`console error: ${message.text()}`);
    });
    page.on('popup', (popup) => this.signs.push(`popup ${popup.url()}`));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && this.loaded) this.signs.push(`top page navigated to ${frame.url()}`);
      if (frame !== page.mainFrame() && !/^\/(?:frame\/|control-frame$|plain-frame$)/.test(new URL(frame.url()).pathname)) {
        this.signs.push(`message frame navigated to ${frame.url()}`);
      }
    });
  }

  static async open(): Promise<Lane> {
    return new Lane(await context.newPage());
  }

  /** Opens one case and answers every sign of an attack seen while it was shown. */
  async run(path: string): Promise<string[]> {
    this.signs = [];
    this.loaded = false;
    const before = { violations: violations.length, pwned: pwnedHits.length };
    await this.page.goto(`${origin}${path}`, { waitUntil: 'load' });
    this.loaded = true;
    // Time for a timer, a refresh or a late error to fire.
    await this.page.waitForTimeout(100);
    const top = await this.page.evaluate<unknown>('window.pwned');
    if (top !== undefined) this.signs.push('window.top.pwned was set');
    this.loaded = false;
    // The frame sends no Referer, so a request seen meanwhile counts against every case open then.
    return [
      ...this.signs,
      ...violations.slice(before.violations),
      ...pwnedHits.slice(before.pwned).map((hit) => `hit ${hit}`),
    ];
  }
}

/**
 * What the browser built from the frame document: anything active in it. Browser-side code is
 * given as text, as this project compiles without the DOM's type declarations.
 */
const FIND_ACTIVE_CONTENT = `(() => {
  const doc = document.getElementById('message').contentDocument;
  if (!doc) return ['frame document not readable'];
  const found = [];
  const ours = doc.head.querySelector('style');
  const active = 'script, style, iframe, frame, object, embed, applet, form, input, button, textarea, select, base, ' +
    'meta[http-equiv], link, svg, math, template, noscript';
  for (const el of doc.querySelectorAll(active)) if (el !== ours) found.push('<' + el.localName + '> in the DOM');
  for (const el of doc.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      if (/^on/i.test(attribute.name) || ['srcdoc', 'srcset', 'formaction', 'xlink:href'].includes(attribute.name)) {
        found.push(attribute.name + ' on <' + el.localName + '>');
      }
    }
    const href = el.getAttribute('href');
    if (href !== null && !/^(?:https?:|mailto:)/i.test(href)) found.push('href ' + href);
  }
  return found;
})()`;

const LOADED_IMAGES = `Array.from(document.getElementById('message').contentDocument.images)
  .filter((img) => img.getAttribute('src'))
  .map((img) => ({ src: img.getAttribute('src'), width: img.naturalWidth }))`;

function activeContentIn(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(FIND_ACTIVE_CONTENT);
}

describe('hostile HTML in the message frame, in Chromium', () => {
  it('the detectors see an unsanitized attack run (control)', async () => {
    const lane = await Lane.open();
    const signs = await lane.run('/control');
    await lane.page.close();
    expect(signs.some((s) => s.startsWith('dialog alert'))).toBe(true);
    expect(signs.some((s) => s.includes('/pwned?control'))).toBe(true);
  });

  it(`none of the ${hostile.length} hostile bodies runs, loads or navigates anything`, async () => {
    const failures: Record<string, string[]> = {};
    const queue = hostile.map((c) => c.name);
    // A few tabs in one browser, each taking the next case, keep the whole run within seconds.
    const lanes = await Promise.all([1, 2, 3].map(() => Lane.open()));
    await Promise.all(
      lanes.map(async (lane) => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const signs = await lane.run(`/case/${name}`);
          signs.push(...(await activeContentIn(lane.page)));
          if (signs.length > 0) failures[name] = signs;
        }
        await lane.page.close();
      }),
    );
    expect(failures).toEqual({});
  }, 60_000);

  it('benign mail renders with its inline image and no errors', async () => {
    const lane = await Lane.open();
    const page = lane.page;
    for (const { name } of benign) {
      const signs = await lane.run(`/case/${name}`);
      signs.push(...(await activeContentIn(page)));
      const images = await page.evaluate<Array<{ src: string; width: number }>>(LOADED_IMAGES);
      const text = await page.frameLocator('#message').locator('body').innerText();
      expect(signs, name).toEqual([]);
      if (name === 'benign-outlook-newsletter') {
        expect(images).toEqual([{ src: '/cid/image001.png%4001DA1234.56789AB0', width: 1 }]);
        expect(text).toContain('UBND huyện Mường Tè');
      }
    }
    await page.close();
  });

  it('plain-text mail shows its markup as text, links only its http(s) URL, and quotes', async () => {
    const lane = await Lane.open();
    const signs = await lane.run('/plain');
    signs.push(...(await activeContentIn(lane.page)));
    const frame = lane.page.frameLocator('#message');
    const text = await frame.locator('body').innerText();
    const links = await frame.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const quotes = await frame.locator('blockquote blockquote').count();
    await lane.page.close();
    expect(signs).toEqual([]);
    expect(text).toContain('<script>fetch("/pwned?plain")</script> <img src=x onerror=alert(1)>');
    expect(links).toEqual(['https://example.gov.vn/van-ban?id=1&x=2']);
    expect(quotes).toBe(1);
  });
});
