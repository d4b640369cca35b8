import { describe, expect, it } from 'vitest';
import { MIME_LIMITS } from '../../../src/shared/limits.js';
import { octetBytes, parseMessage, type MimePart } from '../../../src/mail/mime/index.js';

/** a part as "kind type/subtype [header|body] lines", children indented, for readable expectations */
function outline(raw: Buffer, part: MimePart, depth = 0): string[] {
  const t = part.type === null ? '-' : `${octetBytes(part.type).toString()}/${octetBytes(part.subtype ?? '').toString()}`;
  const header = JSON.stringify(raw.toString('latin1', part.headerStart, part.bodyStart));
  const body = JSON.stringify(raw.toString('latin1', part.bodyStart, part.bodyEnd));
  const lines = part.kind === 'text' || part.kind === 'message' ? ` ${part.bodyLines}L` : '';
  return [`${'  '.repeat(depth)}${part.kind} ${t} ${header}|${body}${lines}`, ...part.children.flatMap((c) => outline(raw, c, depth + 1))];
}

const structure = (text: string): string[] => {
  const raw = Buffer.from(text, 'latin1');
  return outline(raw, parseMessage(raw).root);
};

describe('parseMessage: MIME structure (RFC 2045, RFC 2046)', () => {
  const cases: { name: string; message: string; expected: string[] }[] = [
    {
      name: 'single text part: header with its blank line, then the body',
      message: 'Subject: a\r\n\r\nbody\r\n',
      expected: ['text - "Subject: a\\r\\n\\r\\n"|"body\\r\\n" 1L'],
    },
    {
      name: 'bare LF line ends are kept as they are (sizes count stored octets)',
      message: 'Subject: a\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=z\n\npre\n--z\n\none\n--z\nContent-Type: text/html\n\n<b>\n--z--\nepi\n',
      expected: [
        'multipart multipart/mixed "Subject: a\\nMIME-Version: 1.0\\nContent-Type: multipart/mixed; boundary=z\\n\\n"|"pre\\n--z\\n\\none\\n--z\\nContent-Type: text/html\\n\\n<b>\\n--z--\\nepi\\n"',
        '  text - "\\n"|"one" 0L',
        '  text text/html "Content-Type: text/html\\n\\n"|"<b>" 0L',
      ],
    },
    {
      name: 'empty message',
      message: '',
      expected: ['text - ""|"" 0L'],
    },
    {
      name: 'header without a blank line (RFC 5322 allows no body): the header runs to the end',
      message: 'Subject: a\r\nFrom: b@c\r\n',
      expected: ['text - "Subject: a\\r\\nFrom: b@c\\r\\n"|"" 0L'],
    },
    {
      name: 'last header line without a line break',
      message: 'Subject: a',
      expected: ['text - "Subject: a"|"" 0L'],
    },
    {
      name: 'no header at all: the message starts with the blank line',
      message: '\r\nonly body',
      expected: ['text - "\\r\\n"|"only body" 0L'],
    },
    {
      name: 'preamble and epilogue belong to the multipart body, not to a part (RFC 2046 §5.1.1)',
      message: 'Content-Type: multipart/mixed; boundary="b"\r\n\r\npreamble --b\r\n--b\r\n\r\nA\r\n--b--\r\n--b\r\nnot a part\r\n',
      expected: [
        'multipart multipart/mixed "Content-Type: multipart/mixed; boundary=\\"b\\"\\r\\n\\r\\n"|"preamble --b\\r\\n--b\\r\\n\\r\\nA\\r\\n--b--\\r\\n--b\\r\\nnot a part\\r\\n"',
        '  text - "\\r\\n"|"A" 0L',
      ],
    },
    {
      name: 'missing close delimiter: the last part runs to the end, final line break included',
      message: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nA\r\n--b\r\n\r\nB\r\n',
      expected: ['multipart multipart/mixed "Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b\\r\\n\\r\\nA\\r\\n--b\\r\\n\\r\\nB\\r\\n"', '  text - "\\r\\n"|"A" 0L', '  text - "\\r\\n"|"B\\r\\n" 1L'],
    },
    {
      name: 'multipart without a boundary parameter has no parts',
      message: 'Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nA\r\n',
      expected: ['multipart multipart/mixed "Content-Type: multipart/mixed\\r\\n\\r\\n"|"--b\\r\\n\\r\\nA\\r\\n"'],
    },
    {
      name: 'a line that starts with the delimiter and goes on is a delimiter too (prefix match, as Dovecot)',
      message: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nA\r\n--bogus\r\nhdr\r\n--b--\r\n',
      expected: [
        'multipart multipart/mixed "Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b\\r\\n\\r\\nA\\r\\n--bogus\\r\\nhdr\\r\\n--b--\\r\\n"',
        '  text - "\\r\\n"|"A" 0L',
        '  text - "hdr"|"" 0L',
      ],
    },
    {
      name: 'the longest matching boundary wins when one is a prefix of another',
      message: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=bb\r\n\r\n--bb\r\n\r\nX\r\n--bb--\r\n--b--\r\n',
      expected: [
        'multipart multipart/mixed "Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b\\r\\nContent-Type: multipart/alternative; boundary=bb\\r\\n\\r\\n--bb\\r\\n\\r\\nX\\r\\n--bb--\\r\\n--b--\\r\\n"',
        // the epilogue ("\r\n") is the inner multipart's: a delimiter on the first epilogue line takes no line break
        '  multipart multipart/alternative "Content-Type: multipart/alternative; boundary=bb\\r\\n\\r\\n"|"--bb\\r\\n\\r\\nX\\r\\n--bb--\\r\\n"',
        '    text - "\\r\\n"|"X" 0L',
      ],
    },
    {
      name: 'an outer delimiter ends an inner multipart that never closed',
      message: 'Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\nin\r\n--o\r\n\r\nnext\r\n--o--\r\n',
      expected: [
        'multipart multipart/mixed "Content-Type: multipart/mixed; boundary=o\\r\\n\\r\\n"|"--o\\r\\nContent-Type: multipart/mixed; boundary=i\\r\\n\\r\\n--i\\r\\n\\r\\nin\\r\\n--o\\r\\n\\r\\nnext\\r\\n--o--\\r\\n"',
        '  multipart multipart/mixed "Content-Type: multipart/mixed; boundary=i\\r\\n\\r\\n"|"--i\\r\\n\\r\\nin"',
        '    text - "\\r\\n"|"in" 0L',
        '  text - "\\r\\n"|"next" 0L',
      ],
    },
    {
      name: 'a part header cut short by a delimiter gives its last line break to the delimiter',
      message: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n--b--\r\n',
      expected: ['multipart multipart/mixed "Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b\\r\\nContent-Type: text/html\\r\\n--b--\\r\\n"', '  text text/html "Content-Type: text/html"|"" 0L'],
    },
    {
      name: 'multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5)',
      message: 'Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: s\r\n\r\nx\r\n--d\r\nContent-Type: text/plain\r\n\r\ny\r\n--d--\r\n',
      expected: [
        'multipart multipart/digest "Content-Type: multipart/digest; boundary=d\\r\\n\\r\\n"|"--d\\r\\n\\r\\nSubject: s\\r\\n\\r\\nx\\r\\n--d\\r\\nContent-Type: text/plain\\r\\n\\r\\ny\\r\\n--d--\\r\\n"',
        '  message - "\\r\\n"|"Subject: s\\r\\n\\r\\nx" 2L',
        '    text - "Subject: s\\r\\n\\r\\n"|"x" 0L',
        '  text text/plain "Content-Type: text/plain\\r\\n\\r\\n"|"y" 0L',
      ],
    },
    {
      name: 'message/rfc822 holds one encapsulated message, itself parsed',
      message: 'MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\nhello\r\n',
      expected: [
        'message message/rfc822 "MIME-Version: 1.0\\r\\nContent-Type: message/rfc822\\r\\n\\r\\n"|"Subject: inner\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello\\r\\n" 4L',
        '  text text/plain "Subject: inner\\r\\nContent-Type: text/plain\\r\\n\\r\\n"|"hello\\r\\n" 1L',
      ],
    },
    {
      name: 'message/rfc822 whose header never ends still has an (empty) encapsulated message',
      message: 'Content-Type: message/rfc822\r\n',
      expected: ['message message/rfc822 "Content-Type: message/rfc822\\r\\n"|"" 0L', '  text - ""|"" 0L'],
    },
    {
      name: 'without MIME-Version and Content-Type, Content-* fields mean nothing (RFC 2045 §4)',
      message: 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\nx',
      expected: ['text - "Content-Transfer-Encoding: base64\\r\\nContent-Disposition: attachment\\r\\n\\r\\n"|"x" 0L'],
    },
    {
      name: 'the first Content-Type counts',
      message: 'Content-Type: text/html\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n',
      expected: ['text text/html "Content-Type: text/html\\r\\nContent-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b\\r\\n" 1L'],
    },
    {
      name: 'a Content-Type without subtype is no Content-Type (text/plain default)',
      message: 'MIME-Version: 1.0\r\nContent-Type: text\r\n\r\nx',
      expected: ['text - "MIME-Version: 1.0\\r\\nContent-Type: text\\r\\n\\r\\n"|"x" 0L'],
    },
    {
      name: 'a delimiter at the very end without a line break starts no part',
      message: 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b',
      expected: ['multipart multipart/mixed "Content-Type: multipart/mixed; boundary=b\\r\\n\\r\\n"|"--b"'],
    },
  ];
  it.each(cases)('$name', ({ message, expected }) => {
    expect(structure(message)).toEqual(expected);
  });
});

