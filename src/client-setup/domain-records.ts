import type { Config } from '../config/index.js';
import type { Domain } from '../identity/domains.js';
import { dnsRecordsFor, type PublishedRecord } from '../identity/dns-records.js';
import { mtaStsId, mtaStsPolicy } from './mta-sts.js';

/**
 * The DNS records to publish for a local domain on this server: its MX, SPF, DKIM key and
 * DMARC, the SRV records mail clients set themselves up from, and the names the web role
 * answers for (autoconfig, Autodiscover, MTA-STS). One answer for the CLI, the API and the console.
 */
export function domainDnsRecords(config: Readonly<Config>, domain: Pick<Domain, 'name' | 'dkimSelector' | 'dkimPublicKey'>): { records: PublishedRecord[]; zoneFile: string } {
  return dnsRecordsFor({
    domain: domain.name,
    mxHost: config.hostname,
    ...(domain.dkimSelector && domain.dkimPublicKey ? { dkimSelector: domain.dkimSelector, dkimPublicKeyPem: domain.dkimPublicKey } : {}),
    clientPorts: config.ports,
    web: { mtaStsId: config.mtaSts.mode === 'none' ? null : mtaStsId(mtaStsPolicy(config.hostname, config.mtaSts.mode, config.mtaSts.maxAgeDays * 86_400)) },
  });
}
