import { describe, expect, it } from 'vitest';
import { ImapBadCharsetError } from '../../../src/imap/protocol/errors.js';
import type { SearchArgs, SearchKey } from '../../../src/imap/protocol/search-args.js';
import type { SortArgs, ThreadArgs } from '../../../src/imap/protocol/sort-thread-args.js';
import { IMAP_LIMITS } from '../../../src/shared/limits.js';
import { errorOf, parse, syntaxError } from './support.js';

const search = async (command: string | Buffer, utf8 = false): Promise<SearchArgs> => (await parse(command, { utf8 })).args as SearchArgs;
const key = async (keys: string | Buffer): Promise<SearchKey> =>
  (await search(typeof keys === 'string' ? `A1 SEARCH ${keys}` : Buffer.concat([Buffer.from('A1 SEARCH '), keys]))).search;

const flag = (f: string, set = true): SearchKey => ({ kind: 'flag', flag: f as '\\Seen', set });

describe('SEARCH keys (RFC 9051 §6.4.4)', () => {
  it.each<[string, SearchKey]>([
    ['ALL', { kind: 'all' }],
    ['answered', flag('\\Answered')],
    ['UNANSWERED', flag('\\Answered', false)],
    ['DELETED', flag('\\Deleted')],
    ['UNDELETED', flag('\\Deleted', false)],
    ['DRAFT', flag('\\Draft')],
    ['UNDRAFT', flag('\\Draft', false)],
    ['FLAGGED', flag('\\Flagged')],
    ['UNFLAGGED', flag('\\Flagged', false)],
    ['SEEN', flag('\\Seen')],
    ['UNSEEN', flag('\\Seen', false)],
    ['RECENT', flag('\\Recent')],
    ['OLD', flag('\\Recent', false)],
    ['NEW', { kind: 'and', keys: [flag('\\Recent'), flag('\\Seen', false)] }],
    ['KEYWORD $Forwarded', { kind: 'keyword', keyword: '$Forwarded', set: true }],
    ['UNKEYWORD DaXuLy', { kind: 'keyword', keyword: 'DaXuLy', set: false }],
    ['FROM ha.dtt', { kind: 'header', key: 'FROM', field: 'From', value: 'ha.dtt' }],
    ['TO "Ban Giam doc"', { kind: 'header', key: 'TO', field: 'To', value: 'Ban Giam doc' }],
    ['CC ns1@stc', { kind: 'header', key: 'CC', field: 'Cc', value: 'ns1@stc' }],
    ['BCC testuser', { kind: 'header', key: 'BCC', field: 'Bcc', value: 'testuser' }],
    ['SUBJECT ""', { kind: 'header', key: 'SUBJECT', field: 'Subject', value: '' }],
    ['HEADER Message-ID "<kh@vp>"', { kind: 'header', key: 'HEADER', field: 'Message-ID', value: '<kh@vp>' }],
    ['BODY vanthu', { kind: 'text', key: 'BODY', value: 'vanthu' }],
    ['TEXT "bang luong"', { kind: 'text', key: 'TEXT', value: 'bang luong' }],
    ['BEFORE 4-Mar-2024', { kind: 'date', key: 'BEFORE', date: { year: 2024, month: 3, day: 4 } }],
    ['ON "04-Mar-2024"', { kind: 'date', key: 'ON', date: { year: 2024, month: 3, day: 4 } }],
    ['SINCE 1-jan-2024', { kind: 'date', key: 'SINCE', date: { year: 2024, month: 1, day: 1 } }],
    ['SENTBEFORE 01-Jan-1970', { kind: 'date', key: 'SENTBEFORE', date: { year: 1970, month: 1, day: 1 } }],
    ['SENTON 2-Mar-2024', { kind: 'date', key: 'SENTON', date: { year: 2024, month: 3, day: 2 } }],
    ['SENTSINCE 8-Mar-2024', { kind: 'date', key: 'SENTSINCE', date: { year: 2024, month: 3, day: 8 } }],
    ['LARGER 5000', { kind: 'size', key: 'LARGER', octets: 5000 }],
    ['SMALLER 300', { kind: 'size', key: 'SMALLER', octets: 300 }],
    ['OLDER 3600', { kind: 'within', key: 'OLDER', seconds: 3600 }],
    ['YOUNGER 60', { kind: 'within', key: 'YOUNGER', seconds: 60 }],
    ['MODSEQ 620162338', { kind: 'modseq', modseq: 620162338, entry: null }],
    ['MODSEQ "/flags/\\\\draft" all 620162338', { kind: 'modseq', modseq: 620162338, entry: { name: '/flags/\\draft', type: 'all' } }],
    ['1:10', { kind: 'seq', set: { kind: 'set', ranges: [{ start: 1, end: 10 }] } }],
    ['*', { kind: 'seq', set: { kind: 'set', ranges: [{ start: '*', end: '*' }] } }],
    ['$', { kind: 'seq', set: { kind: 'saved' } }],
    ['UID 5,7,9:11', { kind: 'uid', set: { kind: 'set', ranges: [{ start: 5, end: 5 }, { start: 7, end: 7 }, { start: 9, end: 11 }] } }],
    ['UID $', { kind: 'uid', set: { kind: 'saved' } }],
    ['NOT SEEN', { kind: 'not', key: flag('\\Seen') }],
    ['OR FLAGGED ANSWERED', { kind: 'or', left: flag('\\Flagged'), right: flag('\\Answered') }],
    ['OR OR DRAFT DELETED SEEN', { kind: 'or', left: { kind: 'or', left: flag('\\Draft'), right: flag('\\Deleted') }, right: flag('\\Seen') }],
    ['(SEEN)', flag('\\Seen')],
    ['(SEEN FLAGGED) DRAFT', { kind: 'and', keys: [{ kind: 'and', keys: [flag('\\Seen'), flag('\\Flagged')] }, flag('\\Draft')] }],
    ['NOT (FROM a TO b)', { kind: 'not', key: { kind: 'and', keys: [{ kind: 'header', key: 'FROM', field: 'From', value: 'a' }, { kind: 'header', key: 'TO', field: 'To', value: 'b' }] } }],
  ])('%s', async (text, expected) => {
    expect(await key(text)).toEqual(expected);
  });

  it('decodes strings from the CHARSET; none or US-ASCII is taken as UTF-8', async () => {
    const hop = Buffer.from('h\u1ecdp');
    const lit = (b: Buffer) => Buffer.concat([Buffer.from(`{${b.length}}\r\n`), b]);
    expect(await search(Buffer.concat([Buffer.from('A1 SEARCH CHARSET UTF-8 SUBJECT '), lit(hop)]))).toEqual({
      return: null,
      charset: 'UTF-8',
      search: { kind: 'header', key: 'SUBJECT', field: 'Subject', value: 'họp' },
    });
    expect((await key(Buffer.concat([Buffer.from('SUBJECT '), lit(hop)]))) ).toMatchObject({ value: 'họp' });
    expect(await search(Buffer.concat([Buffer.from('A1 SEARCH CHARSET US-ASCII BODY '), lit(hop)]))).toMatchObject({ search: { value: 'họp' } });
    const cp1258 = await search(Buffer.concat([Buffer.from('A1 SEARCH CHARSET "windows-1258" SUBJECT '), lit(Buffer.from('686ff270', 'hex'))]));
    expect(cp1258.search).toMatchObject({ value: 'ho\u0323p' });
  });

  it('an unknown CHARSET is NO [BADCHARSET], not BAD (RFC 9051 §6.4.4)', async () => {
    const err = await errorOf(() => parse('A1 SEARCH CHARSET X-UNKNOWN SUBJECT x'));
    expect(err).toBeInstanceOf(ImapBadCharsetError);
    expect((err as ImapBadCharsetError).charset).toBe('X-UNKNOWN');
  });

  it('with UTF8=ACCEPT, a CHARSET other than UTF-8 conflicts (RFC 6855 §3)', async () => {
    expect(await syntaxError('A1 SEARCH CHARSET ISO-8859-1 ALL', { utf8: true })).toBe('SEARCH: CHARSET ISO-8859-1 conflicts with UTF8=ACCEPT (RFC 6855 section 3) (byte 18)');
    expect((await search('A1 SEARCH CHARSET UTF-8 ALL', true)).charset).toBe('UTF-8');
  });

  it.each<[string, Partial<SearchArgs['return'] & object>]>([
    ['RETURN (MIN MAX COUNT) UNSEEN', { min: true, max: true, count: true, all: false, save: false }],
    ['RETURN (ALL) FLAGGED', { all: true, min: false }],
    ['RETURN () SEEN', { all: true }], // RFC 4731 §3.1: () is (ALL)
    ['RETURN (SAVE) SEEN', { save: true, all: false }],
  ])('ESEARCH %s (RFC 4731 §3.1, RFC 5182 §2)', async (text, ret) => {
    expect((await search(`A1 SEARCH ${text}`)).return).toMatchObject(ret);
  });

  it('reads a deep but bounded OR chain without recursion trouble', async () => {
    const depth = IMAP_LIMITS.searchDepth;
    const k = await key(`${'OR SEEN '.repeat(depth)}DRAFT`);
    expect(k.kind).toBe('or');
    expect(await syntaxError(`A1 SEARCH ${'NOT '.repeat(depth + 1)}SEEN`)).toBe(
      `SEARCH: search keys nested deeper than ${depth} levels (byte ${10 + 4 * (depth + 1)})`,
    );
  });

  it.each([
    ['A1 SEARCH', 'SEARCH: expected a search key at byte 9, found the end of the command'],
    ['A1 SEARCH FOO', 'SEARCH: unknown search key "FOO" (byte 10)'],
    ['A1 SEARCH SUBJECT', 'SEARCH: expected the SUBJECT string at byte 17, found the end of the command'],
    ['A1 SEARCH SUBJECT (x)', 'SEARCH: expected the SUBJECT string at byte 18, found "("'],
    ['A1 SEARCH BEFORE 2024-03-04', 'SEARCH: "2024-03-04" is not a date like 1-Feb-2024 (byte 17)'],
    ['A1 SEARCH ON 30-Feb-2024', 'SEARCH: Feb 2024 has no day 30 (byte 13)'],
    ['A1 SEARCH LARGER -1', 'SEARCH: expected a size in octets after LARGER at byte 17, found "-1"'],
    ['A1 SEARCH OLDER 0', 'SEARCH: expected a number of seconds after OLDER at byte 16, found "0"'],
    ['A1 SEARCH KEYWORD \\Seen', 'SEARCH: expected a keyword after KEYWORD at byte 18, found "\\\\Seen"'],
    ['A1 SEARCH OR SEEN', 'SEARCH: expected a search key at byte 17, found the end of the command'],
    ['A1 SEARCH NOT', 'SEARCH: expected a search key at byte 13, found the end of the command'],
    ['A1 SEARCH ()', 'SEARCH: the search key group cannot be empty (byte 10)'],
    ['A1 SEARCH UID x', 'SEARCH: Invalid sequence set "x": "x" is not a number (byte 14)'],
    ['A1 SEARCH 1,,2', 'SEARCH: Invalid sequence set "1,,2": an empty element (byte 10)'],
    ['A1 SEARCH RETURN (FOO) ALL', 'SEARCH: expected a RETURN option (MIN, MAX, ALL, COUNT, SAVE) at byte 18, found "FOO"'],
    ['A1 SEARCH RETURN (MIN MIN) ALL', 'SEARCH: RETURN option MIN given twice (byte 22)'],
    ['A1 SEARCH MODSEQ "/x" all 5', 'SEARCH: MODSEQ entry "/x" is not "/flags/<flag>" (byte 17)'],
    ['A1 SEARCH MODSEQ "/flags/\\\\Seen" both 5', 'SEARCH: expected the entry type (PRIV, SHARED, ALL) at byte 33, found "both"'],
    ['A1 SEARCH CHARSET', 'SEARCH: expected a charset name at byte 17, found the end of the command'],
    ['A1 SEARCH ALL)', 'Unbalanced ")" at byte 13'],
  ])('%s → %s', async (command, message) => {
    if (message.startsWith('Unbalanced')) {
      await expect(parse(command)).rejects.toThrow(`not read as a command`);
      return;
    }
    expect(await syntaxError(command)).toBe(message);
  });
});

