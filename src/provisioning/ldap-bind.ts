import { EqualityFilter } from 'ldapts';
import { UserError } from '../shared/errors.js';
import { explain, openDirectory, type LdapSourceConfig } from './ldap-connection.js';
import { LDAP_PRESETS } from './ldap-presets.js';

/** The objectGUID string back to its 16 bytes (the first three fields little-endian, as AD stores them). */
export function objectGuidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new UserError('bad-guid', `"${guid}" is not a GUID`);
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}

/**
 * Checks a person's password with the directory itself, by a simple bind as their
 * entry (RFC 4513 §5.1.3), for installations that keep passwords there. The entry is
 * found by the stable id provisioning stored, with the service account. False for a
 * wrong password or an id the directory no longer has; an unreachable directory throws.
 */
export async function checkDirectoryPassword(cfg: LdapSourceConfig, externalId: string, password: string): Promise<boolean> {
  // RFC 4513 §5.1.2: a DN with an empty password is an unauthenticated bind, which servers may let through
  if (password === '') return false;
  const idAttribute = cfg.attributes.id ?? LDAP_PRESETS[cfg.preset].attributes.id;
  const value = idAttribute === 'objectGUID' ? objectGuidBytes(externalId) : externalId;
  const { client } = await openDirectory(cfg);
  let dn: string | undefined;
  try {
    const { searchEntries } = await client
      .search(cfg.people.baseDn, { scope: 'sub', filter: new EqualityFilter({ attribute: idAttribute, value }), attributes: ['1.1'], sizeLimit: 2 })
      .catch((err: unknown) => Promise.reject(explain(err, cfg, 'finding the entry')));
    if (searchEntries.length !== 1) return false;
    dn = searchEntries[0]!.dn;
  } finally {
    await client.unbind().catch(() => {});
  }
  try {
    const { client: asUser } = await openDirectory({ ...cfg, bindDn: dn, bindPassword: password });
    await asUser.unbind().catch(() => {});
    return true;
  } catch (err) {
    // RFC 4511 §4.1.9 invalidCredentials (49)
    if (err instanceof UserError && err.code === 'ldap-bind') return false;
    throw err;
  }
}
