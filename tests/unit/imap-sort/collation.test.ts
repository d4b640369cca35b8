import { describe, expect, it } from 'vitest';
import { collator, unicodeCasemap, type Collation } from '../../../src/mail/collation.js';

const sorted = (c: Collation, words: string[]) => {
  const coll = collator(c);
  return words.map((w) => ({ w, k: coll.key(w) })).sort((a, b) => coll.compare(a.k, b.k)).map((x) => x.w);
};

const NAMES = ['Vũ Thị Lan', 'Đặng Thị Thu Hà', 'Dương Văn Bình', 'Bùi Minh', 'Báo cáo', 'Bao cao', 'Ân', 'An', 'Ăn', 'Ê-đê', 'Em'];

describe('SORT collations', () => {
  it('vietnamese: Đ after D, Ă and Â after A, tones after the bare letter, case ignored', () => {
    expect(sorted('vietnamese', NAMES)).toEqual(['An', 'Ăn', 'Ân', 'Bao cao', 'Báo cáo', 'Bùi Minh', 'Dương Văn Bình', 'Đặng Thị Thu Hà', 'Em', 'Ê-đê', 'Vũ Thị Lan']);
    const coll = collator('vietnamese');
    expect(coll.compare(coll.key('nguyễn'), coll.key('NGUYỄN'))).toBe(0);
    expect(coll.compare(coll.key('nguyen'), coll.key('nguyễn'))).toBeLessThan(0);
  });

  it('unicode-casemap (Dovecot): code point order of titlecased text, so Đ sorts after Z', () => {
    expect(sorted('unicode-casemap', NAMES)).toEqual(['An', 'Ân', 'Ăn', 'Bao cao', 'Báo cáo', 'Bùi Minh', 'Dương Văn Bình', 'Em', 'Ê-đê', 'Vũ Thị Lan', 'Đặng Thị Thu Hà']);
    expect(unicodeCasemap('họp')).toBe(unicodeCasemap('HỌP'));
  });
});