describe('SORT and THREAD (RFC 5256, RFC 5267, RFC 5957)', () => {
  it('reads criteria, REVERSE, charset and search keys', async () => {
    const args = (await parse('A1 UID SORT (REVERSE DATE subject DISPLAYFROM REVERSE DISPLAYTO) UTF-8 SINCE 6-Mar-2024 FLAGGED')).args as SortArgs;
    expect(args).toEqual({
      return: null,
      criteria: [
        { key: 'DATE', reverse: true },
        { key: 'SUBJECT', reverse: false },
        { key: 'DISPLAYFROM', reverse: false },
        { key: 'DISPLAYTO', reverse: true },
      ],
      charset: 'UTF-8',
      search: { kind: 'and', keys: [{ kind: 'date', key: 'SINCE', date: { year: 2024, month: 3, day: 6 } }, flag('\\Flagged')] },
    });
  });

  it.each(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'])('sort key %s', async (k) => {
    expect(((await parse(`A1 SORT (${k}) US-ASCII ALL`)).args as SortArgs).criteria).toEqual([{ key: k, reverse: false }]);
  });

  it('ESORT RETURN (RFC 5267 §3.2)', async () => {
    const args = (await parse('A1 SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL')).args as SortArgs;
    expect(args.return).toMatchObject({ min: true, max: true, count: true });
  });

  it('an unknown sort charset is NO [BADCHARSET]', async () => {
    expect(await errorOf(() => parse('A1 SORT (DATE) X-UNKNOWN ALL'))).toBeInstanceOf(ImapBadCharsetError);
  });

  it('THREAD takes any algorithm name, upper-cased', async () => {
    expect((await parse('A1 UID THREAD refs UTF-8 ALL')).args as ThreadArgs).toEqual({ algorithm: 'REFS', charset: 'UTF-8', search: { kind: 'all' } });
  });

  it.each([
    ['A1 SORT () UTF-8 ALL', 'SORT: the sort criteria cannot be empty (byte 8)'],
    ['A1 SORT (REVERSE) UTF-8 ALL', 'SORT: expected a sort key (ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO) at byte 16, found ")"'],
    ['A1 SORT (SENDER) UTF-8 ALL', 'SORT: expected a sort key (ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO) at byte 9, found "SENDER"'],
    ['A1 SORT (DATE) ALL', 'SORT: expected a search key at byte 18, found the end of the command'],
    ['A1 SORT DATE UTF-8 ALL', 'SORT: expected "(" to start the sort criteria at byte 8, found "DATE"'],
    ['A1 THREAD REFERENCES', 'THREAD: expected a charset name at byte 20, found the end of the command'],
    ['A1 THREAD (REFERENCES) UTF-8 ALL', 'THREAD: expected a threading algorithm (REFERENCES, ORDEREDSUBJECT) at byte 10, found "("'],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});
