/**
 * The webmail: what a browser on a slow link downloads, and how long the server takes.
 * - transferred bytes (compressed, headers included, as Chromium counts them) for the
 *   inbox, a message and compose: the first load with a cold cache (all CSS and JS) and a
 *   later load with a warm one; targets: inbox first load under 60 KB, later pages under 20 KB;
 * - server time of the inbox page (page 1, newest first) of a 10,000-message folder for 20
 *   people reading (each opens the inbox, reads 0.5–1.5 s, opens it again): p50/p95 seen by
 *   the client on loopback; target p95 under 50 ms. Also the same 20 sessions asking back to
 *   back with no pause (saturation: pages/s and the wait that queueing adds), and one reader
 *   alone. The reference is the same page of a 50-message folder, measured in the same run:
 *   the ratio shows what the folder's size costs.
 * The 20 sessions are of one account (twenty staff reading one office mailbox); each keeps
 * its own session cookie, as twenty browsers would.
 */
import { randomBytes } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import { fromDist } from './lib/dist.js';
import { intEnv, type BenchOptions } from './lib/options.js';
import { percentile, type Metric } from './lib/report.js';
import { startHopthuImap } from './imap/hopthu.js';
import { populateAll } from './imap/populate.js';
import { buildDist } from './smtp/hopthu.js';

const log = (text: string) => console.error(`webmail: ${text}`);
const PASSWORD = 'Bench webmail mật khẩu 2026';
const KB = 1024;

