import { describe, expect, it } from 'vitest';
import { ValueSyntaxError } from '../../../src/imap/protocol/errors.js';
import { isIdleDone, parseSaslResponse } from '../../../src/imap/protocol/misc-args.js';
import { parse, syntaxError } from './support.js';

const one = { kind: 'set', ranges: [{ start: 1, end: 1 }] };

describe('commands with small grammars', () => {
  it.each<[string, unknown]>([
    ['A1 CAPABILITY', {}],
    ['A1 noop', {}],
    ['A1 IDLE', {}],
    ['A1 NAMESPACE', {}],
    ['A1 UNSELECT', {}],
    ['A1 LOGIN an.nv "m\\"at khau"', { username: 'an.nv', password: 'm"at khau' }],
    ['A1 LOGIN {5}\r\nan.nv {5}\r\nmật', { username: 'an.nv', password: 'mật' }],
    ['A1 AUTHENTICATE plain', { mechanism: 'PLAIN', initialResponse: null }],
    ['A1 AUTHENTICATE PLAIN AGFuLm52AHNlY3JldA==', { mechanism: 'PLAIN', initialResponse: Buffer.from('\0an.nv\0secret') }],
    ['A1 AUTHENTICATE EXTERNAL =', { mechanism: 'EXTERNAL', initialResponse: Buffer.alloc(0) }],
    ['A1 ENABLE CONDSTORE qresync UTF8=ACCEPT', { capabilities: ['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT'] }],
    ['A1 ID NIL', { params: null }],
    ['A1 ID ("name" "Thunderbird" "version" NIL)', { params: [['name', 'Thunderbird'], ['version', null]] }],
    ['A1 ID ()', { params: [] }],
    ['A1 CREATE "Th&AbA- m&HuU-c"', { mailbox: 'Thư mục', specialUse: [] }],
    ['A1 CREATE Archive (USE (\\archive \\All))', { mailbox: 'Archive', specialUse: ['\\Archive', '\\All'] }],
    ['A1 DELETE Trash', { mailbox: 'Trash' }],
    ['A1 RENAME "Old" New', { from: 'Old', to: 'New' }],
    ['A1 SUBSCRIBE inbox', { mailbox: 'INBOX' }],
    ['A1 UNSUBSCRIBE Drafts', { mailbox: 'Drafts' }],
    ['A1 COPY 1 Sent', { set: one, mailbox: 'Sent' }],
    ['A1 UID MOVE 1 Trash', { set: one, mailbox: 'Trash' }],
    ['A1 EXPUNGE', { set: null }],
    ['A1 UID EXPUNGE 1', { set: one }],
    ['A1 COMPRESS deflate', { algorithm: 'DEFLATE' }],
    ['A1 GETQUOTA ""', { root: '' }],
    ['A1 GETQUOTAROOT INBOX', { mailbox: 'INBOX' }],
    ['A1 SETQUOTA "" (STORAGE 512 message 1000)', { root: '', limits: [{ resource: 'STORAGE', limit: 512 }, { resource: 'MESSAGE', limit: 1000 }] }],
    ['A1 SETACL INBOX an.nv lrswi', { mailbox: 'INBOX', identifier: 'an.nv', mode: 'replace', rights: 'lrswi' }],
    ['A1 SETACL INBOX an.nv +wx', { mailbox: 'INBOX', identifier: 'an.nv', mode: 'add', rights: 'wx' }],
    ['A1 SETACL INBOX "-anyone" "-l"', { mailbox: 'INBOX', identifier: '-anyone', mode: 'remove', rights: 'l' }],
    ['A1 DELETEACL INBOX an.nv', { mailbox: 'INBOX', identifier: 'an.nv' }],
    ['A1 GETACL INBOX', { mailbox: 'INBOX' }],
    ['A1 LISTRIGHTS INBOX an.nv', { mailbox: 'INBOX', identifier: 'an.nv' }],
    ['A1 MYRIGHTS INBOX', { mailbox: 'INBOX' }],
  ])('%j', async (command, args) => {
    expect((await parse(command)).args).toEqual(args);
  });

  it.each([
    ['A1 LOGIN an.nv', 'LOGIN: expected the password at byte 14, found the end of the command'],
    ['A1 LOGIN (a) b', 'LOGIN: expected the user name at byte 9, found "("'],
    ['A1 AUTHENTICATE', 'AUTHENTICATE: expected a SASL mechanism name at byte 15, found the end of the command'],
    ['A1 AUTHENTICATE PLAIN abc', 'AUTHENTICATE: The SASL response is not valid base64 (byte 22)'],
    ['A1 ENABLE', 'ENABLE: expected a capability name at byte 9, found the end of the command'],
    ['A1 ID', 'ID: expected "(" to start the ID parameter list at byte 5, found the end of the command'],
    ['A1 ID ("name")', 'ID: expected an ID value or NIL at byte 13, found ")"'],
    ['A1 ID (name "x")', 'ID: expected an ID field name at byte 7, found "name"'],
    [`A1 ID ("${'x'.repeat(31)}" NIL)`, 'ID: ID field names are at most 30 octets (RFC 2971 section 3.3) (byte 7)'],
    [`A1 ID (${'"f" NIL '.repeat(31)})`, 'ID: at most 30 ID field-value pairs (RFC 2971 section 3.3) (byte 247)'],
    ['A1 CREATE', 'CREATE: expected a mailbox name at byte 9, found the end of the command'],
    ['A1 CREATE X (USE (\\Foo))', 'CREATE: "\\\\Foo" is not a special-use attribute (RFC 6154 section 2) (byte 18)'],
    ['A1 RENAME Old', 'RENAME: expected the new mailbox name at byte 13, found the end of the command'],
    ['A1 COPY 1', 'COPY: expected the destination mailbox at byte 9, found the end of the command'],
    ['A1 UID EXPUNGE', 'UID EXPUNGE: expected a UID set at byte 14, found the end of the command'],
    ['A1 EXPUNGE 1', 'EXPUNGE: unexpected "1" at byte 11; the command should end there'],
    ['A1 SETACL INBOX an.nv LR', 'SETACL: "LR" is not a set of rights (letters such as lrswipkxtea, RFC 4314 section 2.1) (byte 22)'],
    ['A1 SETQUOTA "" (STORAGE)', 'SETQUOTA: expected a resource limit at byte 23, found ")"'],
    ['A1 SELECT "a\tb"', 'SELECT: Character 0x9 cannot appear in a modified UTF-7 mailbox name (RFC 3501 section 5.1.3) (byte 10)'],
  ])('%j → %s', async (command, message) => {
    expect(await syntaxError(command)).toBe(message);
  });

  it('error texts stay 7-bit: client octets are escaped', async () => {
    expect(await syntaxError(Buffer.from('A1 SEARCH TH\xff\u01b0', 'latin1'))).toBe('SEARCH: expected a search key at byte 10, found "TH\\xff\\xb0"');
    expect(await syntaxError('A1 SEARCH CHARSET UTF-8 BEFORE "Thứ"')).toBe('SEARCH: "Th\\xe1\\xbb\\xa9" is not a date like 1-Feb-2024 (byte 31)');
  });

  it('AUTHENTICATE continuation lines: base64, "*" cancels, empty is empty (RFC 9051 §6.2.2)', () => {
    expect(parseSaslResponse(Buffer.from('dGVzdA=='))).toEqual({ cancel: false, data: Buffer.from('test') });
    expect(parseSaslResponse(Buffer.from('*'))).toEqual({ cancel: true });
    expect(parseSaslResponse(Buffer.from(''))).toEqual({ cancel: false, data: Buffer.alloc(0) });
    expect(() => parseSaslResponse(Buffer.from('dGVzdA='))).toThrow(ValueSyntaxError);
  });

  it('IDLE ends with DONE (RFC 2177 §3)', () => {
    expect(isIdleDone(Buffer.from('DONE'))).toBe(true);
    expect(isIdleDone(Buffer.from('done'))).toBe(true);
    expect(isIdleDone(Buffer.from('A2 NOOP'))).toBe(false);
  });
});
