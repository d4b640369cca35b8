/**
 * The DNS records an administrator publishes for a mail domain hosted by hopthu:
 * MX, SPF, DKIM, DMARC and the SRV records mail clients set themselves up from, as data (for the admin API and console) and as zone-file
 * lines (for pasting into BIND-style zones).
 */
import { domainToASCII } from 'node:url';
import { dkimTxtValue } from './dkim-keys.js';

export interface PublishedRecord {
  purpose: 'mx' | 'spf' | 'dkim' | 'dmarc' | 'client-setup' | 'mta-sts' | 'tls-rpt';
  /** Fully qualified owner name, without the trailing dot. */
  name: string;
  type: 'MX' | 'TXT' | 'SRV' | 'CNAME';
  ttl: number;
  /** MX and SRV: the target host; TXT: the whole text, before splitting into strings. */
  value: string;
  /** MX preference; SRV priority. */
  priority?: number;
  /** SRV only */
  weight?: number;
  port?: number;
}

/** The ports mail clients reach this server on (config ports). */
export interface ClientPorts {
  submission: number;
  submissions: number;
  imap: number;
  imaps: number;
}

export interface DnsRecordsInput {
  domain: string;
  /** Our MX host name (config hostname). */
  mxHost: string;
  /** Both or neither: without a key there is no DKIM record to publish. */
  dkimSelector?: string;
  dkimPublicKeyPem?: string;
  /** with these, the RFC 6186 / RFC 8314 SRV records for mail clients */
  clientPorts?: ClientPorts;
  /** the web role serves autoconfig, Autodiscover and the MTA-STS policy: their names, and the policy's id (RFC 8461 §3.1) */
  web?: { mtaStsId: string | null };
  ttl?: number;
}

export function dnsRecordsFor(input: DnsRecordsInput): { records: PublishedRecord[]; zoneFile: string } {
  const domain = asciiName(input.domain);
  const mxHost = asciiName(input.mxHost);
  const ttl = input.ttl ?? 3600;

  const records: PublishedRecord[] = [
    // RFC 5321 §5.1: senders find our server through the domain's MX record
    { purpose: 'mx', name: domain, type: 'MX', ttl, value: mxHost, priority: 10 },
    // RFC 7208 §5.4: only hosts named by the MX may send; §5.1 -all fails the rest
    { purpose: 'spf', name: domain, type: 'TXT', ttl, value: 'v=spf1 mx -all' },
  ];
  if (input.dkimSelector && input.dkimPublicKeyPem) {
    // RFC 6376 §3.6.2.1: the key lives at <selector>._domainkey.<domain>
    records.push({
      purpose: 'dkim',
      name: `${input.dkimSelector}._domainkey.${domain}`,
      type: 'TXT',
      ttl,
      value: dkimTxtValue(input.dkimPublicKeyPem),
    });
  }
  // RFC 7489 §6.3: p=quarantine while the domain gains confidence; rua= for aggregate reports
  records.push({
    purpose: 'dmarc',
    name: `_dmarc.${domain}`,
    type: 'TXT',
    ttl,
    value: `v=DMARC1; p=quarantine; rua=mailto:postmaster@${domain}`,
  });

  if (input.clientPorts) {
    const p = input.clientPorts;
    // RFC 6186 §3.1 (IMAP, submission) and RFC 8314 §5.1 (implicit TLS, preferred: lower priority value)
    const services: Array<[string, number, number]> = [
      ['_submissions._tcp', p.submissions, 0], ['_submission._tcp', p.submission, 10], ['_imaps._tcp', p.imaps, 0], ['_imap._tcp', p.imap, 10],
    ];
    for (const [service, port, priority] of services) {
      records.push({ purpose: 'client-setup', name: `${service}.${domain}`, type: 'SRV', ttl, value: mxHost, priority, weight: 1, port });
    }
  }

  if (input.web) {
    // Thunderbird autoconfig and Outlook Autodiscover look up these names (served by the web role)
    records.push({ purpose: 'client-setup', name: `autoconfig.${domain}`, type: 'CNAME', ttl, value: mxHost });
    records.push({ purpose: 'client-setup', name: `autodiscover.${domain}`, type: 'CNAME', ttl, value: mxHost });
    if (input.web.mtaStsId) {
      // RFC 8461 §3.1: the policy host, and the TXT record whose id changes with the policy
      records.push({ purpose: 'mta-sts', name: `mta-sts.${domain}`, type: 'CNAME', ttl, value: mxHost });
      records.push({ purpose: 'mta-sts', name: `_mta-sts.${domain}`, type: 'TXT', ttl, value: `v=STSv1; id=${input.web.mtaStsId}` });
    }
    // RFC 8460 §3: where sending servers report TLS failures
    records.push({ purpose: 'tls-rpt', name: `_smtp._tls.${domain}`, type: 'TXT', ttl, value: `v=TLSRPTv1; rua=mailto:postmaster@${domain}` });
  }

  return { records, zoneFile: records.map(zoneLine).join('\n') + '\n' };
}

/** One master-file line (RFC 1035 §5.1). */
export function zoneLine(record: PublishedRecord): string {
  const owner = `${record.name}.`;
  const data =
    record.type === 'MX' ? `${record.priority ?? 10} ${record.value}.`
    : record.type === 'SRV' ? `${record.priority ?? 0} ${record.weight ?? 1} ${record.port ?? 0} ${record.value}.` // RFC 2782
    : record.type === 'CNAME' ? `${record.value}.`
    : quotedStrings(record.value);
  return `${owner} ${record.ttl} IN ${record.type} ${data}`;
}

/** RFC 1035 §3.3.14: a TXT character-string holds at most 255 octets; longer text is several strings. */
function quotedStrings(text: string): string {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 255) chunks.push(text.slice(i, i + 255));
  return chunks.map((c) => `"${c.replace(/(["\\])/g, '\\$1')}"`).join(' ');
}

function asciiName(name: string): string {
  const ascii = domainToASCII(name.toLowerCase().replace(/\.$/, ''));
  if (!ascii) throw new Error(`not a valid domain name: ${name}`);
  return ascii;
}
