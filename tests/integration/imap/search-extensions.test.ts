import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;

const message = (subject: string): string => `From: lan@sender.test\r\nSubject: ${subject}\r\n\r\nNoi dung ${subject}\r\n`;

const login = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

async function append(c: RawImap, folder: string, text: string, date = ''): Promise<void> {
  const r = await c.command('ap', `APPEND ${folder} ${date}{${Buffer.byteLength(text)}+}\r\n${text}`);
  expect(r.at(-1)).toMatch(/^ap OK/);
}

beforeAll(async () => {
  t = await setupImap();
  const c = await login();
  await c.command('c1', 'CREATE Es');
  await c.command('c2', 'CREATE Within');
  for (let i = 1; i <= 5; i++) await append(c, 'Es', message(`Thu ${i}`));
  await append(c, 'Within', message('Cu'), '"01-Jan-2020 10:00:00 +0000" ');
  await append(c, 'Within', message('Moi'));
  c.close();
});

afterAll(async () => {
  await t?.env.stop();
});

describe('ESEARCH (RFC 4731)', () => {
  it('is announced, answers MIN MAX ALL COUNT, RETURN () as ALL, and COUNT 0 for no match', async () => {
    const c = await login();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/ ESEARCH( |$)/);
    await c.command('s', 'SELECT Es');
    expect(await c.command('a1', 'SEARCH RETURN (MIN MAX COUNT ALL) ALL')).toEqual(['* ESEARCH (TAG "a1") MIN 1 MAX 5 ALL 1:5 COUNT 5', 'a1 OK SEARCH completed']);
    expect(await c.command('a2', 'UID SEARCH RETURN () ALL')).toEqual(['* ESEARCH (TAG "a2") UID ALL 1:5', 'a2 OK UID SEARCH completed']);
    expect(await c.command('a3', 'SEARCH RETURN (COUNT MIN) SUBJECT "khong co"')).toEqual(['* ESEARCH (TAG "a3") COUNT 0', 'a3 OK SEARCH completed']);
    expect(await c.command('a4', 'SEARCH RETURN (MAX) 2:4')).toEqual(['* ESEARCH (TAG "a4") MAX 4', 'a4 OK SEARCH completed']);
    c.close();
  });
});

describe('SEARCHRES (RFC 5182)', () => {
  it('RETURN (SAVE) keeps the result silently and "$" names it in FETCH, SEARCH and STORE', async () => {
    const c = await login();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/ SEARCHRES( |$)/);
    await c.command('s', 'SELECT Es');
    await c.command('f', 'STORE 2,4 +FLAGS.SILENT (\\Flagged)');
    // SAVE alone: no ESEARCH response
    expect(await c.command('a1', 'SEARCH RETURN (SAVE) FLAGGED')).toEqual(['a1 OK SEARCH completed']);
    const fetched = await c.command('a2', 'FETCH $ (UID)');
    expect(fetched).toEqual(['* 2 FETCH (UID 2)', '* 4 FETCH (UID 4)', 'a2 OK FETCH completed']);
    expect(await c.command('a3', 'UID SEARCH RETURN (ALL) $')).toEqual(['* ESEARCH (TAG "a3") UID ALL 2,4', 'a3 OK UID SEARCH completed']);
    expect(await c.command('a4', 'SEARCH NOT $')).toEqual(['* SEARCH 1 3 5', 'a4 OK SEARCH completed']);
    // SAVE with MIN only keeps only the smallest
    expect(await c.command('a5', 'UID SEARCH RETURN (SAVE MIN) FLAGGED')).toEqual(['* ESEARCH (TAG "a5") UID MIN 2', 'a5 OK UID SEARCH completed']);
    expect(await c.command('a6', 'UID FETCH $ (FLAGS)')).toEqual(['* 2 FETCH (UID 2 FLAGS (\\Flagged))', 'a6 OK UID FETCH completed']);
    expect((await c.command('a7', 'STORE $ -FLAGS.SILENT (\\Flagged)')).at(-1)).toBe('a7 OK STORE completed');
    expect(await c.command('a8', 'SEARCH FLAGGED')).toEqual(['* SEARCH 4', 'a8 OK SEARCH completed']);
    // a failed SEARCH RETURN (SAVE) empties the saved result
    expect((await c.command('a9', 'SEARCH RETURN (SAVE) CHARSET X-NONE SUBJECT x')).at(-1)).toMatch(/^a9 (NO|BAD)/);
    expect(await c.command('b1', 'FETCH $ (UID)')).toEqual(['b1 OK FETCH completed']);
    // a new selection starts with nothing saved
    await c.command('s2', 'SELECT Es');
    expect(await c.command('b2', 'UID SEARCH $')).toEqual(['* SEARCH', 'b2 OK UID SEARCH completed']);
    c.close();
  });
});

describe('WITHIN (RFC 5032)', () => {
  it('YOUNGER and OLDER compare the internal date with now', async () => {
    const c = await login();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/ WITHIN( |$)/);
    await c.command('s', 'SELECT Within');
    expect(await c.command('a1', 'SEARCH OLDER 86400')).toEqual(['* SEARCH 1', 'a1 OK SEARCH completed']);
    expect(await c.command('a2', 'SEARCH YOUNGER 86400')).toEqual(['* SEARCH 2', 'a2 OK SEARCH completed']);
    expect(await c.command('a3', 'UID SEARCH RETURN (COUNT) YOUNGER 3600 OLDER 3600')).toEqual(['* ESEARCH (TAG "a3") UID COUNT 0', 'a3 OK UID SEARCH completed']);
    c.close();
  });
});
