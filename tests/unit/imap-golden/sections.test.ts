import { describe, expect, it } from 'vitest';
import {
  SectionSyntaxError,
  UnknownTransferEncodingError,
  binarySection,
  binarySize,
  bodySection,
  findPart,
  parseSectionSpec,
  sectionLabel,
} from '../../../src/imap/protocol/sections.js';
import { parseMessage } from '../../../src/mail/mime/index.js';

describe('section-spec grammar (RFC 3501 §9)', () => {
  it.each([
    { spec: '', part: [], text: null, label: '' },
    { spec: '1.2.3', part: [1, 2, 3], text: null, label: '1.2.3' },
    { spec: 'header', part: [], text: { kind: 'HEADER' }, label: 'HEADER' },
    { spec: '2.TEXT', part: [2], text: { kind: 'TEXT' }, label: '2.TEXT' },
    { spec: '1.MIME', part: [1], text: { kind: 'MIME' }, label: '1.MIME' },
    {
      spec: 'HEADER.FIELDS (from Subject "X-Ghi-Chu")',
      part: [],
      text: { kind: 'HEADER.FIELDS', not: false, fields: ['from', 'Subject', 'X-Ghi-Chu'] },
      label: 'HEADER.FIELDS (FROM SUBJECT X-GHI-CHU)',
    },
    {
      spec: '2.header.fields.not (Received)',
      part: [2],
      text: { kind: 'HEADER.FIELDS', not: true, fields: ['Received'] },
      label: '2.HEADER.FIELDS.NOT (RECEIVED)',
    },
  ])('[$spec]', ({ spec, part, text, label }) => {
    const parsed = parseSectionSpec(spec);
    expect(parsed).toEqual({ part, text });
    expect(sectionLabel(parsed)).toBe(label);
  });

  it.each(['MIME', '0', '1.', '1..2', '1.FOO', 'HEADER.FIELDS ()', 'HEADER.FIELDS (A:B)', '01'])('[%s] is a syntax error', (spec) => {
    expect(() => parseSectionSpec(spec)).toThrow(SectionSyntaxError);
  });
});

const MESSAGE = Buffer.from(
  [
    'Received: by a\r\n\tfor b',
    'Subject: outer',
    'From: a@b',
    'Content-Type: multipart/mixed; boundary=b',
    '',
    '--b',
    'Content-Type: text/plain',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'caf=C3=A9 =3D soft=',
    'break  ',
    'end',
    '--b',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner',
    'X-Empty:',
    '',
    'inner body',
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <x>',
    '',
    'AAEC/w==',
    '--b',
    'Content-Transfer-Encoding: x-uuencode',
    '',
    'begin 644 x',
    '--b--',
    '',
  ].join('\r\n'),
);
const root = parseMessage(MESSAGE).root;
const body = (spec: string, partial?: { offset: number; length: number }): string =>
  bodySection(MESSAGE, root, parseSectionSpec(spec), partial).toString('latin1');

describe('BODY[section] (RFC 3501 §6.4.5)', () => {
  it.each([
    { spec: '1', bytes: 'caf=C3=A9 =3D soft=\r\nbreak  \r\nend' },
    { spec: '1.MIME', bytes: 'Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' },
    { spec: '2.HEADER', bytes: 'Subject: inner\r\nX-Empty:\r\n\r\n' },
    { spec: '2.TEXT', bytes: 'inner body' },
    { spec: '2.1', bytes: 'inner body' },
    { spec: '2.1.MIME', bytes: 'Subject: inner\r\nX-Empty:\r\n\r\n' },
    { spec: '2.MIME', bytes: 'Content-Type: message/rfc822\r\n\r\n' },
    { spec: 'HEADER.FIELDS (SUBJECT RECEIVED)', bytes: 'Received: by a\r\n\tfor b\r\nSubject: outer\r\n\r\n' },
    { spec: 'HEADER.FIELDS (X-NONE)', bytes: '\r\n' },
    { spec: 'HEADER.FIELDS.NOT (RECEIVED CONTENT-TYPE)', bytes: 'Subject: outer\r\nFrom: a@b\r\n\r\n' },
    { spec: '2.HEADER.FIELDS (X-EMPTY)', bytes: 'X-Empty:\r\n\r\n' },
    // a part that does not exist, and HEADER/TEXT of a part that is no message: empty, as Dovecot answers
    { spec: '9', bytes: '' },
    { spec: '2.2', bytes: '' },
    { spec: '1.HEADER', bytes: '' },
    { spec: '2.1.TEXT', bytes: '' },
  ])('BODY[$spec]', ({ spec, bytes }) => {
    expect(body(spec)).toBe(bytes);
  });

  it('partial <offset.length> slices the section; past the end it is empty', () => {
    expect(body('2.TEXT', { offset: 6, length: 100 })).toBe('body');
    expect(body('2.TEXT', { offset: 0, length: 5 })).toBe('inner');
    expect(body('2.TEXT', { offset: 10, length: 5 })).toBe('');
  });

  it('finds parts as RFC 3501 numbers them', () => {
    expect(findPart(root, [2, 1])).toBe(root.children[1]?.children[0]);
    expect(findPart(root, [5])).toBeNull();
    expect(findPart(root, [])).toBe(root);
    // a part that is neither multipart nor message has only part 1, itself (as Dovecot resolves it)
    expect(findPart(root, [1, 1])).toBe(root.children[0]);
    expect(findPart(root, [1, 2])).toBeNull();
    expect(findPart(root, [1, 1, 1])).toBeNull();
  });
});

