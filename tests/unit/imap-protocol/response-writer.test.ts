import { describe, expect, it } from 'vitest';
import {
  atom,
  codes,
  continuation,
  dateTimeValue,
  literal,
  literal8,
  mailboxValue,
  raw,
  saslChallenge,
  sequenceSetValue,
  serializeValue,
  tagged,
  untagged,
  untaggedStatus,
  type ImapValue,
} from '../../../src/imap/protocol/response-writer.js';

const s = (b: Buffer) => b.toString('latin1');

describe('values (RFC 9051 §4)', () => {
  it.each<[ImapValue, string]>([
    [42, '42'],
    [null, 'NIL'],
    ['plain', '"plain"'],
    ['say "hi" \\ there', '"say \\"hi\\" \\\\ there"'],
    ['', '""'],
    ['Thư', '{4}\r\nTh\xc6\xb0'],
    [Buffer.from('line\r\nbreak'), '{11}\r\nline\r\nbreak'],
    [atom('\\Seen'), '\\Seen'],
    [[atom('\\Seen'), atom('$Forwarded')], '(\\Seen $Forwarded)'],
    [[], '()'],
    [[1, [2, null], 'x'], '(1 (2 NIL) "x")'],
    [raw(Buffer.from('("pre" "built")')), '("pre" "built")'],
    [literal(Buffer.from('abc')), '{3}\r\nabc'],
    [literal8(Buffer.from('a\0b')), '~{3}\r\na\0b'],
    [dateTimeValue(new Date('1996-07-17T09:44:25Z'), -420), '"17-Jul-1996 02:44:25 -0700"'],
    [sequenceSetValue([1, 2, 3, 5, 7, 8]), '1:3,5,7:8'],
  ])('%# → %j', (value, wire) => {
    expect(s(serializeValue(value))).toBe(wire);
  });

  it('bigint numbers (mod-sequences beyond 2^53)', () => {
    expect(s(serializeValue(9007199254740993n))).toBe('9007199254740993');
  });

  it('mailbox names go out in modified UTF-7, or UTF-8 once enabled', () => {
    expect(s(serializeValue(mailboxValue('Thư & mục', false)))).toBe('"Th&AbA- &- m&HuU-c"');
    // RFC 9051 §4.3, RFC 6855 §3: UTF-8 may be quoted once IMAP4rev2 or UTF8=ACCEPT is on
    expect(serializeValue(mailboxValue('Thư', true)).toString('utf8')).toBe('"Thư"');
    expect(serializeValue(mailboxValue('Hồ "sơ"', true)).toString('utf8')).toBe('"Hồ \\"sơ\\""');
  });
});

describe('responses (RFC 9051 §7)', () => {
  it.each<[Buffer, string]>([
    [tagged('A1', 'OK', 'LOGIN completed'), 'A1 OK LOGIN completed\r\n'],
    [tagged('A1', 'NO', 'Mailbox exists', 'ALREADYEXISTS'), 'A1 NO [ALREADYEXISTS] Mailbox exists\r\n'],
    [tagged('A1', 'OK', 'APPEND completed', codes.appendUid(38505, [3955])), 'A1 OK [APPENDUID 38505 3955] APPEND completed\r\n'],
    [tagged('A1', 'OK', 'APPEND completed', codes.appendUid(38505, [3955, 3956, 3957])), 'A1 OK [APPENDUID 38505 3955:3957] APPEND completed\r\n'],
    [tagged('A1', 'OK', 'Done', codes.copyUid(38505, [304, 319, 320, 321], [3956, 3957, 3958, 3959])), 'A1 OK [COPYUID 38505 304,319:321 3956:3959] Done\r\n'],
    [untaggedStatus('OK', 'Highest', codes.highestModseq(715194045007)), '* OK [HIGHESTMODSEQ 715194045007] Highest\r\n'],
    [untaggedStatus('OK', 'Limited', codes.permanentFlags(['\\Deleted', '\\Seen', '\\*'])), '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n'],
    [tagged('A1', 'NO', 'Unknown charset', codes.badCharset(['UTF-8', 'US-ASCII'])), 'A1 NO [BADCHARSET (UTF-8 US-ASCII)] Unknown charset\r\n'],
    [tagged('A1', 'NO', 'Unknown charset', codes.badCharset()), 'A1 NO [BADCHARSET] Unknown charset\r\n'],
    [tagged('A1', 'OK', 'Conditional STORE failed', codes.modified([7, 9])), 'A1 OK [MODIFIED 7,9] Conditional STORE failed\r\n'],
    [untaggedStatus('OK', 'ready', codes.capability(['IMAP4rev1', 'IMAP4rev2', 'LITERAL+'])), '* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+] ready\r\n'],
    [untaggedStatus('OK', 'Predicted next UID', codes.uidNext(4392)), '* OK [UIDNEXT 4392] Predicted next UID\r\n'],
    [untaggedStatus('BYE', 'Logging out'), '* BYE Logging out\r\n'],
    [tagged('A1', 'BAD', 'multi\r\nline\0text'), 'A1 BAD multi line text\r\n'],
    [tagged('A1', 'BAD', ''), 'A1 BAD Invalid command\r\n'],
    [tagged('A1', 'NO', '[not a code]'), 'A1 NO - [not a code]\r\n'],
    [untagged(172, atom('EXISTS')), '* 172 EXISTS\r\n'],
    [untagged(atom('FLAGS'), [atom('\\Answered'), atom('\\Seen')]), '* FLAGS (\\Answered \\Seen)\r\n'],
    [untagged(atom('SEARCH'), 2, 3, 6), '* SEARCH 2 3 6\r\n'],
    [untagged(12, atom('FETCH'), [atom('UID'), 5, atom('BODY[TEXT]'), Buffer.from('hi\r\n')]), '* 12 FETCH (UID 5 BODY[TEXT] {4}\r\nhi\r\n)\r\n'],
    [untagged(atom('LIST'), [atom('\\HasNoChildren')], '/', mailboxValue('Thư', false)), '* LIST (\\HasNoChildren) "/" "Th&AbA-"\r\n'],
    [continuation(), '+ Ready for literal data\r\n'],
    [continuation('idling'), '+ idling\r\n'],
    [saslChallenge(Buffer.alloc(0)), '+ \r\n'],
    [saslChallenge(Buffer.from('challenge')), '+ Y2hhbGxlbmdl\r\n'],
  ])('%#: %j', (bytes, wire) => {
    expect(s(bytes)).toBe(wire);
  });
});
