import { describe, expect, it } from 'vitest';
import { canonicalRights, delegationRights, parseRights, withObsoleteRights, writesAllowed } from '../../../src/imap/acl-rights.js';
import { ImapBad } from '../../../src/imap/errors.js';
import { parseSharedName, sharedName } from '../../../src/imap/mailbox-access.js';

describe('RFC 4314 rights', () => {
  it.each([
    ['lr', 'lr'],
    ['rl', 'lr'],
    ['aetxkpiwsrl', 'lrswipkxtea'],
    // RFC 4314 §2.1.1: the obsolete "c" and "d" stand for their classes
    ['c', 'kx'],
    ['d', 'te'],
    ['lrd', 'lrte'],
    ['', ''],
  ])('parseRights(%j) is %j', (input, expected) => {
    expect(parseRights(input)).toBe(expected);
  });

  it.each(['z', 'lrq', '0', 'lrn'])('parseRights(%j) is BAD: RFC 4314 §3.1 an unrecognized right is never ignored', (input) => {
    expect(() => parseRights(input)).toThrow(ImapBad);
  });

  it.each([
    ['lrswipkxtea', 'lrswipkxteacd'],
    ['lr', 'lr'],
    ['lrsi', 'lrsi'],
    ['lrsie', 'lrsied'],
    ['lrk', 'lrkc'],
  ])('withObsoleteRights(%j) is %j (RFC 4314 §2.1.1)', (input, expected) => {
    expect(withObsoleteRights(input)).toBe(expected);
  });

  it('a delegation to read is read-only; read and send handles the mail; send alone opens nothing', () => {
    expect(delegationRights({ canRead: true, canSend: false })).toBe('lr');
    expect(delegationRights({ canRead: true, canSend: true })).toBe('lrswite');
    expect(delegationRights({ canRead: false, canSend: true })).toBe('');
    expect(writesAllowed('lr')).toBe(false);
    expect(writesAllowed('lri')).toBe(true);
    expect(canonicalRights('lr' + 'rs')).toBe('lrs');
  });
});

describe('the Shared/ namespace', () => {
  it.each([
    ['INBOX', null],
    ['Shared', { kind: 'level' }],
    ['Shared/', { kind: 'level' }],
    ['Shared/VanPhong@yenbai.gov.vn', { kind: 'level' }],
    ['Shared/vanphong@yenbai.gov.vn/', { kind: 'level' }],
    ['Shared/VanPhong@yenbai.gov.vn/INBOX', { kind: 'folder', address: 'vanphong@yenbai.gov.vn', folder: 'INBOX' }],
    ['Shared/vanphong@yenbai.gov.vn/Công văn/Đến', { kind: 'folder', address: 'vanphong@yenbai.gov.vn', folder: 'Công văn/Đến' }],
    ['SharedX/a', null],
    ['shared/vanphong@yenbai.gov.vn/INBOX', null],
  ])('parseSharedName(%j)', (name, expected) => {
    expect(parseSharedName(name)).toEqual(expected);
  });

  it('sharedName joins prefix, owner and folder with the personal delimiter', () => {
    expect(sharedName('vanphong@yenbai.gov.vn', 'Sent')).toBe('Shared/vanphong@yenbai.gov.vn/Sent');
  });
});
