import { describe, expect, it } from 'vitest';
import { formatDateTime, formatSearchDate, parseDateTime, parseSearchDate } from '../../../src/imap/protocol/datetime.js';
import { ValueSyntaxError } from '../../../src/imap/protocol/errors.js';
import { normalizeFlag } from '../../../src/imap/protocol/flags.js';
import { decodeMailboxName, decodeModifiedUtf7, encodeMailboxName, encodeModifiedUtf7 } from '../../../src/imap/protocol/mailbox-name.js';
import {
  clipRanges,
  formatRanges,
  formatSequenceSet,
  largestNumber,
  parseSequenceSet,
  rangesContain,
  rangesCount,
  rangesValues,
  resolveSequenceSet,
} from '../../../src/imap/protocol/sequence-set.js';

describe('sequence sets (RFC 9051 §9 sequence-set, RFC 5182 "$")', () => {
  it.each([
    ['1', [{ start: 1, end: 1 }]],
    ['1:*,5,7:9', [{ start: 1, end: '*' }, { start: 5, end: 5 }, { start: 7, end: 9 }]],
    ['9:7', [{ start: 7, end: 9 }]],
    ['*:4', [{ start: '*', end: 4 }]],
    ['*', [{ start: '*', end: '*' }]],
    ['4294967295', [{ start: 4294967295, end: 4294967295 }]],
  ])('%s', (text, ranges) => {
    expect(parseSequenceSet(text)).toEqual({ kind: 'set', ranges });
  });

  it('"$" is the saved result (RFC 5182 §2.1)', () => {
    expect(parseSequenceSet('$')).toEqual({ kind: 'saved' });
  });

  it.each([
    ['', 'Invalid sequence set "": an empty element'],
    ['0', 'Invalid sequence set "0": 0 is not a message number'],
    ['1:0', 'Invalid sequence set "1:0": 0 is not a message number'],
    ['1,,2', 'Invalid sequence set "1,,2": an empty element'],
    ['1,', 'Invalid sequence set "1,": an empty element'],
    ['01', 'Invalid sequence set "01": "01" is not a number'],
    ['1:2:3', 'Invalid sequence set "1:2:3": "2:3" is not a number'],
    ['4294967296', 'Invalid sequence set "4294967296": 4294967296 is larger than 4294967295'],
    ['1,$', 'Invalid sequence set "1,$": "$" is not a number'],
    ['-1', 'Invalid sequence set "-1": "-1" is not a number'],
  ])('%j is invalid: %s', (text, message) => {
    expect(() => parseSequenceSet(text)).toThrow(new ValueSyntaxError(message));
  });

  it('resolves against the largest number into sorted, merged ranges without expanding them', () => {
    expect(resolveSequenceSet(parseSequenceSet('1:4294967295'), 10)).toEqual([[1, 4294967295]]);
    expect(resolveSequenceSet(parseSequenceSet('7:9,1:*,5'), 3)).toEqual([[1, 3], [5, 5], [7, 9]]);
    expect(resolveSequenceSet(parseSequenceSet('5,3,4,10:12,6'), 20)).toEqual([[3, 6], [10, 12]]);
    // RFC 9051 §6.4.9: "*" is the largest UID in use, so 900:* names 800 when that is the largest
    expect(resolveSequenceSet(parseSequenceSet('900:*'), 800)).toEqual([[800, 900]]);
    expect(resolveSequenceSet(parseSequenceSet('*'), 0)).toEqual([]);
    expect(resolveSequenceSet(parseSequenceSet('1:*'), 0)).toEqual([[1, 1]]);
    expect(resolveSequenceSet({ kind: 'saved' }, 9, [[2, 4]])).toEqual([[2, 4]]);
    expect(resolveSequenceSet({ kind: 'saved' }, 9)).toEqual([]);
  });

  it('answers membership, counts, clipping and iteration on ranges', () => {
    const r = resolveSequenceSet(parseSequenceSet('1:3,10,20:4294967295'), 5);
    expect([0, 1, 3, 4, 10, 11, 19, 20, 4294967295].map((n) => rangesContain(r, n))).toEqual([false, true, true, false, true, false, false, true, true]);
    expect(rangesCount(r)).toBe(3 + 1 + (4294967295 - 20 + 1));
    expect(clipRanges(r, 1, 12)).toEqual([[1, 3], [10, 10]]);
    expect([...rangesValues(clipRanges(r, 2, 10))]).toEqual([2, 3, 10]);
    expect(formatRanges(r)).toBe('1:3,10,20:4294967295');
    expect(largestNumber(parseSequenceSet('3:*,17,2'))).toBe(17);
  });

  it.each([
    [[1, 2, 3, 4, 5, 7, 9, 10, 11, 12], '1:5,7,9:12'],
    [[5], '5'],
    [[], ''],
    [[3, 4, 1, 2], '3:4,1:2'], // order kept: COPYUID pairs its two sets by position (RFC 4315 §3)
    [[4, 3], '4,3'],
  ])('formats %j as %s', (values, text) => {
    expect(formatSequenceSet(values)).toBe(text);
  });
});

