import { describe, expect, it } from 'vitest';
import { dnParts, normalizeDn, parentDn } from '../../../src/provisioning/ldap-dn.js';
import { formatObjectGuid, LDAP_PRESETS } from '../../../src/provisioning/ldap-presets.js';
import { objectGuidBytes } from '../../../src/provisioning/ldap-bind.js';
import { loadConfig } from '../../../src/config/index.js';

describe('distinguished names (RFC 4514)', () => {
  it('hex-escaped UTF-8, case and spaces after commas compare equal', () => {
    const plain = 'ou=Sở Nội vụ,ou=DonVi,dc=tinh,dc=gov,dc=vn';
    const escaped = 'OU=S\\E1\\BB\\9F N\\E1\\BB\\99i v\\E1\\BB\\A5, OU=DonVi, DC=tinh,DC=gov,DC=vn';
    expect(normalizeDn(escaped)).toBe(normalizeDn(plain));
    expect(normalizeDn(plain.normalize('NFD'))).toBe(normalizeDn(plain));
  });

  it('an escaped comma stays inside its value', () => {
    expect(dnParts('cn=Sở Văn hóa\\, Thể thao,dc=vn')).toEqual(['cn=sở văn hóa, thể thao', 'dc=vn']);
    expect(parentDn('uid=cb1,ou=A\\,B,dc=vn')).toBe('ou=a,b,dc=vn');
    expect(parentDn('dc=vn')).toBeUndefined();
  });
});

describe('Active Directory', () => {
  it('objectGUID bytes read as the usual GUID string (first three fields little-endian)', () => {
    const bytes = Buffer.from('d4b1c2a31f2e4b4d8a9b0c1d2e3f4a5b', 'hex');
    expect(formatObjectGuid(bytes)).toBe('a3c2b1d4-2e1f-4d4b-8a9b-0c1d2e3f4a5b');
    expect(objectGuidBytes('a3c2b1d4-2e1f-4d4b-8a9b-0c1d2e3f4a5b')).toEqual(bytes);
    expect(() => objectGuidBytes('not-a-guid')).toThrow(/is not a GUID/);
  });

  it('the preset names user objects, displayName and objectGUID, and leaves out disabled accounts', () => {
    const ad = LDAP_PRESETS.activeDirectory;
    expect(ad.attributes).toMatchObject({ id: 'objectGUID', fullName: 'displayName' });
    expect(ad.filters.people).toContain('(!(userAccountControl:1.2.840.113556.1.4.803:=2))');
    const config = loadConfig({ env: {}, file: undefined, overrides: { 'provisioning.ldap': { url: 'ldaps://dc1.tinh.gov.vn', preset: 'activeDirectory', people: { baseDn: 'DC=tinh,DC=gov,DC=vn' }, attributes: { mail: 'userPrincipalName' } } } });
    expect(config.provisioning.ldap).toMatchObject({ preset: 'activeDirectory', attributes: { mail: 'userPrincipalName' }, pageSize: 500 });
  });

  it('a bad LDAP URL or an unknown attribute key is refused naming the key', () => {
    expect(() => loadConfig({ env: {}, file: undefined, overrides: { 'provisioning.ldap': { url: 'http://x', people: { baseDn: 'dc=x' } } } })).toThrow(/provisioning\.ldap\.url/);
    expect(() => loadConfig({ env: {}, file: undefined, overrides: { 'provisioning.ldap': { url: 'ldap://x', people: { baseDn: 'dc=x' }, attributes: { phone: 'tel' } } } })).toThrow(/provisioning\.ldap\.attributes/);
  });
});
