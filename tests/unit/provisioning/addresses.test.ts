import { describe, expect, it } from 'vitest';
import { AddressAllocator, type AddressRules } from '../../../src/provisioning/address-allocator.js';
import { localPartCandidates, personLocalPart } from '../../../src/provisioning/address-template.js';
import { nameParts } from '../../../src/provisioning/names.js';

const RULES: AddressRules = { domain: 'tinh.gov.vn', template: '{given}{initials}', agencyTemplate: '{code}', staffGroupTemplate: '{code}.all', collisionSuffixes: ['{n}'], reserved: [] };
const localOf = (fullName: string, template = RULES.template) => {
  const parts = nameParts(fullName);
  return parts ? personLocalPart(template, parts) : undefined;
};

// Real name shapes of the province: Kinh, Tày, Thái, Nùng, Hmông, Dao, Giáy, Sán Chay, Mường.
const NAMES: Array<[string, string]> = [
  ['Nguyễn Văn An', 'annv'],
  ['Đặng Thị Thu Hà', 'hadtt'],
  ['Trần Thị Bích Ngọc', 'ngocttb'],
  ['Lê Hoàng Long', 'longlh'],
  ['Phạm Minh Đức', 'ducpm'],
  ['Vũ Đình Dũng', 'dungvd'],
  ['Bùi Thị Hường', 'huongbt'],
  ['Đỗ Quang Huy', 'huydq'],
  ['Hồ Thị Xuân Hương', 'huonghtx'],
  ['Ngô Bảo Châu', 'chaunb'],
  ['Dương Văn Ước', 'uocdv'],
  ['Trương Thị Ửng', 'ungtt'],
  ['Lý Thị Ơn', 'onlt'],
  ['Huỳnh Tấn Phát', 'phatht'],
  ['Võ Nguyên Giáp', 'giapvn'],
  ['Tôn Nữ Thị Ninh', 'ninhtnt'],
  ['Nguyễn Thị Minh Khai', 'khaintm'],
  ['Phan Bội Châu', 'chaupb'],
  ['Đinh Tiên Hoàng', 'hoangdt'],
  ['Mạc Đĩnh Chi', 'chimd'],
  // Tày, Nùng
  ['Hoàng Văn Nông', 'nonghv'],
  ['Nông Thị Hồng', 'hongnt'],
  ['Ma Văn Kháng', 'khangmv'],
  ['Hà Thị Phượng', 'phuonght'],
  ['Lục Văn Pảo', 'paolv'],
  ['Bế Văn Đàn', 'danbv'],
  ['Lường Văn Chắn', 'chanlv'],
  ['Ma Thị Nguyệt', 'nguyetmt'],
  ['Triệu Thị Slao', 'slaott'],
  ['Hoàng Thị Pắc', 'pacht'],
  // Thái
  ['Lò Văn Xuân', 'xuanlv'],
  ['Cầm Thị Ún', 'unct'],
  ['Quàng Văn Ỏn', 'onqv'],
  ['Lò Thị Ỉn', 'inlt'],
  ['Tòng Văn Khọm', 'khomtv'],
  ['Lường Thị Ọe', 'oelt'],
  ['Vì Văn Ẻn', 'envv'],
  // Hmông
  ['Giàng A Páo', 'paoga'],
  ['Sùng Thị Mỷ', 'myst'],
  ['Thào A Chứ', 'chuta'],
  ['Vàng Mí Sính', 'sinhvm'],
  ['Lầu Seo Chớ', 'chols'],
  ['Hầu A Lềnh', 'lenhha'],
  ['Sùng Mí-Sính', 'misinhs'],
  ['Mua A Dủa', 'duama'],
  ['Ly Seo Dìn', 'dinls'],
  ['Giàng Thị Dợ', 'dogt'],
  // Dao
  ['Đặng Văn Quẩy', 'quaydv'],
  ['Triệu Tài Vinh', 'vinhtt'],
  ['Bàn Văn Tẩn', 'tanbv'],
  ['Lý Láo Lở', 'loll'],
  ['Chảo Thị Mẩy', 'mayct'],
  ['Đặng Thị Mùi', 'muidt'],
  // Giáy, Sán Chay, Mường
  ['Lù Văn Sèng', 'senglv'],
  ['Sầm Văn Đọi', 'doisv'],
  ['Bùi Văn Nọi', 'noibv'],
  // single words, extra spaces, case, stray characters
  ['Páo', 'pao'],
  ['  Nguyễn   Văn    An  ', 'annv'],
  ['NGUYỄN VĂN AN', 'annv'],
  ['nguyễn văn an', 'annv'],
  ['Nguyễn\tVăn\nAn', 'annv'],
  ['Lê Thị Thu Trang (Phó)', 'trangltt'],
  ['Nguyễn Văn An (phòng Tổ chức)', 'annv'],
  ["K'Sor H'Nhi", 'hnhik'],
];

