import { describe, expect, it } from 'vitest';
import { fold, foldForSearch } from '../../../src/mail/fold.js';

describe('fold: case- and diacritic-insensitive text for search', () => {
  it.each([
    ['Nguyễn', 'nguyen'],
    ['NGUYỄN VĂN AN', 'nguyen van an'],
    ['Đặng Thị Thu Hà', 'dang thi thu ha'],
    ['đường', 'duong'],
    ['ĐĐđđ', 'dddd'],
    ['Giấy mời họp', 'giay moi hop'],
    ['Quyết định số 456/QĐ-UBND', 'quyet dinh so 456/qd-ubnd'],
    ['Ủy ban nhân dân tỉnh Yên Bái', 'uy ban nhan dan tinh yen bai'],
    ['ữ ự ừ ứ ử', 'u u u u u'],
    ['ỷ ỹ ỵ ý ỳ', 'y y y y y'],
    ['Ơ Ư ơ ư', 'o u o u'],
    // the same text decomposed (NFD, as windows-1258 writes tone marks) folds the same
    ['ho\u0323p', 'hop'],
    ['Kế hoạch'.normalize('NFD'), 'ke hoach'],
    ['plain ascii 123 <a@b.vn>', 'plain ascii 123 <a@b.vn>'],
    ['Café Zürich Ñandú', 'cafe zurich nandu'],
    ['', ''],
  ])('fold(%j) is %j', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it('search folding also makes every run of white space or control characters one space', () => {
    expect(foldForSearch('(folded)\r\n\tbằng  ký tự\ttab')).toBe('(folded) bang ky tu tab');
    expect(foldForSearch('a\u0000b')).toBe('a b');
  });

  it('is idempotent', () => {
    const text = 'Đề nghị phê duyệt KẾ HOẠCH chuyển đổi số';
    expect(fold(fold(text))).toBe(fold(text));
  });
});
