import { z } from 'zod';
import { addDomainWithNewKey, getDomain, listDomains, type Domain } from '../../identity/domains.js';
import { domainDnsRecords } from '../../client-setup/domain-records.js';
import { defineRoute } from '../route.js';
import { pageInMemory, pageOf, pageQuery } from '../paging.js';
import { domainParam, iso, timestamp } from '../schemas.js';
import { requireDomainInScope } from '../scope.js';

const domainItem = z.strictObject({
  name: z.string(),
  dkim_selector: z.string().nullable(),
  created_at: timestamp,
});
const toItem = (d: Domain) => ({ name: d.name, dkim_selector: d.dkimSelector, created_at: iso(d.createdAt) });

const dnsRecord = z.strictObject({
  purpose: z.string().describe("'mx', 'spf', 'dkim', 'dmarc', 'client-setup' (RFC 6186 SRV records for mail clients)"),
  name: z.string().describe('the owner name, without the trailing dot'),
  type: z.string().describe("'MX', 'TXT' or 'SRV'"),
  ttl: z.number().int(),
  value: z.string().describe('MX and SRV: the target host; TXT: the whole text'),
  priority: z.number().int().optional(),
  weight: z.number().int().optional(),
  port: z.number().int().optional(),
});

const READERS = ['superadmin', 'domain-admin', 'agency-admin'] as const;

export const listDomainsRoute = defineRoute({
  method: 'GET',
  path: '/domains',
  operationId: 'listDomains',
  summary: 'List the local domains',
  tag: 'domains',
  roles: READERS,
  query: z.strictObject({ ...pageQuery }),
  response: pageOf(domainItem),
  async handler({ query, principal, deps }) {
    const scope = principal.scope;
    // a domain admin sees their own domain only
    const domains = (await listDomains(deps.db)).filter((d) => scope.role !== 'domain-admin' || d.id === scope.domainId);
    return pageInMemory(domains, (d) => d.name, query.cursor, query.limit, toItem);
  },
});

export const createDomainRoute = defineRoute({
  method: 'POST',
  path: '/domains',
  operationId: 'createDomain',
  summary: 'Add a local domain (with a new DKIM key)',
  tag: 'domains',
  roles: ['superadmin'],
  body: z.strictObject({ name: z.string().min(1).max(253).describe('the domain; Unicode names are stored in their IDNA form') }),
  response: domainItem,
  status: 201,
  errors: [409],
  async handler({ body, principal, deps, ip }) {
    const domain = await addDomainWithNewKey(deps.db, body.name, { actor: principal.actor, source: ip, data: { via: 'api', role: principal.scope.role } });
    return toItem(domain);
  },
});

export const showDomainRoute = defineRoute({
  method: 'GET',
  path: '/domains/{name}',
  operationId: 'getDomain',
  summary: 'Show a domain with the DNS records to publish for it',
  tag: 'domains',
  roles: READERS,
  params: domainParam,
  response: domainItem.extend({ dns_records: z.array(dnsRecord), zone_file: z.string() }),
  errors: [404],
  async handler({ params, principal, deps }) {
    const domain = await getDomain(deps.db, params.name);
    if (principal.scope.role === 'domain-admin') await requireDomainInScope(deps.db, principal.scope, domain.id, domain.name);
    const dns = domainDnsRecords(deps.config, domain);
    return { ...toItem(domain), dns_records: dns.records, zone_file: dns.zoneFile };
  },
});
