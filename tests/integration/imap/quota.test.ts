import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;

const lit = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;
const sized = (octets: number): string => {
  const head = 'Subject: dung luong\r\n\r\n';
  return head + 'x'.repeat(octets - head.length - 2) + '\r\n';
};

const login = (user: string): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!, user);

beforeAll(async () => {
  t = await setupImap();
  // administrators set the limit: 10 KiB for Hà, none for An
  await t.server.runtime.db.query('UPDATE accounts SET quota_bytes = $2 WHERE id = $1', [t.ha.id, 10 * 1024]);
  await t.server.runtime.db.query('UPDATE accounts SET quota_bytes = 0 WHERE id = $1', [t.an.id]);
});

afterAll(async () => {
  await t?.env.stop();
});

describe('QUOTA (RFC 9208)', () => {
  it('announces QUOTA and QUOTA=RES-STORAGE; GETQUOTAROOT and GETQUOTA report STORAGE in KiB', async () => {
    const c = await login('hadtt@yenbai.gov.vn');
    const caps = (await c.command('a0', 'CAPABILITY'))[0]!;
    expect(caps).toMatch(/ QUOTA( |$)/);
    expect(caps).toMatch(/ QUOTA=RES-STORAGE( |$)/);
    expect(await c.command('a1', 'GETQUOTAROOT INBOX')).toEqual(['* QUOTAROOT "INBOX" ""', '* QUOTA "" (STORAGE 0 10)', 'a1 OK GETQUOTAROOT completed']);
    expect((await c.command('a2', `APPEND INBOX ${lit(sized(3000))}`)).at(-1)).toMatch(/^a2 OK/);
    expect(await c.command('a3', 'GETQUOTA ""')).toEqual(['* QUOTA "" (STORAGE 3 10)', 'a3 OK GETQUOTA completed']);
    expect((await c.command('a4', 'GETQUOTA "khac"')).at(-1)).toMatch(/^a4 NO /);
    expect((await c.command('a5', 'GETQUOTAROOT "Khong co"')).at(-1)).toMatch(/^a5 NO \[NONEXISTENT\]/);
    c.close();
  });

  it('refuses APPEND and COPY over the limit with NO [OVERQUOTA], and SETQUOTA with NO', async () => {
    const c = await login('hadtt@yenbai.gov.vn');
    expect((await c.command('a1', `APPEND INBOX ${lit(sized(8000))}`)).at(-1)).toMatch(/^a1 NO \[OVERQUOTA\]/);
    expect((await c.command('a2', `APPEND INBOX ${lit(sized(6000))}`)).at(-1)).toMatch(/^a2 OK/);
    await c.command('s', 'SELECT INBOX');
    expect((await c.command('a3', 'COPY 2 INBOX')).at(-1)).toMatch(/^a3 NO \[OVERQUOTA\]/);
    expect(await c.command('a4', 'STATUS INBOX (MESSAGES)')).toEqual(['* STATUS "INBOX" (MESSAGES 2)', 'a4 OK STATUS completed']);
    expect((await c.command('a5', 'SETQUOTA "" (STORAGE 100000)')).at(-1)).toMatch(/^a5 NO \[NOPERM\]/);
    expect(await c.command('a6', 'GETQUOTA ""')).toEqual(['* QUOTA "" (STORAGE 9 10)', 'a6 OK GETQUOTA completed']);
    // RFC 9208 §4.2.2: what EXPUNGE would free, in KiB
    await c.command('f', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    expect(await c.command('a7', 'STATUS INBOX (DELETED DELETED-STORAGE)')).toEqual(['* STATUS "INBOX" (DELETED 1 DELETED-STORAGE 6)', 'a7 OK STATUS completed']);
    c.close();
  });

  it('an account without a limit has no quota root', async () => {
    const c = await login('annv@yenbai.gov.vn');
    expect(await c.command('a1', 'GETQUOTAROOT INBOX')).toEqual(['* QUOTAROOT "INBOX"', 'a1 OK GETQUOTAROOT completed']);
    expect((await c.command('a2', 'GETQUOTA ""')).at(-1)).toMatch(/^a2 NO /);
    c.close();
  });
});