describe('parseMessage: part fields', () => {
  it('keeps Content-Type case, parameter order and RFC 2231 continuations joined (not decoded)', () => {
    const raw = Buffer.from(
      'MIME-Version: 1.0\r\nContent-Type: TEXT/Plain ; CharSet = "UTF-8" (c); X-Q="a \\"b\\"";\r\n' +
        " name*1*=%20b; name*0*=utf-8''a; name*2=\"c%\"\r\n" +
        'Content-Transfer-Encoding: Quoted-Printable\r\nContent-Language: vi, en-US\r\n' +
        'Content-Disposition: attachment; filename="x.txt"\r\nContent-ID: <id@x>\r\nContent-MD5: abc=\r\n' +
        'Content-Location: "http://x/"\r\nContent-Description: =?UTF-8?Q?m=C3=B4_t=E1=BA=A3?=\r\n\r\nbody',
    );
    const root = parseMessage(raw).root;
    expect(root).toMatchObject({
      kind: 'text',
      type: 'TEXT',
      subtype: 'Plain',
      params: [
        { name: 'CharSet', value: 'UTF-8' },
        { name: 'X-Q', value: 'a "b"' },
        { name: 'name*', value: "utf-8''a%20bc%25" },
      ],
      encoding: 'Quoted-Printable',
      language: ['vi', 'en-US'],
      disposition: { type: 'attachment', params: [{ name: 'filename', value: 'x.txt' }] },
      id: '<id@x>',
      md5: 'abc=',
      location: '"http://x/"',
      description: '=?UTF-8?Q?m=C3=B4_t=E1=BA=A3?=',
      bodySize: 4,
    });
  });

  it('keeps 8-bit header octets exactly (windows-1258 stored as base64)', () => {
    const subject = Buffer.from([0x42, 0x61, 0xd2, 0x6e, 0x67]); // "Bảng" in windows-1258
    const raw = Buffer.concat([Buffer.from('Subject: '), subject, Buffer.from('\r\nFrom: '), subject, Buffer.from(' <a@b>\r\n\r\n')]);
    const env = parseMessage(raw).root.envelope;
    expect(env.subject).toEqual({ base64: subject.toString('base64') });
    expect(octetBytes(env.subject ?? '')).toEqual(subject);
    expect(octetBytes(env.from?.[0]?.name ?? '')).toEqual(subject);
    expect(JSON.parse(JSON.stringify(env))).toEqual(env);
  });

  it(`stops descending at ${MIME_LIMITS.maxNestingDepth} levels and describes the rest as opaque`, () => {
    // boundaries end in "x" so that none is a prefix of another
    let text = 'Content-Type: multipart/mixed; boundary=b0x\r\n\r\n';
    for (let i = 1; i < 200; i++) text += `--b${i - 1}x\r\nContent-Type: multipart/mixed; boundary=b${i}x\r\n\r\n`;
    const raw = Buffer.from(text);
    let part = parseMessage(raw).root as MimePart;
    let depth = 0;
    while (part.children[0]) {
      part = part.children[0];
      depth++;
    }
    expect(depth).toBe(MIME_LIMITS.maxNestingDepth - 1);
    expect(part).toMatchObject({ kind: 'basic', type: 'application', subtype: 'octet-stream', opaque: true });
    expect(part.bodyEnd).toBe(raw.length);
  });

  it(`describes at most ${MIME_LIMITS.maxParts} parts`, () => {
    const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\n\r\nx\r\n'.repeat(MIME_LIMITS.maxParts + 50)}--b--\r\n`);
    const root = parseMessage(raw).root;
    expect(root.children.length).toBe(MIME_LIMITS.maxParts - 1);
    expect(root.bodyEnd).toBe(raw.length);
  });

  it('is plain JSON: a round trip through JSON changes nothing', () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\ny\r\n--b--\r\n');
    const parsed = parseMessage(raw);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed);
  });
});
