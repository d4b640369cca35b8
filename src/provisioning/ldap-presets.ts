/** What each field of a person, agency or group is called in a directory. */
export interface LdapAttributeMap {
  /** the stable id: survives renames and moves */
  id: string;
  fullName: string;
  surname: string;
  givenName: string;
  mail: string;
  title: string;
  agencyName: string;
  /** a short agency code, when the directory keeps one; made from the name otherwise */
  agencyCode?: string;
  groupName: string;
  groupMail: string;
  member: string;
}

export interface LdapPreset {
  attributes: LdapAttributeMap;
  filters: { people: string; agencies: string; groups: string };
}

export const LDAP_PRESETS: Record<'openldap' | 'activeDirectory', LdapPreset> = {
  // RFC 4530 entryUUID; RFC 2798 inetOrgPerson; RFC 4519 organizationalUnit, groupOfNames
  openldap: {
    attributes: { id: 'entryUUID', fullName: 'cn', surname: 'sn', givenName: 'givenName', mail: 'mail', title: 'title', agencyName: 'ou', groupName: 'cn', groupMail: 'mail', member: 'member' },
    filters: { people: '(objectClass=inetOrgPerson)', agencies: '(objectClass=organizationalUnit)', groups: '(objectClass=groupOfNames)' },
  },
  // objectGUID (binary), user objects; disabled accounts (userAccountControl bit 2) count as gone
  activeDirectory: {
    attributes: { id: 'objectGUID', fullName: 'displayName', surname: 'sn', givenName: 'givenName', mail: 'mail', title: 'title', agencyName: 'ou', groupName: 'cn', groupMail: 'mail', member: 'member' },
    filters: {
      people: '(&(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
      agencies: '(objectClass=organizationalUnit)',
      groups: '(objectClass=group)',
    },
  },
};

/** Active Directory's objectGUID bytes as the usual string (the first three fields are little-endian). */
export function formatObjectGuid(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex');
  const h = (from: number, to: number, reverse: boolean) => {
    const slice = [...bytes.subarray(from, to)];
    return (reverse ? slice.reverse() : slice).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}
