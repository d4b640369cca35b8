import { getDomain } from '../../identity/domains.js';
import { domainDnsRecords } from '../../client-setup/domain-records.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

export const dnsCommand: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [name], values) {
    if (!name) throw new CliUsageError('which domain? hopthu dns DOMAIN');
    const domain = await getDomain(rt.db, name);
    const records = domainDnsRecords(rt.config, domain);
    if (values.json) console.log(JSON.stringify(records.records, null, 2));
    else console.log(records.zoneFile);
  },
};
