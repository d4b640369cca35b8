/**
 * COMPRESS=DEFLATE (RFC 4978) over a raw socket with node:zlib and through imapflow (which
 * turns it on by itself), and the per-account connection limit (imap.maxConnectionsPerUser).
 */
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapClient, PASSWORD, RawImap, rawLoggedIn, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap({ 'imap.maxConnectionsPerUser': 2 });
});

afterAll(async () => {
  await t?.env.stop();
});

/** An IMAP connection that switches to raw DEFLATE after COMPRESS, as a client written from RFC 4978 would. */
class DeflateClient {
  private text = '';
  private deflate: zlib.DeflateRaw | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      if (!this.deflate) this.text += d.toString('utf8');
    });
  }

  static async connect(port: number): Promise<DeflateClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new DeflateClient(socket);
  }

  /** starts compression both ways (after the tagged OK of COMPRESS was read) */
  compress(): void {
    this.deflate = zlib.createDeflateRaw();
    this.deflate.pipe(this.socket);
    const inflate = zlib.createInflateRaw();
    this.socket.removeAllListeners('data');
    this.socket.pipe(inflate);
    inflate.on('data', (d: Buffer) => (this.text += d.toString('utf8')));
  }

  async command(tag: string, command: string): Promise<string[]> {
    const line = Buffer.from(`${tag} ${command}\r\n`);
    if (this.deflate) {
      this.deflate.write(line);
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    } else this.socket.write(line);
    return this.until(tag);
  }

  async until(tag: string): Promise<string[]> {
    const end = Date.now() + 5000;
    for (;;) {
      const lines = this.text.split('\r\n');
      const i = lines.findIndex((l) => l.startsWith(`${tag} `));
      if (i >= 0) {
        this.text = lines.slice(i + 1).join('\r\n');
        return lines.slice(0, i + 1);
      }
      if (Date.now() > end) throw new Error(`no ${tag} answer; have ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('COMPRESS=DEFLATE (RFC 4978)', () => {
  it('a raw DEFLATE client selects, fetches and logs out; a second COMPRESS is NO [COMPRESSIONACTIVE]', async () => {
    const c = await DeflateClient.connect(t.server.ports.imap!);
    await c.until('*');
    // RFC 4978 §3: announced once logged in, where COMPRESS may be used
    expect((await c.command('c', 'CAPABILITY'))[0]?.split(' ')).not.toContain('COMPRESS=DEFLATE');
    expect((await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`)).at(-1)).toMatch(/^l OK \[CAPABILITY .*COMPRESS=DEFLATE/);
    expect(await c.command('z', 'COMPRESS DEFLATE')).toEqual(['z OK DEFLATE active']);
    c.compress();
    const sel = await c.command('s', 'SELECT INBOX');
    expect(sel.at(-1)).toMatch(/^s OK \[READ-WRITE\]/);
    expect(sel).toContain('* 0 EXISTS');
    expect((await c.command('z2', 'COMPRESS DEFLATE')).at(-1)).toMatch(/^z2 NO \[COMPRESSIONACTIVE\]/);
    expect(await c.command('o', 'LOGOUT')).toEqual(['* BYE hopthu logging out', 'o OK LOGOUT completed']);
    c.close();
  });

  it('COMPRESS before login is BAD, an unknown algorithm is BAD', async () => {
    const c = await DeflateClient.connect(t.server.ports.imap!);
    await c.until('*');
    expect((await c.command('a', 'COMPRESS DEFLATE')).at(-1)).toMatch(/^a BAD /);
    await c.command('l', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    expect((await c.command('b', 'COMPRESS LZ4')).at(-1)).toMatch(/^b BAD .*DEFLATE/);
    c.close();
  });

  it('imapflow turns compression on itself; a 300 KB text message crosses the wire in far fewer bytes', async () => {
    // a TCP relay between imapflow and the server counts the octets on the wire
    let fromServer = 0;
    const relay = net.createServer((down) => {
      const up = net.connect(t.server.ports.imap!, '127.0.0.1');
      up.on('data', (d: Buffer) => (fromServer += d.length));
      down.pipe(up).pipe(down);
      up.on('error', () => down.destroy());
      down.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const client = imapClient(t.server, { port: (relay.address() as net.AddressInfo).port });
    await client.connect();
    const body = 'Kính gửi các đồng chí, đây là báo cáo tổng hợp tình hình chuyển đổi số.\r\n'.repeat(4000);
    await client.append('INBOX', `Subject: Bao cao\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`);
    await client.mailboxOpen('INBOX');
    const before = fromServer;
    const msg = await client.fetchOne('*', { source: true });
    const onWire = fromServer - before;
    expect(msg && msg.source?.toString('utf8').includes('chuyển đổi số')).toBe(true);
    expect(msg ? msg.source!.length : 0).toBeGreaterThan(300_000);
    expect(onWire).toBeLessThan(msg ? msg.source!.length / 10 : 0);
    await client.logout();
    relay.close();
  });
  it('compression runs under TLS too (imapflow on the implicit-TLS port)', async () => {
    const client = imapClient(t.server, { port: t.server.ports.imaps!, secure: true });
    await client.connect();
    await client.mailboxOpen('INBOX');
    const last = await client.fetchOne('*', { envelope: true, flags: true });
    expect(last && last.envelope?.subject).toBe('Bao cao');
    await client.logout();
  });
});

describe('connections per account (imap.maxConnectionsPerUser)', () => {
  it('a login past the limit gets NO [LIMIT]; after a logout the account may log in again', async () => {
    const first = await rawLoggedIn(t.server.ports.imap!, 'hadtt@yenbai.gov.vn');
    const second = await rawLoggedIn(t.server.ports.imap!, 'hadtt@yenbai.gov.vn');
    // another account is not affected
    const other = await rawLoggedIn(t.server.ports.imap!);
    other.close();
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    const refused = { c, last: (await c.command('l', `LOGIN hadtt@yenbai.gov.vn "${PASSWORD}"`)).at(-1) ?? '' };
    expect(refused.last).toMatch(/^l NO \[LIMIT\] .*2 IMAP connections/);
    // still not authenticated
    expect((await refused.c.command('s', 'SELECT INBOX')).at(-1)).toMatch(/^s BAD /);
    await first.command('o', 'LOGOUT');
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    expect((await refused.c.command('l2', `LOGIN hadtt@yenbai.gov.vn "${PASSWORD}"`)).at(-1)).toMatch(/^l2 OK/);
    refused.c.close();
    second.close();
  });
});
