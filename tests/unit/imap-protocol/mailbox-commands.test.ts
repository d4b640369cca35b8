import { describe, expect, it } from 'vitest';
import { isAppendMessageLiteral, type AppendArgs } from '../../../src/imap/protocol/append-args.js';
import type { LiteralRequest } from '../../../src/imap/protocol/command-reader.js';
import { parseCommand } from '../../../src/imap/protocol/commands.js';
import { ImapSyntaxError } from '../../../src/imap/protocol/errors.js';
import type { ListArgs } from '../../../src/imap/protocol/list-args.js';
import { parse, read, syntaxError } from './support.js';

const noSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
const noReturns = { subscribed: false, children: false, specialUse: false, status: null };

describe('LIST (RFC 9051 §6.3.9, RFC 5258, RFC 5819, RFC 6154)', () => {
  it.each<[string, Partial<ListArgs>]>([
    ['A1 LIST "" *', { reference: '', patterns: ['*'], selection: noSelection, returns: noReturns, extended: false }],
    ['A1 LIST "" ""', { reference: '', patterns: [''], extended: false }],
    ['A1 LIST ~smith/Mail/ foo.*', { reference: '~smith/Mail/', patterns: ['foo.*'] }],
    ['A1 LIST "" %/&AN8-*', { patterns: ['%/ß*'] }],
    ['A1 LIST "" [Gmail]/%', { patterns: ['[Gmail]/%'] }],
    ['A1 LIST "" inbox', { patterns: ['inbox'] }],
    [
      'A1 LIST (SUBSCRIBED RECURSIVEMATCH remote) "" (INBOX "Sent" %) RETURN (CHILDREN SUBSCRIBED)',
      {
        selection: { subscribed: true, remote: true, recursiveMatch: true, specialUse: false },
        patterns: ['INBOX', 'Sent', '%'],
        returns: { subscribed: true, children: true, specialUse: false, status: null },
        extended: true,
      },
    ],
    ['A1 LIST (SPECIAL-USE) "" *', { selection: { ...noSelection, specialUse: true }, extended: true }],
    ['A1 LIST () "" *', { selection: noSelection, extended: true }],
    ['A1 LIST "" % RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN HIGHESTMODSEQ))', { returns: { ...noReturns, specialUse: true, status: ['MESSAGES', 'UNSEEN', 'HIGHESTMODSEQ'] }, extended: true }],
  ])('%s', async (command, expected) => {
    expect((await parse(command)).args).toMatchObject(expected);
  });

  it('takes raw UTF-8 patterns when UTF8=ACCEPT is on', async () => {
    expect(((await parse('A1 LIST "" "Thư mục/*"', { utf8: true })).args as ListArgs).patterns).toEqual(['Thư mục/*']);
  });

  it.each([
    ['A1 LIST ""', 'LIST: expected a mailbox pattern at byte 10, found the end of the command'],
    ['A1 LIST (RECURSIVEMATCH) "" *', 'LIST: RECURSIVEMATCH needs another selection option such as SUBSCRIBED (RFC 5258 section 3) (byte 8)'],
    ['A1 LIST (FOO) "" *', 'LIST: expected a LIST selection option (SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE) at byte 9, found "FOO"'],
    ['A1 LIST "" () ', 'LIST: the mailbox patterns cannot be empty (byte 11)'],
    ['A1 LIST "" * RETURN (FOO)', 'LIST: expected a LIST return option (SUBSCRIBED, CHILDREN, STATUS, SPECIAL-USE) at byte 21, found "FOO"'],
    ['A1 LIST "" * RETURN (STATUS ())', 'LIST: the status items cannot be empty (byte 28)'],
    ['A1 LIST "" * RETURN (STATUS (MESSAGES) STATUS (UNSEEN))', 'LIST: STATUS given twice in RETURN (byte 39)'],
    ['A1 LIST "" * EXTRA', 'LIST: unexpected "EXTRA" at byte 13; the command should end there'],
    ['A1 LIST "" a&b', 'LIST: "&" at 1 starts a modified BASE64 run that no "-" ends (RFC 3501 section 5.1.3) (byte 11)'],
    ['A1 LIST "" a\\b', 'LIST: expected a mailbox pattern at byte 11, found "a\\\\b"'],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });

  it('LSUB reference pattern', async () => {
    expect((await parse('A1 LSUB "#news." comp.mail.*')).args).toEqual({ reference: '#news.', pattern: 'comp.mail.*' });
  });
});

