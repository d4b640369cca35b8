import { describe, expect, it } from 'vitest';
import { fetchItemName, type FetchArgs } from '../../../src/imap/protocol/fetch-args.js';
import { parse, syntaxError } from './support.js';

const fetchArgs = async (command: string): Promise<FetchArgs> => (await parse(command)).args as FetchArgs;
const set = (start: number | '*', end: number | '*' = start) => ({ kind: 'set', ranges: [{ start, end }] });

describe('FETCH (RFC 9051 §6.4.5)', () => {
  it.each([
    ['A1 FETCH 1 FLAGS', [{ kind: 'FLAGS' }]],
    ['A1 FETCH 1 (uid rfc822.size FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE)', ['UID', 'RFC822.SIZE', 'FLAGS', 'INTERNALDATE', 'ENVELOPE', 'BODYSTRUCTURE'].map((kind) => ({ kind }))],
    ['A1 FETCH 1 (BODY RFC822 RFC822.HEADER RFC822.TEXT MODSEQ)', ['BODY', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT', 'MODSEQ'].map((kind) => ({ kind }))],
    ['A1 FETCH 1 BODY[]', [{ kind: 'BODY[]', peek: false, section: { part: [], text: null }, partial: null }]],
    ['A1 FETCH 1 body.peek[1.2.MIME]<0.100>', [{ kind: 'BODY[]', peek: true, section: { part: [1, 2], text: { kind: 'MIME' } }, partial: { offset: 0, length: 100 } }]],
    [
      'A1 FETCH 1 (BODY.PEEK[2.HEADER.FIELDS.NOT (SUBJECT FROM)])',
      [{ kind: 'BODY[]', peek: true, section: { part: [2], text: { kind: 'HEADER.FIELDS', not: true, fields: ['SUBJECT', 'FROM'] } }, partial: null }],
    ],
    ['A1 FETCH 1 BINARY[1.2]<5.10>', [{ kind: 'BINARY', peek: false, part: [1, 2], partial: { offset: 5, length: 10 } }]],
    ['A1 FETCH 1 (BINARY.PEEK[] BINARY.SIZE[3])', [{ kind: 'BINARY', peek: true, part: [], partial: null }, { kind: 'BINARY.SIZE', part: [3] }]],
  ])('%s', async (command, items) => {
    expect((await fetchArgs(command)).items).toEqual(items);
  });

  it.each([
    ['FAST', ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE']],
    ['ALL', ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']],
    ['full', ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY']],
  ])('the %s macro expands (RFC 9051 section 6.4.5)', async (macro, kinds) => {
    const args = await fetchArgs(`A1 FETCH 1:* ${macro}`);
    expect(args.macro).toBe(macro.toUpperCase());
    expect(args.items.map((i) => i.kind)).toEqual(kinds);
    expect(args.set).toEqual(set(1, '*'));
  });

  it('UID FETCH implies UID (RFC 9051 §6.4.9); CHANGEDSINCE implies MODSEQ (RFC 7162 §3.1.4)', async () => {
    const args = await fetchArgs('A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)');
    expect(args.items.map((i) => i.kind)).toEqual(['FLAGS', 'UID', 'MODSEQ']);
    expect(args).toMatchObject({ changedSince: 12345, vanished: true });
    const plain = await fetchArgs('A1 FETCH 1 (UID MODSEQ) (CHANGEDSINCE 1)');
    expect(plain.items.map((i) => i.kind)).toEqual(['UID', 'MODSEQ']);
  });

  it('names items as the response does', async () => {
    const args = await fetchArgs('A1 FETCH 1 (BODY.PEEK[header.fields (from Subject)]<10.20> BINARY.PEEK[1]<0.5> BINARY.SIZE[2] RFC822.SIZE BODY[])');
    expect(args.items.map(fetchItemName)).toEqual(['BODY[HEADER.FIELDS (FROM SUBJECT)]<10>', 'BINARY[1]<0>', 'BINARY.SIZE[2]', 'RFC822.SIZE', 'BODY[]']);
  });

  it.each([
    ['A1 FETCH', 'FETCH: expected a sequence set at byte 8, found the end of the command'],
    ['A1 FETCH 1', 'FETCH: expected a fetch attribute (FLAGS, ENVELOPE, BODY[...], ...) at byte 10, found the end of the command'],
    ['A1 FETCH 0 FLAGS', 'FETCH: Invalid sequence set "0": 0 is not a message number (byte 9)'],
    ['A1 FETCH 1 ()', 'FETCH: the fetch attributes cannot be empty (byte 11)'],
    ['A1 FETCH 1 FLAG', 'FETCH: expected a fetch attribute (FLAGS, ENVELOPE, BODY[...], ...) at byte 11, found "FLAG"'],
    ['A1 FETCH 1 (ALL)', 'FETCH: the ALL macro cannot be inside a list (RFC 9051 section 6.4.5) (byte 12)'],
    ['A1 FETCH 1 FLAGS ENVELOPE', 'FETCH: unexpected "ENVELOPE" at byte 17; the command should end there'],
    ['A1 FETCH 1 BODY.PEEK', 'FETCH: BODY.PEEK needs a section in [...] (byte 11)'],
    ['A1 FETCH 1 BODY[0]', 'FETCH: invalid section [0] (RFC 9051 section 6.4.5) (byte 11)'],
    ['A1 FETCH 1 BODY[MIME]', 'FETCH: invalid section [MIME] (RFC 9051 section 6.4.5) (byte 11)'],
    ['A1 FETCH 1 BODY[HEADER.FIELDS ()]', 'FETCH: invalid section [HEADER.FIELDS ()] (RFC 9051 section 6.4.5) (byte 11)'],
    ['A1 FETCH 1 BODY[]<5>', 'FETCH: invalid partial <5>: expected <offset.length> (byte 11)'],
    ['A1 FETCH 1 BODY[]<5.0>', 'FETCH: invalid partial <5.0>: the length cannot be 0 (byte 11)'],
    ['A1 FETCH 1 BINARY[1.TEXT]', 'FETCH: BINARY takes only part numbers in [...], not 1.TEXT (RFC 3516 section 4.2) (byte 11)'],
    ['A1 FETCH 1 BINARY.SIZE[1]<0.5>', 'FETCH: BINARY.SIZE takes no <partial> (RFC 3516 section 4.2) (byte 11)'],
    ['A1 FETCH 1 FLAGS (CHANGEDSINCE)', 'FETCH: expected a mod-sequence value at byte 30, found ")"'],
    ['A1 FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)', 'FETCH: CHANGEDSINCE given twice (byte 33)'],
    ['A1 FETCH 1 FLAGS (FOO)', 'FETCH: expected a fetch modifier (CHANGEDSINCE, VANISHED) at byte 18, found "FOO"'],
    ['A1 FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)', 'FETCH: VANISHED can only be used with UID FETCH (RFC 7162 section 3.2.6) (byte 17)'],
    ['A1 UID FETCH 1 FLAGS (VANISHED)', 'UID FETCH: VANISHED needs CHANGEDSINCE (RFC 7162 section 3.2.6) (byte 21)'],
    ['A1 FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)', 'FETCH: 9223372036854775808 is larger than 2^63-1 (byte 31)'],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});

describe('STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3)', () => {
  it.each([
    ['A1 STORE 1 FLAGS (\\Seen $Junk)', { operation: 'replace', silent: false, flags: ['\\Seen', '$Junk'], unchangedSince: null }],
    ['A1 STORE 1 +FLAGS.SILENT (\\deleted)', { operation: 'add', silent: true, flags: ['\\Deleted'], unchangedSince: null }],
    ['A1 STORE 1 -flags \\Flagged \\Draft', { operation: 'remove', silent: false, flags: ['\\Flagged', '\\Draft'], unchangedSince: null }],
    ['A1 STORE 1 FLAGS ()', { operation: 'replace', silent: false, flags: [], unchangedSince: null }],
    ['A1 STORE 1 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Seen)', { operation: 'add', silent: true, flags: ['\\Seen'], unchangedSince: 0 }],
  ])('%s', async (command, expected) => {
    expect((await parse(command)).args).toEqual({ set: set(1), ...expected });
  });

  it.each([
    ['A1 STORE 1 +FLAGS', 'STORE: expected a flag or a flag list at byte 17, found the end of the command'],
    ['A1 STORE 1 FLAG (\\Seen)', 'STORE: expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT) at byte 11, found "FLAG"'],
    ['A1 STORE 1 +FLAGS.LOUD (\\Seen)', 'STORE: expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT) at byte 11, found "+FLAGS.LOUD"'],
    ['A1 STORE 1 FLAGS (\\Seen %)', 'STORE: "%" is not a flag (a keyword atom, or "\\" and an atom) (byte 24)'],
    ['A1 STORE 1 () FLAGS (\\Seen)', 'STORE: the store modifiers cannot be empty (byte 11)'],
    ['A1 STORE 1 (UNCHANGEDSINCE x) FLAGS ()', 'STORE: expected a mod-sequence value at byte 27, found "x"'],
    ['A1 STORE 1 FLAGS (\\Seen) extra', 'STORE: unexpected "extra" at byte 25; the command should end there'],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});
