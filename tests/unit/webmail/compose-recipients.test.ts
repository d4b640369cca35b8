import { describe, expect, it } from 'vitest';
import { formatMailbox, parseRecipients } from '../../../src/webmail/compose/compose-state.js';

describe('compose recipient fields', () => {
  it.each([
    ['annv@yenbai.gov.vn', [{ name: '', address: 'annv@yenbai.gov.vn' }]],
    ['Nguyễn Văn An <annv@yenbai.gov.vn>, binhtt@yenbai.gov.vn', [{ name: 'Nguyễn Văn An', address: 'annv@yenbai.gov.vn' }, { name: '', address: 'binhtt@yenbai.gov.vn' }]],
    ['"Trần, Thị Bình" <binhtt@yenbai.gov.vn>; c@d.vn', [{ name: 'Trần, Thị Bình', address: 'binhtt@yenbai.gov.vn' }, { name: '', address: 'c@d.vn' }]],
    ['Bình, binhtt@yenbai.gov.vn', [{ name: '', address: 'Bình' }, { name: '', address: 'binhtt@yenbai.gov.vn' }]],
    ['  , ,a@b.vn, ', [{ name: '', address: 'a@b.vn' }]],
    ['', []],
  ])('%j', (text, expected) => {
    expect(parseRecipients(text)).toEqual(expected);
  });

  it('quotes a display name with specials (RFC 5322 §3.4) and reads it back', () => {
    const text = formatMailbox({ name: 'Phòng Tổ chức, Sở Nội vụ', address: 'tochuc@yenbai.gov.vn' });
    expect(text).toBe('"Phòng Tổ chức, Sở Nội vụ" <tochuc@yenbai.gov.vn>');
    expect(parseRecipients(text)).toEqual([{ name: 'Phòng Tổ chức, Sở Nội vụ', address: 'tochuc@yenbai.gov.vn' }]);
    expect(formatMailbox({ name: 'Nguyễn Văn An', address: 'annv@yenbai.gov.vn' })).toBe('Nguyễn Văn An <annv@yenbai.gov.vn>');
  });
});
