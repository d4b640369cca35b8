/**
 * SORT, ESORT and THREAD (RFC 5256, RFC 5267, RFC 5957) against a real server with the
 * default Vietnamese collation. Dovecot's order on the golden corpus is checked by
 * golden-corpus.test.ts (imap.sortCollation = unicode-casemap).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { imapClient, rawLoggedIn, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

let setup: ImapTestSetup;
let client: ImapFlow;
let raw: RawImap;

interface Mail {
  from: string;
  subject: string;
  date: string;
  id: string;
  refs?: string;
  arrived: string;
  to?: string;
}

/** UID n is MAILS[n - 1] */
const MAILS: Mail[] = [
  { from: 'Vũ Thị Lan <lan.vt@yenbai.gov.vn>', subject: 'Kế hoạch chuyển đổi số', date: 'Mon, 04 Mar 2024 09:00:00 +0700', id: '<kh1@yenbai>', arrived: '2024-03-04T09:00:10+07:00' },
  { from: 'Đặng Thị Thu Hà <ha.dtt@yenbai.gov.vn>', subject: 'Re: Kế hoạch chuyển đổi số', date: 'Mon, 04 Mar 2024 10:00:00 +0700', id: '<kh2@yenbai>', refs: '<kh1@yenbai>', arrived: '2024-03-04T10:00:10+07:00' },
  { from: 'Dương Văn Bình <binh.dv@yenbai.gov.vn>', subject: 'Báo cáo tuần', date: 'Sun, 03 Mar 2024 08:00:00 +0700', id: '<bc1@yenbai>', arrived: '2024-03-05T08:00:00+07:00' },
  { from: 'an.nv@yenbai.gov.vn', subject: 'Bao cao tuan', date: 'Tue, 05 Mar 2024 08:00:00 +0700', id: '<bc2@yenbai>', arrived: '2024-03-05T08:30:00+07:00', to: 'Zeta <z@yenbai.gov.vn>' },
  { from: 'Bùi Minh <minh.b@yenbai.gov.vn>', subject: 'Fwd: Re: Kế hoạch chuyển đổi số', date: 'Tue, 05 Mar 2024 11:00:00 +0700', id: '<kh3@yenbai>', refs: '<kh1@yenbai> <kh2@yenbai>', arrived: '2024-03-05T11:00:10+07:00' },
  { from: 'Ân Văn <an.v@yenbai.gov.vn>', subject: 'Đề nghị cấp kinh phí', date: 'Wed, 06 Mar 2024 08:00:00 +0700', id: '<dn1@yenbai>', arrived: '2024-03-06T08:00:10+07:00' },
];

