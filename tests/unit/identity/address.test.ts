import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeDomain } from '../../../src/identity/address.js';

describe('address normalisation', () => {
  it.each([
    ['AnNV@YenBai.Gov.VN', 'annv@yenbai.gov.vn'],
    ['  annv@yenbai.gov.vn ', 'annv@yenbai.gov.vn'],
    ['an@tỉnh.việtnam', 'an@xn--tnh-dlz.xn--vitnam-jk8b'],
    ['nguyễn@yenbai.gov.vn', 'nguyễn@yenbai.gov.vn'],
    // NFD input (e + combining marks) is stored as NFC
    ['nguye\u0302\u0303n@yenbai.gov.vn', 'nguyễn@yenbai.gov.vn'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    ['no-at-sign', /not an email address/],
    ['@yenbai.gov.vn', /not an email address/],
    ['an@', /not an email address/],
    [`${'a'.repeat(65)}@yenbai.gov.vn`, /longer than 64 octets/],
    ['a b@yenbai.gov.vn', /characters not allowed/],
    ['an@localhost', /not a valid domain/],
    ['an..nv@yenbai.gov.vn', /characters not allowed/],
  ])('refuses %s', (input, message) => {
    expect(() => normalizeAddress(input)).toThrowError(message);
  });

  it('a trailing dot on a domain is dropped', () => {
    expect(normalizeDomain('YenBai.gov.vn.')).toBe('yenbai.gov.vn');
  });
});
