import { getDomain } from '../../identity/domains.js';
import { dnsRecordsFor } from '../../identity/dns-records.js';
import { mtaStsId, mtaStsPolicy } from '../../client-setup/mta-sts.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

export const dnsCommand: CliCommand = {
  name: 'dns',
  usage: 'hopthu dns DOMAIN [--json]',
  summary: 'print the DNS records to publish for a domain (MX, SPF, DKIM, DMARC; SRV, autoconfig, Autodiscover, MTA-STS, TLS-RPT)',
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [name], values) {
    if (!name) throw new CliUsageError('which domain? hopthu dns DOMAIN');
    const domain = await getDomain(rt.db, name);
    const records = dnsRecordsFor({
      domain: domain.name,
      mxHost: rt.config.hostname,
      dkimSelector: domain.dkimSelector ?? undefined,
      dkimPublicKeyPem: domain.dkimPublicKey ?? undefined,
      clientPorts: rt.config.ports,
      web: { mtaStsId: rt.config.mtaSts.mode === 'none' ? null : mtaStsId(mtaStsPolicy(rt.config.hostname, rt.config.mtaSts.mode, rt.config.mtaSts.maxAgeDays * 86_400)) },
    });
    if (values.json) console.log(JSON.stringify(records.records, null, 2));
    else console.log(records.zoneFile);
  },
};
