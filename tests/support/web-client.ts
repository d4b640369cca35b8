import { chromium, type Browser } from 'playwright-core';

/** A page as the server answered it. */
export interface WebResponse {
  status: number;
  headers: Headers;
  /** the body as text (HTML pages) */
  text: string;
  /** where a 3xx points */
  location: string | null;
}

/**
 * A browser without a browser, for fast page tests: keeps cookies like one, sends forms
 * urlencoded or multipart with the CSRF token of the last page it read, and never follows
 * redirects by itself (tests look at them). Headless Chromium (`launchChromium`) is for
 * what only a real browser shows: scripts, CSP, transferred bytes, screenshots.
 */
export class WebClient {
  private readonly cookies = new Map<string, string>();
  private csrf = '';

  constructor(readonly base: string) {}

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async request(path: string, init: RequestInit): Promise<WebResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    this.remember(res.headers);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(path: string): Promise<WebResponse> {
    return this.request(path, { method: 'GET' });
  }

  /** GET, following redirects within this site (as a browser would after a login) */
  async follow(path: string, max = 5): Promise<WebResponse> {
    let res = await this.get(path);
    for (let i = 0; i < max && res.location && res.status >= 300 && res.status < 400; i++) res = await this.get(res.location);
    return res;
  }

  /** a form post, urlencoded; `_csrf` is added unless the test sets it (or sets it to null to leave it out) */
  postForm(path: string, fields: Record<string, string | string[] | null>): Promise<WebResponse> {
    const body = new URLSearchParams();
    if (!('_csrf' in fields)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of v === null ? [] : [v].flat()) body.append(k, one);
    return this.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** a multipart form post with files */
  postMultipart(path: string, fields: Record<string, string | string[]>, files: Array<{ field: string; filename: string; type: string; content: Buffer | string }> = []): Promise<WebResponse> {
    const body = new FormData();
    if (!('_csrf' in fields)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    for (const f of files) body.append(f.field, new Blob([typeof f.content === 'string' ? Buffer.from(f.content) : f.content], { type: f.type }), f.filename);
    return this.request(path, { method: 'POST', body });
  }

  /** logs in with a password (and a TOTP code when asked); the response is the page after login */
  async login(address: string, password: string, code?: () => string): Promise<WebResponse> {
    await this.get('/mail/login');
    let res = await this.postForm('/mail/login', { address, password });
    if (res.location?.startsWith('/mail/login/code')) {
      if (!code) throw new Error(`${address} has a second factor; give a code`);
      await this.get(res.location);
      res = await this.postForm('/mail/login/code', { code: code() });
    }
    return res;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/** Debian's Chromium through playwright-core, headless, as every browser test runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