describe('BINARY[section] (RFC 3516)', () => {
  it('undoes quoted-printable: =XX, soft line breaks, blanks before a line break', () => {
    expect(binarySection(MESSAGE, root, [1]).bytes.toString('utf8')).toBe('café = softbreak\r\nend');
    expect(binarySize(MESSAGE, root, [1])).toBe(Buffer.byteLength('café = softbreak\r\nend'));
  });

  it('undoes base64 and asks for literal8 when the result holds NUL', () => {
    expect(binarySection(MESSAGE, root, [3])).toEqual({ bytes: Buffer.from([0, 1, 2, 255]), needsLiteral8: true });
    expect(binarySection(MESSAGE, root, [3], { offset: 1, length: 2 })).toEqual({ bytes: Buffer.from([1, 2]), needsLiteral8: false });
  });

  it('identity encodings pass through; a missing part is empty', () => {
    expect(binarySection(MESSAGE, root, [2, 1]).bytes.toString()).toBe('inner body');
    expect(binarySection(MESSAGE, root, [7]).bytes.length).toBe(0);
  });

  it('an unknown Content-Transfer-Encoding is an error the IMAP layer answers with NO [UNKNOWN-CTE]', () => {
    expect(() => binarySection(MESSAGE, root, [4])).toThrow(UnknownTransferEncodingError);
    expect(() => binarySize(MESSAGE, root, [4])).toThrow(expect.objectContaining({ code: 'UNKNOWN-CTE', encoding: 'x-uuencode' }));
  });

  it('BINARY[] of a whole message decodes every leaf and marks it "binary"', () => {
    const raw = Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\nSubject: s\r\n\r\naGk=\r\n');
    expect(binarySection(raw, parseMessage(raw).root, []).bytes.toString()).toBe(
      'Content-Type: text/plain\r\nSubject: s\r\nContent-Transfer-Encoding: binary\r\n\r\nhi',
    );
  });
});

describe('stored octets are served exactly (decision for bare LF, NUL)', () => {
  const bareLf = Buffer.from('From: probe@tinh.gov.vn\r\nSubject: bare LF probe\nX-After-Bare-LF: yes\r\n\r\nline one ends in CRLF\r\nline two ends in bare LF\nline three ends in bare CR\rline four\r\n');
  it('bare LF and bare CR are kept: RFC822.SIZE is the stored size (Dovecot rewrites LF to CRLF and says 160)', () => {
    const parsed = parseMessage(bareLf);
    expect(parsed.size).toBe(158);
    expect(bodySection(bareLf, parsed.root, parseSectionSpec(''))).toEqual(bareLf);
    expect(parsed.root).toMatchObject({ bodySize: 86, bodyLines: 3 });
    expect(bodySection(bareLf, parsed.root, parseSectionSpec('HEADER.FIELDS (SUBJECT)')).toString()).toBe('Subject: bare LF probe\n\r\n');
  });

  it('NUL: BODY[] shows 0x80 (literals cannot carry NUL), BINARY[1] the real octet (as Dovecot)', () => {
    const nul = Buffer.from('From: probe@tinh.gov.vn\r\nSubject: NUL probe\r\n\r\nbefore NUL \0 after NUL\r\n');
    const parsed = parseMessage(nul);
    expect(bodySection(nul, parsed.root, parseSectionSpec('')).includes(0x80)).toBe(true);
    expect(bodySection(nul, parsed.root, parseSectionSpec('')).includes(0)).toBe(false);
    expect(binarySection(nul, parsed.root, [1])).toEqual({ bytes: Buffer.from('before NUL \0 after NUL\r\n'), needsLiteral8: true });
    expect(binarySize(nul, parsed.root, [1])).toBe(24);
  });
});
