import type { Entry } from 'ldapts';
import { displayName } from './names.js';
import { ancestorDns, dnParts, normalizeDn } from './ldap-dn.js';
import { formatObjectGuid, LDAP_PRESETS, type LdapAttributeMap } from './ldap-presets.js';
import type { SourceAgency, SourceGroup, SourcePerson, SourceProblem, SourceSnapshot } from './source.js';
import { explain, openDirectory, type LdapSourceConfig } from './ldap-connection.js';

export type { LdapSourceConfig };

function firstValue(entry: Entry, name: string | undefined): string {
  if (!name) return '';
  const v = entry[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined) return '';
  return (Buffer.isBuffer(first) ? first.toString('utf8') : String(first)).normalize('NFC').trim();
}

function allValues(entry: Entry, name: string): string[] {
  const v = entry[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

function stableId(entry: Entry, name: string): string {
  const v = entry[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === '') return '';
  // objectGUID is 16 raw bytes
  return Buffer.isBuffer(first) ? formatObjectGuid(first) : String(first).toLowerCase();
}

/**
 * Reads people, agencies (organizational units) and groups from the directory: StartTLS
 * or ldaps://, simple bind, every search paged (RFC 2696) so a directory larger than
 * the server's size limit comes whole.
 */
export async function readLdap(cfg: LdapSourceConfig): Promise<SourceSnapshot> {
  const preset = LDAP_PRESETS[cfg.preset];
  const attrs: LdapAttributeMap = { ...preset.attributes, ...cfg.attributes };
  const { client } = await openDirectory(cfg);
  const binary = attrs.id === 'objectGUID' ? ['objectGUID'] : [];
  const search = async (base: string, filter: string, attributes: string[], what: string) => {
    try {
      const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: [...new Set(attributes)], paged: { pageSize: cfg.pageSize }, explicitBufferAttributes: binary });
      return searchEntries;
    } catch (err) {
      throw explain(err, cfg, what);
    }
  };
  try {
    const problems: SourceProblem[] = [];

    const agencies: SourceAgency[] = [];
    const agencyIdByDn = new Map<string, string>();
    if (cfg.agencies) {
      const base = normalizeDn(cfg.agencies.baseDn);
      const entries = await search(cfg.agencies.baseDn, cfg.agencies.filter ?? preset.filters.agencies, [attrs.id, attrs.agencyName, ...(attrs.agencyCode ? [attrs.agencyCode] : [])], 'reading agencies');
      for (const e of entries) {
        const dn = normalizeDn(e.dn);
        if (dn === base) continue; // the container of the agencies is not one
        const id = stableId(e, attrs.id);
        if (!id) {
          problems.push({ origin: e.dn, reason: `no ${attrs.id}` });
          continue;
        }
        agencyIdByDn.set(dn, id);
        const code = firstValue(e, attrs.agencyCode);
        agencies.push({ externalId: id, ...(code ? { code } : {}), name: firstValue(e, attrs.agencyName) || (e.dn.split(',')[0] ?? '').replace(/^[^=]*=/, ''), parentExternalId: null, origin: e.dn });
      }
    }
    /** the nearest agency above a DN (given as its normalised parts) */
    const agencyAbove = (parts: readonly string[]): string | null => {
      for (const p of ancestorDns(parts)) {
        const id = agencyIdByDn.get(p);
        if (id) return id;
      }
      return null;
    };
    for (const a of agencies) a.parentExternalId = agencyAbove(dnParts(a.origin));

    const people: SourcePerson[] = [];
    const personIdByDn = new Map<string, string>();
    const entries = await search(cfg.people.baseDn, cfg.people.filter ?? preset.filters.people, [attrs.id, attrs.fullName, attrs.surname, attrs.givenName, attrs.mail, attrs.title], 'reading people');
    for (const e of entries) {
      const id = stableId(e, attrs.id);
      if (!id) {
        problems.push({ origin: e.dn, reason: `no ${attrs.id}` });
        continue;
      }
      const fullName = displayName(firstValue(e, attrs.fullName) || `${firstValue(e, attrs.surname)} ${firstValue(e, attrs.givenName)}`);
      const mail = firstValue(e, attrs.mail);
      const parts = dnParts(e.dn);
      personIdByDn.set(parts.join(','), id);
      people.push({ externalId: id, fullName, ...(mail ? { mail } : {}), title: firstValue(e, attrs.title), agencyExternalId: agencyAbove(parts), origin: e.dn });
    }

    const groups: SourceGroup[] = [];
    if (cfg.groups) {
      const entries = await search(cfg.groups.baseDn, cfg.groups.filter ?? preset.filters.groups, [attrs.id, attrs.groupName, attrs.groupMail, attrs.member], 'reading groups');
      for (const e of entries) {
        const id = stableId(e, attrs.id);
        if (!id) {
          problems.push({ origin: e.dn, reason: `no ${attrs.id}` });
          continue;
        }
        const members = allValues(e, attrs.member).map((m) => personIdByDn.get(normalizeDn(m))).filter((m): m is string => m !== undefined);
        const mail = firstValue(e, attrs.groupMail);
        groups.push({ externalId: id, name: firstValue(e, attrs.groupName), ...(mail ? { mail } : {}), memberExternalIds: [...new Set(members)].sort(), origin: e.dn });
      }
    }
    return { kind: 'ldap', description: `${cfg.url} ${cfg.people.baseDn}`, agencies, people, groups, problems };
  } finally {
    await client.unbind().catch(() => {});
  }
}
