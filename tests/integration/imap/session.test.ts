import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapClient, PASSWORD, RawImap, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
});

afterAll(async () => {
  await t?.env.stop();
});

describe('IMAP session (RFC 9051 §6.1, §6.2)', () => {
  it('greets with OK [CAPABILITY ...] and answers CAPABILITY, NOOP and LOGOUT', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    const greeting = await c.line();
    expect(greeting).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*\] hopthu ready$/);
    expect(greeting).toContain('STARTTLS');
    expect(greeting).toContain('AUTH=PLAIN'); // loopback may log in without TLS
    const caps = await c.command('a1', 'CAPABILITY');
    expect(caps[0]).toMatch(/^\* CAPABILITY IMAP4rev1 .*IDLE/);
    expect(caps[1]).toBe('a1 OK CAPABILITY completed');
    expect((await c.command('a2', 'NOOP')).at(-1)).toBe('a2 OK NOOP completed');
    expect(await c.command('a3', 'LOGOUT')).toEqual(['* BYE hopthu logging out', 'a3 OK LOGOUT completed']);
    c.close();
  });

  it('names the client from its ID (RFC 2971) in the audit event of the login', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    expect((await c.command('i1', 'ID ("name" "Thunderbird" "version" "115.3.1")')).at(-1)).toBe('i1 OK ID completed');
    expect((await c.command('i2', `LOGIN ${t.an.address} "${PASSWORD}"`)).at(-1)).toMatch(/^i2 OK/);
    await c.command('i3', 'LOGOUT');
    c.close();
    const { rows } = await t.server.runtime.db.query<{ data: { service: string; client?: string } }>(
      "SELECT data FROM audit_events WHERE action = 'auth.imap.success' AND target = $1 ORDER BY id DESC LIMIT 1",
      [t.an.address],
    );
    expect(rows[0]!.data).toMatchObject({ service: 'imap', client: 'Thunderbird 115.3.1' });
  });

  it('LOGIN with a wrong password answers NO [AUTHENTICATIONFAILED]', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    const r = await c.command('a1', 'LOGIN annv@yenbai.gov.vn wrong');
    expect(r.at(-1)).toMatch(/^a1 NO \[AUTHENTICATIONFAILED\]/);
    c.close();
  });

  it('LOGIN succeeds and the tagged OK carries the new CAPABILITY; FETCH before SELECT is BAD', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    const r = await c.command('a1', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`);
    expect(r.at(-1)).toMatch(/^a1 OK \[CAPABILITY IMAP4rev1 [^\]]*\] Logged in$/);
    expect(r.at(-1)).not.toContain('STARTTLS');
    expect((await c.command('a2', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^a2 BAD /);
    expect((await c.command('a3', 'ID ("name" "test")')).at(0)).toMatch(/^\* ID \("name" "hopthu"/);
    expect((await c.command('a4', 'ENABLE X-UNKNOWN'))).toEqual(['* ENABLED', 'a4 OK ENABLE completed']);
    c.close();
  });

  it('AUTHENTICATE PLAIN works with SASL-IR and with a continuation line', async () => {
    const token = Buffer.from(`\0annv@yenbai.gov.vn\0${PASSWORD}`).toString('base64');
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    expect((await c.command('a1', `AUTHENTICATE PLAIN ${token}`)).at(-1)).toMatch(/^a1 OK \[CAPABILITY/);
    c.close();
    const d = await RawImap.connect(t.server.ports.imap!);
    await d.line();
    d.write('b1 AUTHENTICATE PLAIN\r\n');
    expect(await d.line()).toBe('+ ');
    d.write(`${token}\r\n`);
    expect(await d.line()).toMatch(/^b1 OK \[CAPABILITY/);
    d.close();
  });

  it('imapflow logs in over STARTTLS on the IMAP port', async () => {
    const client = imapClient(t.server, { doSTARTTLS: true });
    await client.connect();
    expect(client.secureConnection || (client as unknown as { socket: { encrypted?: boolean } }).socket.encrypted).toBeTruthy();
    const mailboxes = await client.list();
    expect(mailboxes.map((m) => m.path)).toContain('INBOX');
    await client.logout();
  });

  it('imapflow logs in on the implicit-TLS port (RFC 8314 §3.2)', async () => {
    const client = imapClient(t.server, { port: t.server.ports.imaps!, secure: true });
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
  });

  it('STARTTLS discards bytes sent before the handshake and the session goes on under TLS', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    c.write('a1 STARTTLS\r\n');
    expect(await c.line()).toBe('a1 OK Begin TLS negotiation now');
    const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    secure.setEncoding('utf8');
    const answer = new Promise<string>((resolve) => {
      let buf = '';
      secure.on('data', (d: string) => {
        buf += d;
        if (buf.includes('a2 ')) resolve(buf);
      });
    });
    secure.write('a2 CAPABILITY\r\n');
    const text = await answer;
    expect(text).toContain('* CAPABILITY IMAP4rev1');
    expect(text).not.toContain('STARTTLS');
    secure.destroy();
  });
});

describe('IMAP session without plaintext login on loopback', () => {
  let u: ImapTestSetup;
  beforeAll(async () => {
    u = await setupImap({ 'imap.allowPlaintextLoginOnLoopback': false, 'imap.maxConnectionsPerIp': 2 });
  });
  afterAll(async () => {
    await u?.env.stop();
  });

  it('announces LOGINDISABLED and answers LOGIN with NO [PRIVACYREQUIRED] (RFC 9051 §6.2.3)', async () => {
    const c = await RawImap.connect(u.server.ports.imap!);
    const greeting = await c.line();
    expect(greeting).toContain('LOGINDISABLED');
    expect(greeting).not.toContain('AUTH=PLAIN');
    expect((await c.command('a1', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`)).at(-1)).toMatch(/^a1 NO \[PRIVACYREQUIRED\]/);
    c.close();
  });

  it('refuses a connection over the per-IP limit with BYE [UNAVAILABLE]', async () => {
    const a = await RawImap.connect(u.server.ports.imap!);
    await a.line();
    const b = await RawImap.connect(u.server.ports.imap!);
    await b.line();
    const c = await RawImap.connect(u.server.ports.imap!);
    expect(await c.line()).toMatch(/^\* BYE \[UNAVAILABLE\]/);
    a.close();
    b.close();
    c.close();
  });
});
