import { transaction } from '../../store/db.js';
import { addDomain, listDomains } from '../../identity/domains.js';
import { normalizeDomain } from '../../identity/address.js';
import { generateDkimKeyPair } from '../../identity/dkim-keys.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

export const domainAdd: CliCommand = {
  name: 'domain add',
  usage: 'hopthu domain add DOMAIN',
  summary: 'add a local mail domain (and make its DKIM key)',
  needs: 'db',
  async run(rt, [name]) {
    if (!name) throw new CliUsageError('which domain? hopthu domain add DOMAIN');
    const ascii = normalizeDomain(name);
    const key = await generateDkimKeyPair(ascii);
    const domain = await transaction(rt.db, async (client) => {
      const d = await addDomain(client, ascii, { selector: key.selector, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem });
      await appendAudit(client, { actor: cliActor(), action: 'domain.add', target: d.name, source: 'cli', data: { dkimSelector: key.selector } });
      return d;
    });
    console.log(`added domain ${domain.name} (DKIM selector ${key.selector}); publish its DNS records: hopthu dns ${domain.name}`);
  },
};

export const domainList: CliCommand = {
  name: 'domain list',
  usage: 'hopthu domain list [--json]',
  summary: 'list the local domains',
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const domains = await listDomains(rt.db);
    const rows = domains.map((d) => ({ name: d.name, dkimSelector: d.dkimSelector, created: d.createdAt.toISOString() }));
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else printTable(rows, ['name', 'dkimSelector', 'created']);
  },
};
