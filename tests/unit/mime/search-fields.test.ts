import { describe, expect, it } from 'vitest';
import { decodeHeaderText, parseMessage } from '../../../src/mail/mime/index.js';
import { parseMessageDate } from '../../../src/mail/mime/message-date.js';
import { parseMessageIds } from '../../../src/mail/mime/message-ids.js';

describe('decodeHeaderText (RFC 2047)', () => {
  const cases: { raw: string | Buffer; text: string }[] = [
    { raw: 'plain ascii', text: 'plain ascii' },
    { raw: '=?UTF-8?B?SOG7jXA=?= giao ban', text: 'Họp giao ban' },
    { raw: '=?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di?=', text: 'Giấy mời' },
    { raw: '=?UTF-8?B?VGjDtG5nIGLDoW8g?= =?utf-8?q?kh=E1=BA=A9n?=', text: 'Thông báo khẩn' },
    { raw: '=?UTF-8?B?4bq=?=\r\n =?UTF-8?B?pQ==?=', text: 'ấ' }, // one character split across two words
    { raw: '=?windows-1258?Q?ho=F2p?=', text: 'họp' },
    { raw: '=?windows-1258?Q?=3A_?==?windows-1258?Q?ho=F2p?=', text: ': họp' }, // glued words: decoded anyway
    { raw: '=?UTF-8*vi?Q?Ph=E1=BA=A1m?=', text: 'Phạm' }, // RFC 2231 §5 language suffix
    { raw: '=?UTF-8?B?!!khong-hop-le!!?= x', text: '=?UTF-8?B?!!khong-hop-le!!?= x' },
    { raw: 'Re: =?UTF-8?B?SOG7jXA=?=', text: 'Re: Họp' },
    { raw: Buffer.from([0x42, 0x61, 0xd2, 0x6e, 0x67]), text: 'Bảng' }, // raw windows-1258: the fallback
    { raw: 'Bảng lương', text: 'Bảng lương' }, // raw UTF-8 (RFC 6532)
  ];
  it.each(cases)('$text', ({ raw, text }) => {
    expect(decodeHeaderText(typeof raw === 'string' ? Buffer.from(raw) : raw)).toBe(text);
  });
});

describe('parseMessageDate (RFC 5322 §3.3, §4.3)', () => {
  const cases: { value: string; iso: string | null; day?: string }[] = [
    { value: 'Mon, 04 Mar 2024 08:14:55 +0700', iso: '2024-03-04T01:14:55.000Z', day: '2024-03-04' },
    { value: 'Sat, 02 Mar 2024 23:30:00 -0800', iso: '2024-03-03T07:30:00.000Z', day: '2024-03-02' },
    { value: '3 Mar 2024 13:00:00 +0700', iso: '2024-03-03T06:00:00.000Z', day: '2024-03-03' },
    { value: 'Sun, 03 Mar 24 08:00:00 EST', iso: '2024-03-03T13:00:00.000Z', day: '2024-03-03' },
    { value: 'Wed, 06 Mar 2024 05:00:00 +0000 (UTC)', iso: '2024-03-06T05:00:00.000Z' },
    { value: 'Sun, 03 Mar 2024 02:15 GMT', iso: '2024-03-03T02:15:00.000Z' },
    { value: 'Thu, 1 Jan 99 00:00:00 +0000', iso: '1999-01-01T00:00:00.000Z' },
    { value: 'hôm nay lúc 9 giờ', iso: null },
    { value: '31 Feb 2024 10:00:00 +0000', iso: null },
    { value: '', iso: null },
  ];
  it.each(cases)('$value', ({ value, iso, day }) => {
    const d = parseMessageDate(value);
    expect(d ? new Date(d.utc).toISOString() : null).toBe(iso);
    if (day) expect(d?.day).toBe(day);
  });
});

describe('parseMessageIds (RFC 5322 §3.6.4)', () => {
  it.each([
    { value: '<a@b>', ids: ['<a@b>'] },
    { value: '<a@b> (comment)\r\n <c@d>', ids: ['<a@b>', '<c@d>'] },
    { value: '< a@b >', ids: ['<a@b>'] },
    { value: 'bare@id', ids: ['<bare@id>'] },
    { value: '', ids: [] },
  ])('$value', ({ value, ids }) => {
    expect(parseMessageIds(value)).toEqual(ids);
  });
});

describe('search fields of a message', () => {
  it('decodes subjects, addresses (lower-cased, IDNA) and dates for SEARCH, SORT and THREAD', () => {
    const raw = Buffer.from(
      'Subject: =?UTF-8?B?SOG7jXA=?=\r\nSubject: second\r\nFrom: =?UTF-8?Q?V=C5=A9_Lan?= <Lan.VT@VP.Tinh.Gov.VN>\r\n' +
        'To: Nhóm: a@bücher.example;, undisclosed:;\r\nCc: x@y\r\nDate: Sat, 02 Mar 2024 23:30:00 -0800\r\n' +
        'Message-ID: <m1@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <r1@x> <p@x>\r\n\r\n',
    );
    expect(parseMessage(raw).search).toEqual({
      subjects: ['Họp', 'second'],
      from: [{ name: 'Vũ Lan', address: 'lan.vt@vp.tinh.gov.vn', group: null }],
      to: [
        { name: null, address: 'a@xn--bcher-kva.example', group: 'Nhóm' },
        { name: 'undisclosed', address: null, group: 'undisclosed' },
      ],
      cc: [{ name: null, address: 'x@y', group: null }],
      bcc: [],
      sentAt: Date.parse('2024-03-03T07:30:00Z'),
      sentDay: '2024-03-02',
      messageId: '<m1@x>',
      inReplyTo: ['<p@x>'],
      references: ['<r1@x>', '<p@x>'],
    });
  });
});