describe('STATUS (RFC 9051 §6.3.11)', () => {
  it('reads every status item', async () => {
    expect((await parse('A1 STATUS inbox (messages UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ)')).args).toEqual({
      mailbox: 'INBOX',
      items: ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'RECENT', 'HIGHESTMODSEQ'],
    });
  });

  it.each([
    ['A1 STATUS INBOX', 'STATUS: expected "(" to start the status items at byte 15, found the end of the command'],
    ['A1 STATUS INBOX ()', 'STATUS: the status items cannot be empty (byte 16)'],
    [
      'A1 STATUS INBOX (MESSAGES FOO)',
      'STATUS: expected a status item (MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, DELETED, SIZE, RECENT, HIGHESTMODSEQ) at byte 26, found "FOO"',
    ],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});

describe('APPEND (RFC 9051 §6.3.12, RFC 3502, RFC 3516, RFC 6855)', () => {
  it('reads flags, date-time and the literal', async () => {
    const args = (await parse('A1 APPEND saved-messages (\\Seen) " 7-Feb-1994 21:52:25 -0800" {5}\r\nhello')).args as AppendArgs;
    expect(args.mailbox).toBe('saved-messages');
    expect(args.messages).toHaveLength(1);
    expect(args.messages[0]).toMatchObject({ flags: ['\\Seen'], data: { kind: 'bytes', bytes: Buffer.from('hello'), binary: false }, utf8: false });
    expect(args.messages[0]?.date?.date.toISOString()).toBe('1994-02-08T05:52:25.000Z');
    expect(args.messages[0]?.date?.offsetMinutes).toBe(-480);
  });

  it('MULTIAPPEND: several messages, each with optional flags and date (RFC 3502 §6)', async () => {
    const args = (await parse('A1 APPEND INBOX {1+}\r\na (\\Draft) {1+}\r\nb "01-Mar-2024 08:00:00 +0700" ~{2+}\r\nc\0 UTF8 (~{1+}\r\nd)')).args as AppendArgs;
    expect(args.messages.map((m) => [m.flags, m.date?.offsetMinutes ?? null, m.data.kind === 'bytes' ? m.data.bytes.toString('latin1') : '', m.data.binary, m.utf8])).toEqual([
      [[], null, 'a', false, false],
      [['\\Draft'], null, 'b', false, false],
      [[], 420, 'c\0', true, false],
      [[], null, 'd', true, true],
    ]);
  });

  it('hands over a streamed message literal', async () => {
    const sink = { write: () => {}, end: () => 'sha256:abc', abort: () => {} };
    const owner = await read('A1 APPEND {5}\r\nINBOX {3}\r\nabc\r\n', (req) => (isAppendMessageLiteral(req) ? { mode: 'stream', sink } : { mode: 'buffer' }));
    const cmd = owner.commands[0];
    if (!cmd) throw new Error('no command');
    expect((parseCommand(cmd).args as AppendArgs).messages[0]?.data).toEqual({ kind: 'streamed', size: 3, binary: false, result: 'sha256:abc' });
  });

  it('tells the message literal apart from a mailbox-name literal', () => {
    const req = (args: LiteralRequest['args'], depth = 0, command = 'APPEND'): LiteralRequest => ({
      tag: 'A1', command, uid: false, size: 9, synchronizing: true, binary: false, args, depth, index: 0,
    });
    const atom = (text: string) => ({ kind: 'atom' as const, pos: 0, text });
    expect(isAppendMessageLiteral(req([]))).toBe(false);
    expect(isAppendMessageLiteral(req([atom('INBOX')]))).toBe(true);
    expect(isAppendMessageLiteral(req([atom('INBOX'), atom('UTF8'), { kind: 'open', pos: 0 }], 1))).toBe(true);
    expect(isAppendMessageLiteral(req([atom('INBOX'), { kind: 'open', pos: 0 }], 1))).toBe(false);
    expect(isAppendMessageLiteral(req([atom('x')], 0, 'LOGIN'))).toBe(false);
  });

  it.each([
    ['A1 APPEND INBOX', 'APPEND: expected the message literal (or a flag list or date-time before it) at byte 15, found the end of the command'],
    ['A1 APPEND INBOX "hello"', 'APPEND: "hello" is not a date-time like "17-Jul-1996 02:44:25 -0700" (byte 16)'],
    ['A1 APPEND INBOX (\\Seen) hello', 'APPEND: expected the message literal (or a flag list or date-time before it) at byte 24, found "hello"'],
    ['A1 APPEND INBOX {1+}\r\na extra', 'APPEND: expected the message literal (or a flag list or date-time before it) at byte 24, found "extra"'],
    ['A1 APPEND INBOX UTF8 ({1+}\r\na)', 'APPEND: UTF8 (...) holds a literal8 ~{n} (RFC 6855 section 4) (byte 22)'],
    ['A1 APPEND ~{5+}\r\nINBOX {1+}\r\na', 'APPEND: a literal8 (~{n}) can only carry an APPEND message, not a mailbox name (RFC 3516 section 4.4) (byte 10)'],
  ])('%j → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});

describe('SELECT/EXAMINE parameters (RFC 7162 §3.1.8, §3.2.5)', () => {
  it.each([
    ['A1 SELECT INBOX', { mailbox: 'INBOX', condstore: false, qresync: null }],
    ['A1 EXAMINE "Th&AbA-"', { mailbox: 'Thư', condstore: false, qresync: null }],
    ['A1 SELECT INBOX (CONDSTORE)', { mailbox: 'INBOX', condstore: true, qresync: null }],
    ['A1 SELECT INBOX (QRESYNC (67890007 90060115194045))', { qresync: { uidValidity: 67890007, modseq: 90060115194045, knownUids: null, seqMatch: null } }],
    // beyond 2^53 a mod-sequence is clamped: no mailbox of ours reaches it, so the meaning is kept
    ['A1 SELECT INBOX (QRESYNC (67890007 9223372036854775807))', { qresync: { uidValidity: 67890007, modseq: Number.MAX_SAFE_INTEGER, knownUids: null, seqMatch: null } }],
    [
      'A1 SELECT INBOX (QRESYNC (67890007 900601151940 41,43:211,214:541 (1:3 41,43:44)))',
      {
        qresync: {
          uidValidity: 67890007,
          modseq: 900601151940,
          knownUids: { kind: 'set', ranges: [{ start: 41, end: 41 }, { start: 43, end: 211 }, { start: 214, end: 541 }] },
          seqMatch: { seqs: { kind: 'set', ranges: [{ start: 1, end: 3 }] }, uids: { kind: 'set', ranges: [{ start: 41, end: 41 }, { start: 43, end: 44 }] } },
        },
      },
    ],
    ['A1 SELECT INBOX (QRESYNC (1 2 (1:3 4:6)))', { qresync: { uidValidity: 1, modseq: 2, knownUids: null, seqMatch: { seqs: { kind: 'set', ranges: [{ start: 1, end: 3 }] }, uids: { kind: 'set', ranges: [{ start: 4, end: 6 }] } } } }],
  ])('%s', async (command, expected) => {
    expect((await parse(command)).args).toMatchObject(expected);
  });

  it.each([
    ['A1 SELECT', 'SELECT: expected a mailbox name at byte 9, found the end of the command'],
    ['A1 SELECT INBOX ()', 'SELECT: the SELECT parameters cannot be empty (byte 16)'],
    ['A1 SELECT INBOX (FOO)', 'SELECT: expected a SELECT parameter (CONDSTORE, QRESYNC) at byte 17, found "FOO"'],
    ['A1 SELECT INBOX (CONDSTORE CONDSTORE)', 'SELECT: CONDSTORE given twice (byte 27)'],
    ['A1 SELECT INBOX (QRESYNC (0 1))', 'SELECT: expected the UIDVALIDITY at byte 26, found "0"'],
    ['A1 SELECT INBOX (QRESYNC (1 2 1:*))', 'SELECT: "*" cannot be used in the known UIDs (byte 30)'],
    ['A1 SELECT INBOX (QRESYNC (1 2 3 4))', 'SELECT: expected ")" to end the QRESYNC parameters at byte 32, found "4"'],
    ['A1 SELECT INBOX extra', 'SELECT: unexpected "extra" at byte 16; the command should end there'],
  ])('%s → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });
});

describe('parseCommand', () => {
  it('refuses unknown commands and UID on commands it cannot prefix', async () => {
    expect(await syntaxError('A1 XYZZY')).toBe('Unknown command "XYZZY"');
    expect(await syntaxError('A1 UID LOGOUT')).toBe('UID cannot prefix LOGOUT (RFC 9051 section 6.4.9)');
    expect(await syntaxError('A1 NOOP now')).toBe('NOOP: unexpected "now" at byte 8; the command should end there');
  });

  it('errors carry the byte position', async () => {
    const { errorOf } = await import('./support.js');
    const err = await errorOf(() => parse('A1 FETCH 1 FLAG'));
    expect(err).toBeInstanceOf(ImapSyntaxError);
    expect((err as ImapSyntaxError).position).toBe(11);
  });
});
