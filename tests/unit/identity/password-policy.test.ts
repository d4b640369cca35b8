import { describe, expect, it } from 'vitest';
import { bannedForms, checkPasswordRules, personalWords, type PasswordPolicy } from '../../../src/identity/password-policy.js';

const policy: PasswordPolicy = { minLength: 12, historyCount: 5, maxAgeDays: 0, bannedExtra: ['Sở Nội Vụ Yên Bái'] };
const owner = { address: 'annv@yenbai.gov.vn', displayName: 'Nguyễn Văn An' };

describe('password policy', () => {
  it.each([
    // [password, refusal or undefined]
    ['ngan-qua', 'password-too-short'],
    ['matkhau', 'password-too-short'],
    ['x'.repeat(257), 'password-too-long'],
    ['Mật Khẩu 2024!!', 'password-banned'],
    ['matkhau123456', 'password-banned'],
    ['M@tKh@u@2024!', 'password-banned'],
    ['anhyeuem2024@@', 'password-banned'],
    ['ANHYEUEM123456', 'password-banned'],
    ['1loveyou123456', 'password-banned'],
    ['P@ssw0rd123456', 'password-banned'],
    ['iloveyou!!!!!!', 'password-banned'],
    ['123456789123', 'password-banned'],
    ['123456789012', 'password-banned'],
    ['987654321098', 'password-banned'],
    ['aaaaaaaaaaaa', 'password-banned'],
    ['yenbai@123456', 'password-banned'],
    ['Yên Bái 2025!!', 'password-banned'],
    ['2025-hagiang-2025', 'password-banned'],
    ['matkhaumatkhau', 'password-banned'],
    ['sonoivuyenbai2025', 'password-banned'],
    ['Nguyễn-1990-hoa-mai', 'password-contains-name'],
    ['xe-dap-cua-nguyen', 'password-contains-name'],
    ['nguyenvanan', 'password-too-short'],
    ['Nguyen Van An 79', 'password-contains-name'],
    ['annv-tram-tau-mua-xuan', 'password-contains-address'],
    ['doi-che-yenbai-mua-xuan', 'password-contains-address'],
    ['doi chè xanh mùa xuân', undefined],
    ['correct horse battery staple', undefined],
    ['Tháng5-trời-mưa-rất-to', undefined],
  ] as const)('%s → %s', (password, refusal) => {
    expect(checkPasswordRules(password, policy, owner)?.refusal).toBe(refusal);
  });

  it('says what to do, naming the rule', () => {
    expect(checkPasswordRules('ngan', policy, owner)?.message).toBe('the password has 4 characters; it needs at least 12');
    expect(checkPasswordRules('matkhau@2024!', policy, owner)?.message).toBe('the password is a common one ("matkhau" with small changes); choose words others would not guess');
    expect(checkPasswordRules('nguyen-hoa-mai-99', policy, owner)?.message).toBe('the password contains "nguyen" from the account\'s name; leave your name out of it');
  });

  it('folds the name and the address: diacritics off, parts of 3 letters or more, the name run together', () => {
    expect(personalWords(owner)).toEqual({ name: ['nguyen', 'van', 'nguyenvanan', 'annguyen'], address: ['annv', 'yenbai'] });
    expect(personalWords({ address: 'ha.dtt@so-noivu.yenbai.gov.vn', displayName: 'Đặng Thị Thu Hà' }).name).toContain('dang');
  });

  it('undoes leet and strips digit and symbol suffixes before the lookup', () => {
    expect(bannedForms('P@ssw0rd!2024')).toContain('password');
    expect(bannedForms('Mật-khẩu@@99')).toContain('matkhau');
  });

  it('bannedExtra words are matched like the bundled list', () => {
    expect(checkPasswordRules('So Noi Vu Yen Bai 2025', policy, { address: 'x@example.org', displayName: '' })?.refusal).toBe('password-banned');
  });
});
