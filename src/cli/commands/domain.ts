import { transaction } from '../../store/db.js';
import { addDomainWithNewKey, getDomain, listDomains, setPasswordSource } from '../../identity/domains.js';
import { PASSWORD_SOURCES, type PasswordSource } from '../../identity/directory-passwords.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

export const domainAdd: CliCommand = {
  needs: 'db',
  async run(rt, [name]) {
    if (!name) throw new CliUsageError('which domain? hopthu domain add DOMAIN');
    const domain = await addDomainWithNewKey(rt.db, name, { actor: cliActor(), source: 'cli' });
    console.log(`added domain ${domain.name} (DKIM selector ${domain.dkimSelector}); publish its DNS records: hopthu dns ${domain.name}`);
  },
};

export const domainList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const domains = await listDomains(rt.db);
    const rows = domains.map((d) => ({ name: d.name, dkimSelector: d.dkimSelector, created: d.createdAt.toISOString() }));
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else printTable(rows, ['name', 'dkimSelector', 'created']);
  },
};

export const domainPasswords: CliCommand = {
  needs: 'db',
  async run(rt, [name, source]) {
    if (!name || !PASSWORD_SOURCES.includes(source as PasswordSource)) throw new CliUsageError('hopthu domain passwords DOMAIN local|directory');
    if (source === 'directory' && !rt.config.provisioning.ldap) {
      throw new CliUsageError('the directory is not configured: set provisioning.ldap (url, bindDn, people) first');
    }
    const domain = await getDomain(rt.db, name);
    await transaction(rt.db, async (client) => {
      await setPasswordSource(client, domain.id, source as PasswordSource);
      await appendAudit(client, { actor: cliActor(), action: 'domain.passwords', target: domain.name, source: 'cli', data: { before: domain.passwordSource, after: source } });
    });
    console.log(source === 'directory'
      ? `${domain.name}: passwords are checked by the directory (accounts need their directory id; app passwords still work)`
      : `${domain.name}: passwords are checked here`);
  },
};
