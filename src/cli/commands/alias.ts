import { transaction } from '../../store/db.js';
import { addAlias, listAliases } from '../../identity/aliases.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

export const aliasAdd: CliCommand = {
  needs: 'db',
  async run(rt, [address, ...targets]) {
    if (!address || targets.length === 0) throw new CliUsageError('hopthu alias add ALIAS TARGET [TARGET...]');
    const alias = await transaction(rt.db, async (client) => {
      const a = await addAlias(client, address, targets);
      await appendAudit(client, { actor: cliActor(), action: 'alias.add', target: a.address, source: 'cli', data: { targets: a.targets } });
      return a;
    });
    console.log(`${alias.address} -> ${alias.targets.join(', ')}`);
  },
};

export const aliasList: CliCommand = {
  options: { domain: { type: 'string' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const aliases = await listAliases(rt.db, values.domain as string | undefined);
    if (values.json) return void console.log(JSON.stringify(aliases, null, 2));
    printTable(aliases.map((a) => ({ alias: a.address, targets: a.targets.join(', ') })), ['alias', 'targets']);
  },
};
