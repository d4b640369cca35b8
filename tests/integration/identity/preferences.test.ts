import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { UserError } from '../../../src/shared/errors.js';
import { getPreferences, setLanguage, setSignature, setVacation, DEFAULT_PREFERENCES } from '../../../src/identity/preferences.js';
import { claimVacationReply } from '../../../src/identity/vacation-replies.js';
import type { Account } from '../../../src/identity/accounts.js';

let env: TestEnv;
let db: Db;
let an: Account;
let cliEnv: Record<string, string>;
const BY = { actor: 'annv@yenbai.gov.vn', source: '127.0.0.1' };

const auditOf = async (action: string) =>
  (await db.query<{ actor: string; target: string; source: string; data: { before: Record<string, unknown>; after: Record<string, unknown> } }>(
    'SELECT actor, target, source, data FROM audit_events WHERE action = $1 ORDER BY id', [action],
  )).rows;

/** The UserError `fn` throws, for its code and sentence. */
async function refusal(fn: () => Promise<unknown>): Promise<UserError> {
  const err = await fn().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  await addTestDomain(db, 'yenbai.gov.vn');
  an = await addTestAccount(db, env.config(), 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An' });
  cliEnv = { DATABASE_URL: env.databaseUrl, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data') };
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

describe('preferences', () => {
  it('an account that set nothing has the defaults: Vietnamese, no signature, vacation off, 7 days', async () => {
    expect(await getPreferences(db, an.id)).toEqual(DEFAULT_PREFERENCES);
    expect(DEFAULT_PREFERENCES.language).toBe('vi');
    expect(DEFAULT_PREFERENCES.vacation.days).toBe(7);
  });

  it('language: en is kept and audited with before and after; anything but vi/en is refused', async () => {
    const p = await setLanguage(db, an.id, 'en', BY);
    expect(p.language).toBe('en');
    expect((await getPreferences(db, an.id)).language).toBe('en');
    expect(await auditOf('account.language')).toEqual([
      { actor: BY.actor, target: 'annv@yenbai.gov.vn', source: BY.source, data: { before: { language: 'vi' }, after: { language: 'en' } } },
    ]);
    const err = await refusal(() => setLanguage(db, an.id, 'fr', BY));
    expect(err.code).toBe('bad-language');
    expect(err.message).toBe('"fr" is not a language of the webmail: choose vi (Tiếng Việt) or en (English)');
    // setting the same value again changes nothing and writes no event
    await setLanguage(db, an.id, 'en', BY);
    expect(await auditOf('account.language')).toHaveLength(1);
  });

  it('signature: Vietnamese text kept in NFC with LF line ends; over 2,000 characters refused', async () => {
    const decomposed = 'Nguyễn Văn An\r\nChuyên viên, Văn phòng UBND tỉnh'.normalize('NFD');
    const p = await setSignature(db, an.id, decomposed, BY);
    expect(p.signature).toBe('Nguyễn Văn An\nChuyên viên, Văn phòng UBND tỉnh');
    expect((await getPreferences(db, an.id)).signature).toBe(p.signature);
    const [event] = await auditOf('account.signature');
    expect(event!.data).toEqual({ before: { signature: '' }, after: { signature: p.signature } });
    const err = await refusal(() => setSignature(db, an.id, 'ê'.repeat(2001), BY));
    expect(err.code).toBe('signature-too-long');
    expect(err.message).toBe('the signature has 2001 characters; at most 2000 are allowed');
    expect((await refusal(() => setSignature(db, an.id, 'a\x07b', BY))).code).toBe('bad-signature');
    expect((await getPreferences(db, an.id)).signature).toBe(p.signature);
  });

  it('vacation: a whole setting is kept and audited; fields left out keep their value', async () => {
    const set = await setVacation(db, an.id, { enabled: true, subject: 'Đang nghỉ phép', body: 'Tôi nghỉ phép đến 5/12.', start: '2026-12-01', end: '2026-12-05', days: 3 }, BY);
    expect(set.vacation).toEqual({ enabled: true, subject: 'Đang nghỉ phép', body: 'Tôi nghỉ phép đến 5/12.', start: '2026-12-01', end: '2026-12-05', days: 3 });
    expect((await getPreferences(db, an.id)).vacation).toEqual(set.vacation);
    const off = await setVacation(db, an.id, { enabled: false }, BY);
    expect(off.vacation).toEqual({ ...set.vacation, enabled: false });
    const events = await auditOf('account.vacation');
    expect(events).toHaveLength(2);
    expect(events[1]!.data).toEqual({ before: { 'vacation.enabled': true }, after: { 'vacation.enabled': false } });
  });

  it.each([
    [{ start: '2026-12-05', end: '2026-12-01' }, 'vacation-end-before-start', 'the auto-reply cannot end (2026-12-01) before it starts (2026-12-05)'],
    [{ start: '2026-02-30' }, 'bad-vacation-date', 'the start date of the auto-reply must be a calendar day written YYYY-MM-DD, not "2026-02-30"'],
    [{ end: '5/12/2026' }, 'bad-vacation-date', 'the end date of the auto-reply must be a calendar day written YYYY-MM-DD, not "5/12/2026"'],
    [{ days: 0 }, 'bad-vacation-days', 'the same sender can be answered again after 1 to 365 days, not "0"'],
    [{ days: 1.5 }, 'bad-vacation-days', 'the same sender can be answered again after 1 to 365 days, not "1.5"'],
    [{ days: 366 }, 'bad-vacation-days', 'the same sender can be answered again after 1 to 365 days, not "366"'],
    [{ subject: 'ư'.repeat(201) }, 'vacation-subject-too-long', 'the subject of the auto-reply has 201 characters; at most 200 are allowed'],
    [{ subject: 'hai\ndòng' }, 'bad-vacation-subject', 'the subject of the auto-reply must be one line of text'],
    [{ body: 'đ'.repeat(5001) }, 'vacation-body-too-long', 'the text of the auto-reply has 5001 characters; at most 5000 are allowed'],
    [{ enabled: true, body: '  ' }, 'vacation-body-missing', 'write the text of the auto-reply before switching it on'],
  ])('vacation %j is refused: %s', async (input, code, message) => {
    const before = await getPreferences(db, an.id);
    const err = await refusal(() => setVacation(db, an.id, input, BY));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(await getPreferences(db, an.id)).toEqual(before);
  });

  it('an unknown account is refused by name', async () => {
    expect((await refusal(() => setLanguage(db, 999_999, 'vi', BY))).code).toBe('no-such-account');
  });

  it('a change of the vacation forgets the senders already answered (RFC 5230 §4.2)', async () => {
    expect(await claimVacationReply(db, an.id, 'vanthu@bogiaoduc.test', 7)).toBe(true);
    expect(await claimVacationReply(db, an.id, 'vanthu@bogiaoduc.test', 7)).toBe(false);
    await setVacation(db, an.id, { body: 'Nội dung mới.' }, BY);
    expect(await claimVacationReply(db, an.id, 'vanthu@bogiaoduc.test', 7)).toBe(true);
  });
});

describe('hopthu account vacation', { timeout: 60_000 }, () => {
  it('shows the auto-reply, and --off switches it off with an audit event naming the CLI user', async () => {
    await setVacation(db, an.id, { enabled: true, body: 'Tôi đã chuyển công tác.\nXin liên hệ vanthu@yenbai.gov.vn.', start: null, end: null, days: 7, subject: '' }, BY);
    const shown = await runCli(['account', 'vacation', 'annv@yenbai.gov.vn'], cliEnv);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toBe(
      [
        'annv@yenbai.gov.vn: vacation auto-reply ON',
        '  days:    no dates: while switched on',
        '  period:  one reply per sender every 7 days',
        '  subject: "Auto: " and the subject answered',
        '  text:',
        '    Tôi đã chuyển công tác.',
        '    Xin liên hệ vanthu@yenbai.gov.vn.',
        '',
      ].join('\n'),
    );
    const off = await runCli(['account', 'vacation', 'annv@yenbai.gov.vn', '--off', '--json'], cliEnv);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout)).toMatchObject({ enabled: false, body: 'Tôi đã chuyển công tác.\nXin liên hệ vanthu@yenbai.gov.vn.' });
    expect((await getPreferences(db, an.id)).vacation.enabled).toBe(false);
    const last = (await auditOf('account.vacation')).at(-1)!;
    expect(last.actor).toMatch(/^cli:/);
    expect(last.source).toBe('cli');
    expect(last.data).toEqual({ before: { 'vacation.enabled': true }, after: { 'vacation.enabled': false } });
  });

  it('an unknown address is a clear error', async () => {
    const out = await runCli(['account', 'vacation', 'khongco@yenbai.gov.vn'], cliEnv);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('there is no account khongco@yenbai.gov.vn');
  });
});
