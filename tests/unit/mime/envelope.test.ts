import { describe, expect, it } from 'vitest';
import { octetBytes, parseMessage, type EnvelopeAddress } from '../../../src/mail/mime/index.js';

type Tuple = [string | null, string | null, string | null, string | null];

const tuple = (a: EnvelopeAddress): Tuple =>
  [a.name, a.route, a.mailbox, a.host].map((v) => (v === null ? null : octetBytes(v).toString('utf8'))) as Tuple;

const toField = (value: string): Tuple[] | null => {
  const to = parseMessage(Buffer.from(`To: ${value}\r\n\r\n`)).root.envelope.to;
  return to ? to.map(tuple) : null;
};

describe('ENVELOPE addresses (RFC 5322 §3.4, in RFC 3501 §7.4.2 form)', () => {
  const cases: { value: string; expected: Tuple[] | null }[] = [
    { value: 'a@b.vn', expected: [[null, null, 'a', 'b.vn']] },
    { value: 'Van thu  UBND <vanthu@vp.vn>', expected: [['Van thu UBND', null, 'vanthu', 'vp.vn']] },
    { value: '"Tran, Minh \\"Duc\\"" <d@x.vn>', expected: [['Tran, Minh "Duc"', null, 'd', 'x.vn']] },
    { value: 'an@vp.vn (Nguyen Van An)', expected: [['Nguyen Van An', null, 'an', 'vp.vn']] },
    { value: '(Phong Hanh chinh) hcq@vp.vn', expected: [[null, null, 'hcq', 'vp.vn']] },
    { value: 'Ha <ha@stc.vn> (So Tai chinh)', expected: [['Ha', null, 'ha', 'stc.vn']] },
    { value: '<(chuyen tiep)bao@x.vn>', expected: [[null, null, 'bao', 'x.vn']] },
    { value: 'Lan <@relay.vn,@mx1.vn:lan@vp.vn>', expected: [['Lan', '@relay.vn,@mx1.vn', 'lan', 'vp.vn']] },
    { value: '"nguyen van an"@vp.vn', expected: [[null, null, 'nguyen van an', 'vp.vn']] },
    { value: 'user@[10.0.0.1]', expected: [[null, null, 'user', '[10.0.0.1]']] },
    { value: 'undisclosed-recipients:;', expected: [[null, null, 'undisclosed-recipients', null], [null, null, null, null]] },
    {
      value: 'a@b.vn, Ban GD: x@y.vn, "Pho GD" <p@y.vn>;, Luu tru:;',
      expected: [
        [null, null, 'a', 'b.vn'],
        [null, null, 'Ban GD', null],
        [null, null, 'x', 'y.vn'],
        ['Pho GD', null, 'p', 'y.vn'],
        [null, null, null, null],
        [null, null, 'Luu tru', null],
        [null, null, null, null],
      ],
    },
    { value: 'Phòng Kế toán <kt@stc.vn>', expected: [['Phòng Kế toán', null, 'kt', 'stc.vn']] },
    // ill-formed: never a host of NIL on a mailbox, which would read as a group marker
    { value: 'testuser', expected: [[null, null, 'testuser', 'MISSING_DOMAIN']] },
    { value: '<>', expected: [[null, null, 'MISSING_MAILBOX', 'SYNTAX_ERROR']] },
    { value: '   ', expected: null },
  ];
  it.each(cases)('To: $value', ({ value, expected }) => {
    expect(toField(value)).toEqual(expected);
  });
});

describe('ENVELOPE fields', () => {
  it('takes values as written, unfolded, encoded-words kept; the last of a repeated field counts', () => {
    const raw = Buffer.from(
      'Date: Mon, 04 Mar 2024\r\n 08:14:55 +0700\r\nSubject: first\r\nSubject: =?UTF-8?B?xJDhu4E=?=\r\n\t=?UTF-8?B?IG5naOG7iw==?=\r\n' +
        'From: a@b\r\nMessage-ID: <m@x>\r\nIn-Reply-To: <p@x>\r\nBcc: c@d\r\n\r\n',
    );
    expect(parseMessage(raw).root.envelope).toEqual({
      date: 'Mon, 04 Mar 2024 08:14:55 +0700',
      subject: '=?UTF-8?B?xJDhu4E=?=\t=?UTF-8?B?IG5naOG7iw==?=',
      from: [{ name: null, route: null, mailbox: 'a', host: 'b' }],
      sender: null,
      replyTo: null,
      to: null,
      cc: null,
      bcc: [{ name: null, route: null, mailbox: 'c', host: 'd' }],
      inReplyTo: '<p@x>',
      messageId: '<m@x>',
    });
  });

  it('gives every encapsulated message/rfc822 its own envelope', () => {
    const raw = Buffer.from('Subject: outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: x@y\r\n\r\nbody');
    const root = parseMessage(raw).root;
    expect(root.envelope.subject).toBe('outer');
    expect(root.children[0]?.envelope).toMatchObject({ subject: 'inner', from: [{ mailbox: 'x', host: 'y' }] });
  });
});