/** Logs in through the form; returns the session cookie header for fetch. */
async function loginCookie(base: string, address: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${base}/mail/login`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/mail/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, address, password: PASSWORD }),
  });
  keep(res);
  if (res.status !== 303 || !cookies.has('hopthu_session')) throw new Error(`webmail login of ${address} failed: ${res.status}`);
  return header();
}

/** GETs `path` with each session at once, `rounds` times over; milliseconds per request. */
async function timeConcurrent(base: string, cookies: string[], path: string, rounds: number, serverTimes: number[] = []): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    cookies.map(async (cookie) => {
      for (let i = 0; i < rounds; i++) {
        const started = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { cookie, 'accept-encoding': 'br, gzip' } });
        await res.arrayBuffer();
        times.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
        // W3C Server-Timing: the server's own time for the page, without waiting in line for the CPU
        const dur = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
        if (dur) serverTimes.push(Number(dur[1]));
      }
    }),
  );
  return times;
}

/**
 * Twenty people reading: each opens the page, reads for a while (0.5–1.5 s, seeded), opens
 * it again, for `seconds`; milliseconds per request as each of them waited.
 */
async function timeReaders(base: string, cookies: string[], path: string, seconds: number, serverTimes: number[]): Promise<number[]> {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  let seed = 7;
  const think = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 500 + (seed % 1000);
  };
  await Promise.all(
    cookies.map(async (cookie, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / cookies.length));
      while (performance.now() < until) {
        times.push(...(await timeConcurrent(base, [cookie], path, 1, serverTimes)));
        await new Promise((r) => setTimeout(r, think()));
      }
    }),
  );
  return times;
}

/** Bytes Chromium transferred (headers + compressed bodies, frames included) while `action` ran. */
async function transferred(page: Page, action: () => Promise<unknown>): Promise<number> {
  let bytes = 0;
  const pending: Array<Promise<void>> = [];
  const onFinished = (request: import('playwright-core').Request) => {
    pending.push(request.sizes().then((s) => void (bytes += s.responseHeadersSize + s.responseBodySize)).catch(() => undefined));
  };
  page.on('requestfinished', onFinished);
  await action();
  await page.waitForLoadState('networkidle');
  page.off('requestfinished', onFinished);
  await Promise.all(pending);
  return bytes;
}

export async function runWebmailBench(opts: BenchOptions): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const big = intEnv('BENCH_WEBMAIL_MESSAGES', 10_000, 100);
  const users = intEnv('BENCH_WEBMAIL_USERS', 20);
  const rounds = intEnv('BENCH_WEBMAIL_ROUNDS', 25);
  if (!opts.skipBuild) log(`built dist/ in ${buildDist().toFixed(1)} s`);
  const profileDir = process.env.BENCH_WEBMAIL_PROFILE;
  const server = await startHopthuImap({ accounts: 2, roles: 'imap,worker,web', ...(profileDir ? { profileDir } : {}) });
  try {
    const base = `http://127.0.0.1:${server.httpPort}`;
    const run = randomBytes(4).toString('hex');
    log(`filling a ${big}-message folder and a 50-message one over IMAP`);
    await populateAll(server, [{ user: server.users[0]!, count: big }, { user: server.users[1]!, count: 50 }], run, 2);
    const [bigUser, smallUser] = [server.users[0]!.user, server.users[1]!.user];
    await setWebPasswords(server.databaseUrl, [bigUser, smallUser]);

    log('page weight in Chromium');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const weights: Record<string, number> = {};
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(`${base}/mail/login`);
      await page.fill('#address', bigUser);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${base}/mail/`), page.click('button[type=submit]')]);
      const cdp = await context.newCDPSession(page);
      const cold = async () => {
        await cdp.send('Network.clearBrowserCache');
      };
      const messageUrl = await page.locator('a[href^="/mail/m/"]').first().getAttribute('href');
      if (!messageUrl) throw new Error('the inbox lists no message link');
      await cold();
      weights.inboxFirst = await transferred(page, () => page.goto(`${base}/mail/`));
      weights.inboxLater = await transferred(page, () => page.goto(`${base}/mail/`));
      weights.messageLater = await transferred(page, () => page.goto(`${base}${messageUrl}`));
      weights.composeLater = await transferred(page, () => page.goto(`${base}/mail/compose`));
      await cold();
      weights.messageFirst = await transferred(page, () => page.goto(`${base}${messageUrl}`));
      await cold();
      weights.composeFirst = await transferred(page, () => page.goto(`${base}/mail/compose`));
    } finally {
      await browser.close();
    }

    log(`inbox server time, ${users} sessions × ${rounds} requests`);
    // one after another: many logins of one account at once are what the lockout throttles
    const bigCookies: string[] = [];
    const smallCookies: string[] = [];
    for (let i = 0; i < users; i++) {
      bigCookies.push(await loginCookie(base, bigUser));
      smallCookies.push(await loginCookie(base, smallUser));
    }
    // warm up both (caches, JIT), then measure
    await timeConcurrent(base, bigCookies, '/mail/', 3);
    await timeConcurrent(base, smallCookies, '/mail/', 3);
    const readSeconds = intEnv('BENCH_WEBMAIL_SECONDS', 20);
    const bigReaderServer: number[] = [];
    const bigReaders = await timeReaders(base, bigCookies, '/mail/', readSeconds, bigReaderServer);
    const smallReaders = await timeReaders(base, smallCookies, '/mail/', readSeconds, []);
    const bigServer: number[] = [];
    const smallServer: number[] = [];
    let started = performance.now();
    const bigTimes = await timeConcurrent(base, bigCookies, '/mail/', rounds, bigServer);
    const bigRate = bigTimes.length / ((performance.now() - started) / 1000);
    started = performance.now();
    const smallTimes = await timeConcurrent(base, smallCookies, '/mail/', rounds, smallServer);
    const smallRate = smallTimes.length / ((performance.now() - started) / 1000);
    // one reader alone: what a page costs the server without waiting behind nineteen others
    const bigAlone = await timeConcurrent(base, bigCookies.slice(0, 1), '/mail/', rounds * 2);
    const smallAlone = await timeConcurrent(base, smallCookies.slice(0, 1), '/mail/', rounds * 2);
    const p = (xs: number[], q: number) => percentile(xs, q);
    const kb = (bytes: number) => Math.round((bytes / KB) * 10) / 10;
    const byteMetric = (metric: string, bytes: number, limitKb: number): Metric => ({
      bench: 'webmail', metric, unit: 'bytes', hopthu: bytes, reference: null, ratio: null, target: `< ${limitKb} KB`, met: bytes < limitKb * KB,
    });
    const metrics: Metric[] = [
      byteMetric('inbox, first load (cold cache, all CSS and JS)', weights.inboxFirst!, 60),
      byteMetric('inbox, later load', weights.inboxLater!, 20),
      byteMetric('message, later load (frame included)', weights.messageLater!, 20),
      byteMetric('compose, later load', weights.composeLater!, 20),
      { bench: 'webmail', metric: 'message, first load (cold cache)', unit: 'bytes', hopthu: weights.messageFirst!, reference: null, ratio: null },
      { bench: 'webmail', metric: 'compose, first load (cold cache)', unit: 'bytes', hopthu: weights.composeFirst!, reference: null, ratio: null },
      {
        bench: 'webmail', metric: `inbox p50, ${big.toLocaleString('en-US')}-message folder, ${users} people reading (0.5–1.5 s between pages; ref: 50-message folder)`, unit: 'ms',
        hopthu: p(bigReaders, 50), reference: p(smallReaders, 50), ratio: p(bigReaders, 50) / p(smallReaders, 50),
      },
      {
        bench: 'webmail', metric: `inbox p95, ${big.toLocaleString('en-US')}-message folder, ${users} people reading (ref: 50-message folder)`, unit: 'ms',
        hopthu: p(bigReaders, 95), reference: p(smallReaders, 95), ratio: p(bigReaders, 95) / p(smallReaders, 95), target: '< 50 ms', met: p(bigReaders, 95) < 50,
      },
      {
        bench: 'webmail', metric: `inbox p50 / p95, ${users} sessions asking back to back, no pause (saturation; ref: 50-message folder)`, unit: 'text',
        hopthu: `${p(bigTimes, 50).toFixed(0)} / ${p(bigTimes, 95).toFixed(0)} ms`, reference: `${p(smallTimes, 50).toFixed(0)} / ${p(smallTimes, 95).toFixed(0)} ms`, ratio: p(bigTimes, 95) / p(smallTimes, 95),
      },
      {
        bench: 'webmail', metric: `inbox server time (Server-Timing) p95 at saturation (ref: 50-message folder)`, unit: 'ms',
        hopthu: p(bigServer, 95), reference: p(smallServer, 95), ratio: p(bigServer, 95) / p(smallServer, 95),
      },
      { bench: 'webmail', metric: `inbox pages/s at saturation (ref: 50-message folder)`, unit: '/s', hopthu: bigRate, reference: smallRate, ratio: bigRate / smallRate },
      {
        bench: 'webmail', metric: 'inbox p50 / p95, one reader alone (ref: 50-message folder)', unit: 'text',
        hopthu: `${p(bigAlone, 50).toFixed(1)} / ${p(bigAlone, 95).toFixed(1)} ms`, reference: `${p(smallAlone, 50).toFixed(1)} / ${p(smallAlone, 95).toFixed(1)} ms`, ratio: p(bigAlone, 50) / p(smallAlone, 50),
      },
    ];
    return { metrics, details: { weightsKb: Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, kb(v)])), users, rounds, bigFolder: big, requests: bigTimes.length, readerRequests: bigReaders.length, readerServerP95: p(bigReaderServer, 95) } };
  } finally {
    await server.stop();
  }
}

/** Gives the bench accounts a webmail password (the IMAP bench's accounts have only app passwords). */
async function setWebPasswords(databaseUrl: string, addresses: string[]): Promise<void> {
  const { createPool } = await fromDist<typeof import('../src/store/db.js')>('store/db.js');
  const { getAccount, setPasswordHash } = await fromDist<typeof import('../src/identity/accounts.js')>('identity/accounts.js');
  const { hashPassword } = await fromDist<typeof import('../src/identity/passwords.js')>('identity/passwords.js');
  const db = createPool(databaseUrl, 2);
  try {
    const hash = await hashPassword(PASSWORD, { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 });
    for (const address of addresses) await setPasswordHash(db, (await getAccount(db, address)).id, hash);
  } finally {
    await db.end();
  }
}
