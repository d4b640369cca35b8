import { getDomain } from '../../identity/domains.js';
import { dnsRecordsFor } from '../../identity/dns-records.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

export const dnsCommand: CliCommand = {
  name: 'dns',
  usage: 'hopthu dns DOMAIN [--json]',
  summary: 'print the DNS records to publish for a domain (MX, SPF, DKIM, DMARC, client SRV)',
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
    });
    if (values.json) console.log(JSON.stringify(records.records, null, 2));
    else console.log(records.zoneFile);
  },
};