describe('address from a Vietnamese name ({given}{initials})', () => {
  it('has at least 50 name shapes under test', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(NAMES)('%s → %s', (name, expected) => {
    expect(localOf(name)).toBe(expected);
  });

  it.each(NAMES)('the NFD spelling of %s gives the same address as NFC', (name, expected) => {
    const nfd = name.normalize('NFD');
    expect(nfd === name.normalize('NFC') ? expected : localOf(nfd)).toBe(expected);
  });

  it('đ and Đ fold to d', () => {
    expect(localOf('Đỗ Đức Đạt')).toBe('datdd');
  });

  it('a name with nothing to fold into letters gives no address', () => {
    expect(nameParts('   ')).toBeUndefined();
    expect(nameParts('— ?')).toBeUndefined();
    expect(new AddressAllocator(RULES, []).forPerson('')).toBeUndefined();
  });

  it('other templates: {given}.{surname}, {surname}{middle}{given}, {given}{initials}.{agency}', () => {
    expect(localOf('Đặng Thị Thu Hà', '{given}.{surname}')).toBe('ha.dang');
    expect(localOf('Giàng A Páo', '{surname}{middle}{given}')).toBe('giangapao');
    expect(personLocalPart('{given}{initials}.{agency}', nameParts('Nguyễn Văn An')!, 'SNV')).toBe('annv.snv');
    expect(localOf('Páo', '{given}.{surname}')).toBe('pao');
  });

  it('a local part is cut to 64 octets (RFC 5321 §4.5.3.1.1)', () => {
    const long = `Nguyễn Văn ${'A'.repeat(80)}`;
    expect(localOf(long)!.length).toBe(64);
    const candidates = [...take(localPartCandidates('a'.repeat(64), ['{n}']), 3)];
    expect(candidates.map((c) => c.length)).toEqual([64, 64, 64]);
    expect(candidates[1]!.endsWith('2')).toBe(true);
  });
});

function* take<T>(it: Iterable<T>, n: number) {
  if (n <= 0) return;
  for (const x of it) {
    yield x;
    if (--n <= 0) return;
  }
}

describe('address allocation', () => {
  it('collisions get the next number: the Hmông name shared by many people', () => {
    const alloc = new AddressAllocator(RULES, []);
    const got = Array.from({ length: 4 }, () => alloc.forPerson('Giàng A Páo'));
    expect(got).toEqual(['paoga@tinh.gov.vn', 'paoga2@tinh.gov.vn', 'paoga3@tinh.gov.vn', 'paoga4@tinh.gov.vn']);
  });

  it('the agency code as collision suffix, then numbers', () => {
    const alloc = new AddressAllocator({ ...RULES, collisionSuffixes: ['.{agency}'] }, []);
    expect(alloc.forPerson('Nguyễn Văn An', 'SNV')).toBe('annv@tinh.gov.vn');
    expect(alloc.forPerson('Nguyễn Văn An', 'SNV')).toBe('annv.snv@tinh.gov.vn');
    expect(alloc.forPerson('Nguyễn Văn An', 'STC')).toBe('annv.stc@tinh.gov.vn');
    expect(alloc.forPerson('Nguyễn Văn An', 'SNV')).toBe('annv.snv2@tinh.gov.vn');
  });

  it('several suffixes are tried in order', () => {
    const alloc = new AddressAllocator({ ...RULES, collisionSuffixes: ['.{agency}', '.{agency}{n}'] }, ['annv@tinh.gov.vn']);
    expect(alloc.forPerson('Nguyễn Văn An', 'SNV')).toBe('annv.snv@tinh.gov.vn');
    expect(alloc.forPerson('Nguyễn Văn An', 'SNV')).toBe('annv.snv2@tinh.gov.vn');
  });

  it('is deterministic: the same requests in the same order give the same addresses', () => {
    const names = ['Nguyễn Văn An', 'Nguyễn Văn An', 'Ngô Văn An', 'Sùng Thị Mỷ', 'Sùng Thị Mỷ'.normalize('NFD')];
    const run = () => {
      const alloc = new AddressAllocator(RULES, ['annv@tinh.gov.vn']);
      return names.map((n) => alloc.forPerson(n));
    };
    expect(run()).toEqual(run());
    expect(run()).toEqual(['annv2@tinh.gov.vn', 'annv3@tinh.gov.vn', 'annv4@tinh.gov.vn', 'myst@tinh.gov.vn', 'myst2@tinh.gov.vn']);
  });

  it('reserved local parts are never given, the built-in ones and configured ones', () => {
    const alloc = new AddressAllocator({ ...RULES, reserved: ['vanthu'], template: '{given}' }, []);
    for (const name of ['Admin', 'Root', 'Postmaster', 'Abuse', 'Hostmaster', 'Webmaster', 'Noreply']) {
      expect(alloc.forPerson(`Nguyễn Văn ${name}`)).toBe(`${name.toLowerCase()}2@tinh.gov.vn`);
    }
    expect(alloc.forPerson('Lê Văn Thư')).toBe('thu@tinh.gov.vn');
    expect(alloc.forPerson('Vanthu')).toBe('vanthu2@tinh.gov.vn');
    expect(alloc.forAgency('ADMIN')).toBe('admin3@tinh.gov.vn');
  });

  it('addresses in use or held are skipped; a claimed address is skipped afterwards', () => {
    const alloc = new AddressAllocator(RULES, ['annv@tinh.gov.vn', 'annv2@tinh.gov.vn']);
    alloc.claim('annv3@tinh.gov.vn');
    expect(alloc.forPerson('Nguyễn Văn An')).toBe('annv4@tinh.gov.vn');
    expect(alloc.isFree('annv5@tinh.gov.vn')).toBe(true);
    expect(alloc.isFree('postmaster@tinh.gov.vn')).toBe(false);
  });

  it('agency mailboxes share the address space with people', () => {
    const alloc = new AddressAllocator(RULES, []);
    expect(alloc.forAgency('SNV')).toBe('snv@tinh.gov.vn');
    expect(alloc.forPerson('Sầm Nguyễn Vũ', 'SNV')).toBe('vusn@tinh.gov.vn');
    expect(alloc.forAgency('UBND-VY.XA')).toBe('ubnd-vy.xa@tinh.gov.vn');
    expect(alloc.forStaffGroup('SNV')).toBe('snv.all@tinh.gov.vn');
  });

  it('a template with an unknown token is refused, naming it', () => {
    expect(() => new AddressAllocator({ ...RULES, template: '{given}{lastname}' }, [])).toThrow(/unknown token \{lastname\}/);
  });
});
