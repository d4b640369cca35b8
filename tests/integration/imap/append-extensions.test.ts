import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;
const LIMIT = 1024 * 1024;

const message = (subject: string): string => `From: lan@sender.test\r\nSubject: ${subject}\r\n\r\nNoi dung ${subject}\r\n`;
const lit = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;

const login = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

beforeAll(async () => {
  t = await setupImap({ 'smtp.maxMessageBytes': LIMIT });
});

afterAll(async () => {
  await t?.env.stop();
});

describe('STATUS=SIZE (RFC 8438), STATUS DELETED (RFC 9051) and APPENDLIMIT (RFC 7889)', () => {
  it('announces STATUS=SIZE and APPENDLIMIT=<smtp.maxMessageBytes>; STATUS answers SIZE and DELETED', async () => {
    const c = await login();
    const caps = (await c.command('a0', 'CAPABILITY'))[0]!;
    expect(caps).toMatch(/ STATUS=SIZE( |$)/);
    expect(caps).toMatch(new RegExp(` APPENDLIMIT=${LIMIT}( |$)`));
    await c.command('c', 'CREATE Size');
    const a = message('Mot');
    const b = message('Hai dai hon');
    expect((await c.command('a1', `APPEND Size ${lit(a)}`)).at(-1)).toMatch(/^a1 OK/);
    expect((await c.command('a2', `APPEND Size (\\Deleted) ${lit(b)}`)).at(-1)).toMatch(/^a2 OK/);
    const size = Buffer.byteLength(a) + Buffer.byteLength(b);
    expect(await c.command('a3', 'STATUS Size (MESSAGES SIZE DELETED)')).toEqual([`* STATUS "Size" (MESSAGES 2 SIZE ${size} DELETED 1)`, 'a3 OK STATUS completed']);
    c.close();
  });
});

describe('MULTIAPPEND (RFC 3502)', () => {
  it('appends several messages in one command with APPENDUID over a UID set, or none of them', async () => {
    const c = await login();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/ MULTIAPPEND( |$)/);
    await c.command('c', 'CREATE Multi');
    const r = await c.command('a1', `APPEND Multi (\\Seen) ${lit(message('Mot'))} "05-Nov-2026 08:30:00 +0700" ${lit(message('Hai'))} ${lit(message('Ba'))}`);
    expect(r.at(-1)).toMatch(/^a1 OK \[APPENDUID \d+ 1:3\] APPEND completed$/);
    // the third message's date is malformed: the whole command fails and nothing is added
    const bad = await c.command('a2', `APPEND Multi ${lit(message('Bon'))} "32-Xyz-2026 99:00:00 +0700" ${lit(message('Nam'))}`);
    expect(bad.at(-1)).toMatch(/^a2 (BAD|NO) /);
    expect(await c.command('a3', 'STATUS Multi (MESSAGES UIDNEXT)')).toEqual(['* STATUS "Multi" (MESSAGES 3 UIDNEXT 4)', 'a3 OK STATUS completed']);
    await c.command('s', 'EXAMINE Multi');
    expect(await c.command('a4', 'FETCH 1:3 (FLAGS INTERNALDATE)')).toEqual([
      expect.stringMatching(/^\* 1 FETCH \(FLAGS \(\\Seen\) INTERNALDATE /),
      '* 2 FETCH (FLAGS () INTERNALDATE "05-Nov-2026 01:30:00 +0000")',
      expect.stringMatching(/^\* 3 FETCH \(FLAGS \(\) INTERNALDATE /),
      'a4 OK FETCH completed',
    ]);
    c.close();
  });

  it('a message over APPENDLIMIT among several is refused with NO [TOOBIG] and nothing is added', async () => {
    const c = await login();
    await c.command('c', 'CREATE Multi2');
    c.write(`a1 APPEND Multi2 ${lit(message('Mot'))} {${LIMIT + 1}}\r\n`);
    expect(await c.line()).toMatch(/^a1 NO \[TOOBIG\]/);
    expect(await c.command('a2', 'STATUS Multi2 (MESSAGES)')).toEqual(['* STATUS "Multi2" (MESSAGES 0)', 'a2 OK STATUS completed']);
    c.close();
  });
});

describe('literal8 APPEND (RFC 3516 §4.4)', () => {
  it('takes a message as ~{n} with a NUL octet and gives it back byte for byte', async () => {
    const c = await login();
    await c.command('c', 'CREATE Bin');
    const body = Buffer.concat([Buffer.from('Subject: nhi phan\r\nContent-Transfer-Encoding: binary\r\n\r\nA'), Buffer.from([0, 1, 2]), Buffer.from('B\r\n')]);
    c.write(`a1 APPEND Bin ~{${body.length}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.socket.write(body);
    c.write('\r\n');
    expect(await c.line()).toMatch(/^a1 OK \[APPENDUID \d+ 1\]/);
    await c.command('s', 'EXAMINE Bin');
    expect(await c.command('a2', 'FETCH 1 (RFC822.SIZE BINARY.SIZE[1])')).toEqual([`* 1 FETCH (RFC822.SIZE ${body.length} BINARY.SIZE[1] 7)`, 'a2 OK FETCH completed']);
    c.close();
  });
});
