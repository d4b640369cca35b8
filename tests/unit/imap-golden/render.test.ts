import { describe, expect, it } from 'vitest';
import { renderBodyStructure, type BodyPartShape } from '../../../src/imap/protocol/body-structure.js';
import { renderEnvelope, type EnvelopeShape } from '../../../src/imap/protocol/envelope.js';
import { imapHumanString, imapNString, imapString } from '../../../src/imap/protocol/imap-string.js';
import { parseMessage } from '../../../src/mail/mime/index.js';

const text = (b: Buffer): string => b.toString('latin1');

describe('IMAP strings (RFC 3501 §4.3)', () => {
  it.each([
    { value: 'plain', wire: '"plain"' },
    { value: '', wire: '""' },
    { value: 'say "hi" \\ bye', wire: '"say \\"hi\\" \\\\ bye"' },
    { value: 'two\r\nlines', wire: '{10}\r\ntwo\r\nlines' },
    { value: 'Họp', wire: '{5}\r\nHọp' },
  ])('$value is sent as $wire', ({ value, wire }) => {
    expect(imapString(Buffer.from(value)).toString('utf8')).toBe(wire);
  });

  it('NIL for an absent nstring; base64-stored octets come out exactly', () => {
    expect(text(imapNString(null))).toBe('NIL');
    expect(imapNString({ base64: Buffer.from([0x42, 0x61, 0xd2]).toString('base64') })).toEqual(Buffer.from([0x7b, 0x33, 0x7d, 0x0d, 0x0a, 0x42, 0x61, 0xd2]));
  });

  it('never sends NUL (RFC 3501 §9 CHAR8): it becomes 0x80', () => {
    expect(imapString(Buffer.from('a\0b'))).toEqual(Buffer.from([0x7b, 0x33, 0x7d, 0x0d, 0x0a, 0x61, 0x80, 0x62]));
  });

  it('shows subjects and names with folds removed and blanks collapsed, as Dovecot does', () => {
    expect(text(imapHumanString('  Re:\r\n\t two   words  '))).toBe('"Re: two words"');
    expect(text(imapHumanString(' \t '))).toBe('""');
  });
});

describe('ENVELOPE (RFC 3501 §7.4.2)', () => {
  const env: EnvelopeShape = {
    date: 'Mon, 04 Mar 2024 08:14:55 +0700',
    subject: 'Bao cao',
    from: [{ name: 'Van thu', route: null, mailbox: 'vanthu', host: 'vp.vn' }],
    sender: null,
    replyTo: [],
    to: [
      { name: null, route: null, mailbox: 'nhom', host: null },
      { name: null, route: '@relay.vn', mailbox: 'a', host: 'b.vn' },
      { name: null, route: null, mailbox: null, host: null },
    ],
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: '<m@x>',
  };
  it('lists the ten fields; Sender and Reply-To default to From; groups keep their markers', () => {
    expect(text(renderEnvelope(env))).toBe(
      '("Mon, 04 Mar 2024 08:14:55 +0700" "Bao cao" (("Van thu" NIL "vanthu" "vp.vn")) (("Van thu" NIL "vanthu" "vp.vn")) ' +
        '(("Van thu" NIL "vanthu" "vp.vn")) ((NIL NIL "nhom" NIL)(NIL "@relay.vn" "a" "b.vn")(NIL NIL NIL NIL)) NIL NIL NIL "<m@x>")',
    );
  });
});

describe('BODY and BODYSTRUCTURE (RFC 3501 §7.4.2)', () => {
  const render = (message: string, extended: boolean): string =>
    text(renderBodyStructure(parseMessage(Buffer.from(message)).root, extended));

  it('a part without Content-Type is text/plain; charset=us-ascii, 7bit, with a line count', () => {
    expect(render('Subject: x\r\n\r\nline\r\n', true)).toBe('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)');
    expect(render('Subject: x\r\n\r\nline\r\n', false)).toBe('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1)');
  });

  it('a non-text part without parameters has NIL, and no line count', () => {
    expect(render('Content-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n\r\nxx', true)).toBe(
      '("application" "octet-stream" NIL NIL NIL "7bit" 2 NIL ("attachment" NIL) NIL NIL)',
    );
  });

  it('a multipart without parts shows one empty text/plain part (1*body is required)', () => {
    expect(render('Content-Type: multipart/mixed\r\n\r\n', true)).toBe(
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)',
    );
    expect(render('Content-Type: multipart/mixed\r\n\r\n', false)).toBe('(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")');
  });

  it('message/rfc822 carries the envelope, body and line count of the encapsulated message', () => {
    const msg = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nhi\r\n--b--\r\n';
    expect(render(msg, false)).toBe(
      '(("message" "rfc822" NIL NIL NIL "7bit" 17 (NIL "in" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0) 2) "mixed")',
    );
  });

  it('keeps the empty-envelope and opaque forms valid for shapes built by hand', () => {
    const leaf: BodyPartShape = {
      kind: 'basic',
      type: 'application',
      subtype: 'octet-stream',
      params: [],
      id: null,
      description: null,
      encoding: null,
      bodySize: 0,
      bodyLines: 0,
      md5: null,
      disposition: null,
      language: ['vi'],
      location: null,
      children: [],
    };
    const message: BodyPartShape = { ...leaf, kind: 'message', type: 'message', subtype: 'rfc822', children: [leaf] };
    expect(text(renderBodyStructure(message, true))).toBe(
      '("message" "rfc822" NIL NIL NIL "7bit" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("application" "octet-stream" NIL NIL NIL "7bit" 0 NIL NIL ("vi") NIL) 0 NIL NIL ("vi") NIL)',
    );
  });
});