describe('date-time (RFC 9051 §9)', () => {
  it.each([
    ['17-Jul-1996 02:44:25 -0700', '1996-07-17T09:44:25.000Z', -420],
    [' 4-Mar-2024 08:15:02 +0700', '2024-03-04T01:15:02.000Z', 420],
    ['29-feb-2024 23:59:59 +0000', '2024-02-29T23:59:59.000Z', 0],
    ['01-JAN-0099 00:00:00 +0130', '0098-12-31T22:30:00.000Z', 90],
  ])('%s', (text, iso, offset) => {
    const d = parseDateTime(text);
    expect(d.date.toISOString().replace(/^\+00/, '')).toBe(iso);
    expect(d.offsetMinutes).toBe(offset);
  });

  it('formats in the given zone, keeping it, day zero-padded', () => {
    const d = parseDateTime('17-Jul-1996 02:44:25 -0700');
    expect(formatDateTime(d.date, d.offsetMinutes)).toBe('17-Jul-1996 02:44:25 -0700');
    expect(formatDateTime(d.date)).toBe('17-Jul-1996 09:44:25 +0000');
    expect(formatDateTime(new Date('2024-03-04T01:15:02Z'), 420)).toBe('04-Mar-2024 08:15:02 +0700');
    expect(formatDateTime(new Date('2024-03-04T01:15:02Z'), -150)).toBe('03-Mar-2024 22:45:02 -0230');
  });

  it.each([
    ['17-Jul-1996 02:44:25', '"17-Jul-1996 02:44:25" is not a date-time like "17-Jul-1996 02:44:25 -0700"'],
    ['4-Mar-2024 08:15:02 +0700', '"4-Mar-2024 08:15:02 +0700" is not a date-time like "17-Jul-1996 02:44:25 -0700"'],
    ['17-Jux-1996 02:44:25 -0700', '"Jux" is not a month (Jan, Feb, ... Dec)'],
    ['30-Feb-2024 02:44:25 -0700', 'Feb 2024 has no day 30'],
    ['29-Feb-2023 02:44:25 -0700', 'Feb 2023 has no day 29'],
    ['00-Jan-2024 02:44:25 -0700', 'Jan 2024 has no day 0'],
    ['17-Jul-1996 24:00:00 -0700', '"24:00:00" is not a time of day'],
    ['17-Jul-1996 02:44:25 -0760', '"-0760" is not a zone offset'],
  ])('%j is invalid', (text, message) => {
    expect(() => parseDateTime(text)).toThrow(new ValueSyntaxError(message));
  });

  it('reads SEARCH dates, one or two day digits, month in any case', () => {
    expect(parseSearchDate('1-Feb-2024')).toEqual({ year: 2024, month: 2, day: 1 });
    expect(parseSearchDate('04-mar-2024')).toEqual({ year: 2024, month: 3, day: 4 });
    expect(formatSearchDate({ year: 2024, month: 3, day: 4 })).toBe('4-Mar-2024');
    expect(() => parseSearchDate('2024-03-04')).toThrow(new ValueSyntaxError('"2024-03-04" is not a date like 1-Feb-2024'));
    expect(() => parseSearchDate('31-Apr-2024')).toThrow(new ValueSyntaxError('Apr 2024 has no day 31'));
  });
});

