import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/mail/mime/index.js';
import { bodyText, filenameOf, messageLayout, partById } from '../../../src/webmail/mail/message-parts.js';
import { contentDisposition } from '../../../src/webmail/mail/message-page.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

/** multipart/mixed ( multipart/alternative ( text/plain, multipart/related ( text/html, image ) ), pdf, message/rfc822 ) */
const NESTED = crlf([
  'From: a@b.test',
  'Subject: nested',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="m"',
  '',
  '--m',
  'Content-Type: multipart/alternative; boundary="a"',
  '',
  '--a',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Chào anh',
  '--a',
  'Content-Type: multipart/related; boundary="r"',
  '',
  '--r',
  'Content-Type: text/html; charset=windows-1258',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<p>Ch=E0o anh</p><img src=3D"cid:logo@x">',
  '--r',
  'Content-Type: image/png',
  'Content-ID: <logo@x>',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgo=',
  '--r--',
  '--a--',
  '--m',
  'Content-Type: application/pdf',
  "Content-Disposition: attachment; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%C3%A1ng%2011.pdf",
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQ=',
  '--m',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  '',
  'inner body',
  '--m--',
  '',
]);

describe('message parts (IMAP section numbers)', () => {
  it('shows the HTML of multipart/alternative, its related image inline, and lists the other leaves as files', () => {
    const raw = NESTED;
    const { root } = parseMessage(raw);
    const layout = messageLayout(root);
    expect(layout.body?.id).toBe('1.2.1');
    expect(layout.body?.type).toBe('text/html');
    // RFC 2045 quoted-printable and the windows-1258 charset undone
    expect(bodyText(raw.subarray(layout.body!.part.bodyStart, layout.body!.part.bodyEnd), layout.body!.part)).toBe('<p>Chào anh</p><img src="cid:logo@x">');
    expect(layout.inline.map((p) => [p.id, p.contentId])).toEqual([['1.2.2', 'logo@x']]);
    expect(layout.attachments.map((p) => [p.id, p.type, p.filename])).toEqual([
      ['2', 'application/pdf', 'Báo cáo tháng 11.pdf'],
      ['3', 'message/rfc822', null],
    ]);
    expect(partById(root, '1.2.2')).toBe(root.children[0]!.children[1]!.children[1]);
    expect(partById(root, '4')).toBeUndefined();
    expect(partById(root, '1.x')).toBeUndefined();
  });

  it('a single-part message is its own part 1', () => {
    const { root } = parseMessage(crlf(['Subject: x', 'Content-Type: text/plain', '', 'hi', '']));
    const layout = messageLayout(root);
    expect(layout.body?.id).toBe('1');
    expect(layout.attachments).toEqual([]);
    expect(partById(root, '1')).toBe(root);
  });

  it('reads RFC 2047 encoded names, and takes out path separators and control characters', () => {
    const { root } = parseMessage(
      crlf(['Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'x', '--m', 'Content-Type: application/octet-stream; name="=?UTF-8?B?xJDhu4EgbuG6pW0vLi4vMjAyNi5kb2N4?="', '', 'y', '--m--', '']),
    );
    expect(filenameOf(root.children[1]!)).toBe('Đề nấm_.._2026.docx');
  });

  it('names a download for RFC 6266: ASCII for old browsers, UTF-8 for the rest', () => {
    expect(contentDisposition('attachment', 'Báo cáo "quý" 4.pdf')).toBe(
      `attachment; filename="Bao cao _quy_ 4.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22qu%C3%BD%22%204.pdf`,
    );
    expect(contentDisposition('inline', "Đơn (bản 1)'s.png")).toBe(`inline; filename="Don (ban 1)'s.png"; filename*=UTF-8''%C4%90%C6%A1n%20%28b%E1%BA%A3n%201%29%27s.png`);
  });
});
