/**
 * IMAP4rev2 (RFC 9051) chosen with ENABLE IMAP4rev2, beside IMAP4rev1, and UTF8=ACCEPT
 * (RFC 6855). Where rev2 differs (RFC 9051 Appendix E) the session follows it once enabled:
 * SEARCH answers ESEARCH, SELECT sends LIST and no RECENT/UNSEEN, mailbox names are UTF-8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { imapClient, rawLoggedIn, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

let t: ImapTestSetup;
let flow: ImapFlow;

beforeAll(async () => {
  t = await setupImap();
  flow = imapClient(t.server);
  await flow.connect();
  await flow.append('INBOX', 'Subject: mot\r\n\r\nthu mot\r\n', ['\\Seen']);
  await flow.append('INBOX', 'Subject: hai\r\n\r\nthu hai\r\n');
  await flow.append('INBOX', 'Subject: ba\r\n\r\nthu ba\r\n', ['\\Seen']);
});

afterAll(async () => {
  await flow?.logout().catch(() => {});
  await t?.env.stop();
});

const login = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

async function rev2(): Promise<RawImap> {
  const c = await login();
  expect(await c.command('e', 'ENABLE IMAP4rev2')).toEqual(['* ENABLED IMAP4rev2', 'e OK ENABLE completed']);
  return c;
}

describe('IMAP4rev2 (RFC 9051)', () => {
  it('both IMAP4rev1 and IMAP4rev2 are announced, with UTF8=ACCEPT', async () => {
    const c = await login();
    expect((await c.command('c', 'CAPABILITY'))[0]?.split(' ')).toEqual(expect.arrayContaining(['IMAP4rev1', 'IMAP4rev2', 'UTF8=ACCEPT']));
    c.close();
  });

  it('an IMAP4rev1 session keeps RECENT, UNSEEN and the SEARCH response', async () => {
    const c = await login();
    const sel = await c.command('s', 'SELECT INBOX');
    expect(sel).toContain('* 0 RECENT');
    expect(sel.some((l) => l.startsWith('* OK [UNSEEN 2]'))).toBe(true);
    expect(sel.some((l) => l.startsWith('* LIST '))).toBe(false);
    expect(await c.command('f', 'SEARCH UNSEEN')).toEqual(['* SEARCH 2', 'f OK SEARCH completed']);
    c.close();
  });

  it('SELECT in IMAP4rev2 sends a LIST response and neither RECENT nor UNSEEN (§6.3.2)', async () => {
    const c = await rev2();
    const sel = await c.command('s', 'SELECT inbox');
    expect(sel.at(-1)).toMatch(/^s OK \[READ-WRITE\]/);
    expect(sel).toContain('* 3 EXISTS');
    expect(sel).toContain('* LIST () "/" "INBOX"');
    expect(sel.some((l) => l.endsWith(' RECENT') || l.includes('[UNSEEN'))).toBe(false);
    c.close();
  });

  it('SEARCH answers ESEARCH in IMAP4rev2 (§6.4.4), with MODSEQ when asked by MODSEQ', async () => {
    const c = await rev2();
    await c.command('s', 'SELECT INBOX');
    expect(await c.command('a', 'SEARCH SEEN')).toEqual(['* ESEARCH (TAG "a") ALL 1,3', 'a OK SEARCH completed']);
    expect(await c.command('b', 'UID SEARCH SUBJECT khongco')).toEqual(['* ESEARCH (TAG "b") UID', 'b OK UID SEARCH completed']);
    const m = await c.command('d', 'SEARCH MODSEQ 1');
    expect(m[0]).toMatch(/^\* ESEARCH \(TAG "d"\) ALL 1:3 MODSEQ \d+$/);
    expect((await c.command('r', 'SEARCH RETURN (COUNT) ALL'))[0]).toBe('* ESEARCH (TAG "r") COUNT 3');
    c.close();
  });

  it('mailbox names are UTF-8 in IMAP4rev2; an IMAP4rev1 session sees modified UTF-7', async () => {
    const c = await rev2();
    expect((await c.command('c', 'CREATE "Công văn đến"')).at(-1)).toMatch(/^c OK/);
    expect(await c.command('l', 'LIST "" "Công*"')).toEqual(['* LIST (\\HasNoChildren) "/" "Công văn đến"', 'l OK LIST completed']);
    expect((await c.command('st', 'STATUS "Công văn đến" (MESSAGES DELETED SIZE)'))[0]).toBe('* STATUS "Công văn đến" (MESSAGES 0 DELETED 0 SIZE 0)');
    c.close();
    const old = await login();
    expect((await old.command('l', 'LIST "" "C*"'))[0]).toBe('* LIST (\\HasNoChildren) "/" "C&APQ-ng v&AQM-n &AREevw-n"');
    // RFC 3501 §5.1.3: without UTF8=ACCEPT an 8-bit name is refused
    expect((await old.command('c', 'CREATE "Sổ tay"')).at(-1)).toMatch(/^c (BAD|NO) /);
    old.close();
  });

  it('imapflow enables IMAP4rev2 and UTF8=ACCEPT itself and works through them', async () => {
    // imapflow keeps enabled names upper-cased
    expect([...flow.enabled]).toEqual(expect.arrayContaining(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE']));
    await flow.mailboxOpen('INBOX');
    expect(await flow.search({ seen: false }, { uid: true })).toEqual([2]);
    await flow.mailboxCreate('Hồ sơ/Năm 2024');
    const boxes = await flow.list();
    expect(boxes.map((b) => b.path)).toContain('Hồ sơ/Năm 2024');
  });
});

describe('UTF8=ACCEPT (RFC 6855)', () => {
  it('ENABLE UTF8=ACCEPT takes UTF-8 names and refuses a SEARCH CHARSET other than UTF-8 (§3)', async () => {
    const c = await login();
    expect(await c.command('e', 'ENABLE UTF8=ACCEPT')).toEqual(['* ENABLED UTF8=ACCEPT', 'e OK ENABLE completed']);
    expect((await c.command('c', 'CREATE "Lưu trữ"')).at(-1)).toMatch(/^c OK/);
    expect((await c.command('l', 'LIST "" "Lưu*"'))[0]).toBe('* LIST (\\HasNoChildren) "/" "Lưu trữ"');
    await c.command('s', 'SELECT "Lưu trữ"');
    expect((await c.command('x', 'SEARCH CHARSET ISO-8859-1 ALL')).at(-1)).toMatch(/^x BAD /);
    // IMAP4rev1 rules otherwise: SEARCH still answers SEARCH
    expect(await c.command('y', 'SEARCH CHARSET UTF-8 SUBJECT "hồ sơ"')).toEqual(['* SEARCH', 'y OK SEARCH completed']);
    c.close();
  });

  it('APPEND with the UTF8 data item (§4) stores the message', async () => {
    const c = await login();
    await c.command('e', 'ENABLE UTF8=ACCEPT');
    const msg = Buffer.from('From: Nguyễn Văn An <an@yenbai.gov.vn>\r\nSubject: Thư gửi bằng UTF-8\r\n\r\nNội dung.\r\n');
    c.write(`a APPEND "Lưu trữ" UTF8 (~{${msg.length}}\r\n`);
    expect(await c.line()).toMatch(/^\+ /);
    c.socket.write(Buffer.concat([msg, Buffer.from(')\r\n')]));
    expect(await c.line()).toMatch(/^a OK \[APPENDUID \d+ 1\]/);
    await c.command('s', 'EXAMINE "Lưu trữ"');
    expect(await c.command('f', 'SEARCH SUBJECT "thu gui"')).toEqual(['* SEARCH 1', 'f OK SEARCH completed']);
    c.close();
  });
});
