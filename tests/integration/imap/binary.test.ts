import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;

const lit = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;
const single = (cte: string, body: string): string => `Subject: ${cte}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n`;

const login = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

beforeAll(async () => {
  t = await setupImap();
  const c = await login();
  await c.command('c', 'CREATE Bin');
  // 1: base64 of "Xin chào" (9 octets in UTF-8); 2: base64 with a NUL; 3: an unknown encoding; 4: quoted-printable
  for (const m of [
    single('base64', Buffer.from('Xin chào').toString('base64')),
    single('base64', Buffer.from([0, 97, 98, 99]).toString('base64')),
    single('x-khong-ro', 'abc'),
    single('quoted-printable', 'Ch=C3=A0o b=E1=BA=A1n'),
  ]) {
    expect((await c.command('ap', `APPEND Bin ${lit(m)}`)).at(-1)).toMatch(/^ap OK/);
  }
  c.close();
});

afterAll(async () => {
  await t?.env.stop();
});

describe('BINARY (RFC 3516)', () => {
  it('is announced; BINARY.PEEK[1] and BINARY.SIZE[1] give the decoded octets without setting \\Seen', async () => {
    const c = await login();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/ BINARY( |$)/);
    await c.command('s', 'SELECT Bin');
    const r = await c.command('a1', 'FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])');
    expect(r.join('\r\n')).toBe('* 1 FETCH (BINARY[1] {9}\r\nXin chào BINARY.SIZE[1] 9)\r\na1 OK FETCH completed');
    expect(await c.command('a2', 'FETCH 1 (FLAGS)')).toEqual(['* 1 FETCH (FLAGS ())', 'a2 OK FETCH completed']);
    const qp = await c.command('a3', 'FETCH 4 (BINARY.PEEK[1]<0.4> BINARY.SIZE[1])');
    expect(qp.join('\r\n')).toBe('* 4 FETCH (BINARY[1]<0> {4}\r\nChà BINARY.SIZE[1] 13)\r\na3 OK FETCH completed');
    c.close();
  });

  it('answers decoded NUL octets as literal8, sets \\Seen without .PEEK, and refuses an unknown encoding with NO [UNKNOWN-CTE]', async () => {
    const c = await login();
    await c.command('s', 'SELECT Bin');
    const r = await c.command('a1', 'FETCH 2 BINARY[1]');
    expect(r.join('\r\n')).toBe('* 2 FETCH (BINARY[1] ~{4}\r\n\u0000abc FLAGS (\\Seen))\r\na1 OK FETCH completed');
    expect((await c.command('a2', 'FETCH 3 BINARY.PEEK[1]')).at(-1)).toMatch(/^a2 NO \[UNKNOWN-CTE\]/);
    expect((await c.command('a3', 'FETCH 3 BINARY.SIZE[1]')).at(-1)).toMatch(/^a3 NO \[UNKNOWN-CTE\]/);
    c.close();
  });
});
