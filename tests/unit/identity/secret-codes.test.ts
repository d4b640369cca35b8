import { describe, expect, it } from 'vitest';
import { canonicalBase32, groupCode, randomBase32, randomLetters, sha256 } from '../../../src/identity/secret-codes.js';

describe('generated secrets', () => {
  it('random base32 uses Crockford\'s alphabet (no I, L, O, U) and every character of it', () => {
    const text = Array.from({ length: 200 }, () => randomBase32(20)).join('');
    expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]+$/);
    expect(new Set(text).size).toBe(32);
  });

  it('random letters are a-z only, all of them', () => {
    const text = randomLetters(2000);
    expect(text).toMatch(/^[a-z]{2000}$/);
    expect(new Set(text).size).toBe(26);
  });

  it.each([
    ['ABCDE-FGHJK-MNPQR-STVWX', 'ABCDEFGHJKMNPQRSTVWX'],
    ['abcde fghjk mnpqr stvwx', 'ABCDEFGHJKMNPQRSTVWX'],
    ['O0IL1-00000-11111-22222', '00111000001111122222'],
    ['ABCDE-FGHJK-MNPQR-STVW', undefined],
    ['ABCDE-FGHJK-MNPQR-STVWU', undefined],
  ])('what a person typed, %s, reads as %s', (typed, canonical) => {
    expect(canonicalBase32(typed, 20)).toBe(canonical);
  });

  it('groups for reading and hashes with SHA-256', () => {
    expect(groupCode('ABCDEFGHJK', 5)).toBe('ABCDE-FGHJK');
    expect(groupCode('abcdefghijklmnopqrst', 4)).toBe('abcd-efgh-ijkl-mnop-qrst');
    expect(sha256('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