describe('mailbox names (RFC 3501 §5.1.3 modified UTF-7, RFC 6855 UTF-8)', () => {
  it.each([
    ['INBOX', 'INBOX'],
    ['Th&AbA-ng b&AOE-o', 'Th\u01b0ng b\u00e1o'],
    ['&ZeVnLIqe-', '日本語'],
    ['Tom &- Jerry', 'Tom & Jerry'],
    ['&2D3eAQ-', '\u{1F601}'],
    ['~peter/mail/&U,BTFw-/&ZeVnLIqe-', '~peter/mail/台北/日本語'],
  ])('%s decodes to %s and encodes back', (wire, name) => {
    expect(decodeModifiedUtf7(wire)).toBe(name);
    expect(encodeModifiedUtf7(name)).toBe(wire);
  });

  it.each([
    ['&Jjo!', '"&" at 0 starts a modified BASE64 run that no "-" ends (RFC 3501 section 5.1.3)'],
    ['&U/BTFw-', 'Invalid modified BASE64 "&U/BTFw-" at 0: only A-Z a-z 0-9 + , may appear (RFC 3501 section 5.1.3)'],
    ['&AGE-', 'Invalid modified BASE64 "&AGE-" at 0: it encodes "a", which must represent itself (RFC 3501 section 5.1.3)'],
    ['&AG-', 'Invalid modified BASE64 "&AG-" at 0: it is not canonical base64 (RFC 3501 section 5.1.3)'],
    ['&AGF-', 'Invalid modified BASE64 "&AGF-" at 0: it is not canonical base64 (RFC 3501 section 5.1.3)'],
    ['&2D0-', 'Invalid modified BASE64 "&2D0-" at 0: a UTF-16 surrogate is unpaired (RFC 3501 section 5.1.3)'],
    ['&2D3YPQ-', 'Invalid modified BASE64 "&2D3YPQ-" at 0: a UTF-16 surrogate is unpaired (RFC 3501 section 5.1.3)'],
    ['a\tb', 'Character 0x9 cannot appear in a modified UTF-7 mailbox name (RFC 3501 section 5.1.3)'],
  ])('%j is invalid', (wire, message) => {
    expect(() => decodeModifiedUtf7(wire)).toThrow(new ValueSyntaxError(message));
  });

  it('normalises INBOX case-insensitively, never a look-alike, and NFC', () => {
    expect(decodeMailboxName(Buffer.from('inBox'), { utf8: false })).toBe('INBOX');
    expect(decodeMailboxName(Buffer.from('inbox', 'latin1'), { utf8: false, pattern: true })).toBe('inbox');
    expect(decodeMailboxName(Buffer.from('\u0131nbox'), { utf8: true })).toBe('\u0131nbox');
    expect(decodeMailboxName(Buffer.from('ho\u0323p'), { utf8: true })).toBe('h\u1ecdp');
  });

  it('decodes modified UTF-7 unless UTF8=ACCEPT is on, then takes UTF-8 as it is', () => {
    expect(decodeMailboxName(Buffer.from('Th&AbA-ng'), { utf8: false })).toBe('Thưng');
    expect(decodeMailboxName(Buffer.from('Th&AbA-ng'), { utf8: true })).toBe('Th&AbA-ng');
    expect(decodeMailboxName(Buffer.from('Thư mục'), { utf8: true })).toBe('Thư mục');
    expect(encodeMailboxName('Thư & mục', false).toString()).toBe('Th&AbA- &- m&HuU-c');
    expect(encodeMailboxName('Thư & mục', true).toString()).toBe('Thư & mục');
  });

  it.each([
    [Buffer.from('Thư'), false, '8-bit mailbox names need UTF8=ACCEPT; otherwise send modified UTF-7 (RFC 3501 section 5.1.3)'],
    [Buffer.from([0x41, 0xff]), true, 'Mailbox name is not valid UTF-8'],
    [Buffer.from('a\u0085b'), true, 'Mailbox names cannot contain control characters'],
    [Buffer.from('a\u0000b'), true, 'Mailbox names cannot contain control characters'],
  ])('%s (utf8 %s) is refused', (bytes, utf8, message) => {
    expect(() => decodeMailboxName(bytes, { utf8 })).toThrow(new ValueSyntaxError(message));
  });
});

describe('flags (RFC 9051 §9 flag)', () => {
  it.each([
    ['\\seen', '\\Seen'],
    ['\\ANSWERED', '\\Answered'],
    ['$Forwarded', '$Forwarded'],
    ['DaXuLy', 'DaXuLy'],
    ['\\X-Custom', '\\X-Custom'],
  ])('%s → %s', (text, flag) => {
    expect(normalizeFlag(text)).toBe(flag);
  });

  it.each(['\\', 'a]b', '\\a%', 'x*'])('%j is not a flag', (text) => {
    expect(() => normalizeFlag(text)).toThrow(new ValueSyntaxError(`"${text}" is not a flag (a keyword atom, or "\\" and an atom)`));
  });
});