function message(m: Mail): string {
  return [
    `From: ${m.from}`,
    `To: ${m.to ?? 'annv@yenbai.gov.vn'}`,
    `Subject: ${m.subject}`,
    `Date: ${m.date}`,
    `Message-ID: ${m.id}`,
    ...(m.refs ? [`References: ${m.refs}`, `In-Reply-To: ${m.refs.split(' ').at(-1)}`] : []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Nội dung thư.',
    '',
  ].join('\r\n');
}

/** the untagged line starting with `prefix` in a raw answer, and the tagged status */
function answer(lines: string[], prefix: string): { data: string | undefined; status: string } {
  return { data: lines.find((l) => l.startsWith(prefix))?.slice(prefix.length).trim(), status: (lines.at(-1) ?? '').split(' ')[1] ?? '' };
}

beforeAll(async () => {
  setup = await setupImap();
  client = imapClient(setup.server);
  await client.connect();
  for (const m of MAILS) await client.append('INBOX', message(m), [], new Date(m.arrived));
  raw = await rawLoggedIn(setup.server.ports.imap!);
  expect((await raw.command('s', 'SELECT INBOX')).at(-1)).toMatch(/^s OK/);
});

afterAll(async () => {
  raw?.close();
  await client?.logout().catch(() => {});
  await setup?.env.stop();
});

describe('SORT (RFC 5256) with Vietnamese collation', () => {
  it('CAPABILITY announces SORT, SORT=DISPLAY, ESORT, THREAD=REFERENCES and THREAD=ORDEREDSUBJECT', async () => {
    const caps = answer(await raw.command('c', 'CAPABILITY'), '* CAPABILITY').data?.split(' ') ?? [];
    expect(caps).toEqual(expect.arrayContaining(['SORT', 'SORT=DISPLAY', 'ESORT', 'THREAD=REFERENCES', 'THREAD=ORDEREDSUBJECT']));
  });

  it('SORT (SUBJECT) orders base subjects the Vietnamese way: Bao < Báo, Kế after Đề (Đ follows D)', async () => {
    // base subjects: 1,2,5 "Kế hoạch…"; 3 "Báo cáo tuần"; 4 "Bao cao tuan"; 6 "Đề nghị…"
    expect(answer(await raw.command('a', 'SORT (SUBJECT) UTF-8 ALL'), '* SORT')).toEqual({ data: '4 3 6 1 2 5', status: 'OK' });
    expect(answer(await raw.command('b', 'SORT (REVERSE SUBJECT DATE) UTF-8 ALL'), '* SORT').data).toBe('1 2 5 6 3 4');
  });

  it('SORT (DISPLAYFROM) uses the decoded display name, else the address (RFC 5957)', async () => {
    // Ân Văn, an.nv@…, Bùi Minh, Dương Văn Bình, Đặng Thị Thu Hà, Vũ Thị Lan
    expect(answer(await raw.command('a', 'SORT (DISPLAYFROM) UTF-8 ALL'), '* SORT').data).toBe('4 6 5 3 2 1');
    // FROM sorts on the local part: an.nv, an.v, binh.dv, ha.dtt, lan.vt, minh.b
    expect(answer(await raw.command('b', 'SORT (FROM) UTF-8 ALL'), '* SORT').data).toBe('4 6 3 2 1 5');
  });

  it('SORT (DATE) uses the Date header, ARRIVAL the internal date; UID SORT answers UIDs', async () => {
    expect(answer(await raw.command('a', 'SORT (DATE) UTF-8 ALL'), '* SORT').data).toBe('3 1 2 4 5 6');
    expect(answer(await raw.command('b', 'SORT (ARRIVAL) UTF-8 ALL'), '* SORT').data).toBe('1 2 3 4 5 6');
    expect(answer(await raw.command('c', 'UID SORT (REVERSE ARRIVAL) UTF-8 SUBJECT "kế hoạch"'), '* SORT').data).toBe('5 2 1');
    // TO: an absent or equal key keeps mailbox order; "z" after "annv"
    expect(answer(await raw.command('d', 'SORT (TO) UTF-8 ALL'), '* SORT').data).toBe('1 2 3 5 6 4');
  });

  it('SORT with search keys that fold Vietnamese diacritics ("bao cao" finds both spellings)', async () => {
    expect(answer(await raw.command('a', 'SORT (REVERSE SUBJECT) UTF-8 SUBJECT "bao cao"'), '* SORT').data).toBe('3 4');
  });

  it('ESORT: SORT RETURN (MIN MAX COUNT ALL) answers ESEARCH in sort order (RFC 5267)', async () => {
    const lines = await raw.command('e1', 'SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL');
    expect(answer(lines, '* ESEARCH').data).toBe('(TAG "e1") MIN 3 MAX 6 ALL 3,1:2,4:6 COUNT 6');
    const uid = await raw.command('e2', 'UID SORT RETURN (COUNT) (SUBJECT) UTF-8 SUBJECT "zzz"');
    expect(answer(uid, '* ESEARCH').data).toBe('(TAG "e2") UID COUNT 0');
  });

  it('bad SORT input gets a specific answer', async () => {
    expect((await raw.command('a', 'SORT (DATE) X-KHONG-CO ALL')).at(-1)).toMatch(/^a NO \[BADCHARSET/);
    expect(answer(await raw.command('b', 'SORT (COLOR) UTF-8 ALL'), '').status).toBe('BAD');
    expect(answer(await raw.command('c', 'SORT () UTF-8 ALL'), '').status).toBe('BAD');
  });
});

describe('THREAD (RFC 5256)', () => {
  it('THREAD REFERENCES links replies by References and gathers same-subject threads', async () => {
    // 1 ← 2 ← 5 by References; 3 and 4 differ in base subject ("Báo cáo tuần" / "Bao cao tuan")
    const lines = await raw.command('t', 'THREAD REFERENCES UTF-8 ALL');
    expect(answer(lines, '* THREAD')).toEqual({ data: '(3)(1 2 5)(4)(6)', status: 'OK' });
    expect(answer(await raw.command('u', 'UID THREAD REFERENCES UTF-8 SINCE 5-Mar-2024'), '* THREAD').data).toBe('(3)(4)(5)(6)');
  });

  it('THREAD ORDEREDSUBJECT groups by base subject, first message the parent', async () => {
    expect(answer(await raw.command('t', 'THREAD ORDEREDSUBJECT UTF-8 ALL'), '* THREAD').data).toBe('(3)(1 (2)(5))(4)(6)');
  });

  it('an algorithm hopthu does not announce is BAD; no match is an empty THREAD', async () => {
    expect(answer(await raw.command('a', 'THREAD REFS UTF-8 ALL'), '').status).toBe('BAD');
    const none = await raw.command('b', 'THREAD REFERENCES UTF-8 SUBJECT "khong co"');
    expect(none).toContain('* THREAD');
    expect(none.at(-1)).toMatch(/^b OK/);
  });

  it('sees messages appended and expunged after SELECT', async () => {
    await client.mailboxOpen('INBOX');
    await client.append('INBOX', message({ ...MAILS[0]!, subject: 'Re: Đề nghị cấp kinh phí', id: '<dn2@yenbai>', refs: '<dn1@yenbai>', date: 'Thu, 07 Mar 2024 08:00:00 +0700' }));
    await client.messageDelete('3', { uid: true });
    const lines = await raw.command('n', 'NOOP');
    expect(lines).toContain('* 3 EXPUNGE');
    expect(answer(await raw.command('t', 'UID THREAD REFERENCES UTF-8 ALL'), '* THREAD').data).toBe('(1 2 5)(4)(6 7)');
    expect(answer(await raw.command('s', 'SORT (SUBJECT) UTF-8 ALL'), '* SORT').data).toBe('3 5 6 1 2 4');
  });
});
