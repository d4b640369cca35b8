import { transaction } from '../../store/db.js';
import { getAccount } from '../../identity/accounts.js';
import { getAgency } from '../../identity/agencies.js';
import { getDomain } from '../../identity/domains.js';
import { GRANTABLE_ROLES, grantRole, listRoleGrants, revokeRole, type RoleGrant } from '../../identity/roles.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { Queryable } from '../../store/db.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

const USAGE_ROLES = 'superadmin | domain-admin --domain D | agency-admin --agency CODE | auditor';
const scopeText = (g: Pick<RoleGrant, 'role' | 'domain' | 'agencyCode'>) => (g.domain ? `${g.role} of ${g.domain}` : g.agencyCode ? `${g.role} of ${g.agencyCode}` : g.role);

async function grantInput(db: Queryable, [address, role]: string[], values: Record<string, string | boolean | undefined>, verb: string) {
  if (!address || !role) throw new CliUsageError(`hopthu role ${verb} ADDRESS ${USAGE_ROLES}`);
  if (!(GRANTABLE_ROLES as readonly string[]).includes(role)) throw new CliUsageError(`"${role}" is not a role to ${verb}; the roles are: ${GRANTABLE_ROLES.join(', ')} (every account is a user already)`);
  if (typeof values.domain === 'string' && role !== 'domain-admin') throw new CliUsageError(`--domain does not apply to the ${role} role`);
  if (typeof values.agency === 'string' && role !== 'agency-admin') throw new CliUsageError(`--agency does not apply to the ${role} role`);
  const account = await getAccount(db, address);
  return {
    account,
    role,
    domainId: typeof values.domain === 'string' ? (await getDomain(db, values.domain)).id : null,
    agencyId: typeof values.agency === 'string' ? (await getAgency(db, values.agency)).id : null,
  };
}

export const roleGrant: CliCommand = {
  options: { domain: { type: 'string' }, agency: { type: 'string' } },
  needs: 'db',
  async run(rt, positionals, values) {
    const grant = await transaction(rt.db, async (client) => {
      const input = await grantInput(client, positionals, values, 'grant');
      const g = await grantRole(client, { accountId: input.account.id, role: input.role, domainId: input.domainId, agencyId: input.agencyId, grantedBy: cliActor() });
      await appendAudit(client, { actor: cliActor(), action: 'role.grant', target: g.address, source: 'cli', data: { after: scopeText(g) } });
      return g;
    });
    console.log(`${grant.address} is now ${scopeText(grant)}`);
  },
};

export const roleRevoke: CliCommand = {
  options: { domain: { type: 'string' }, agency: { type: 'string' } },
  needs: 'db',
  async run(rt, positionals, values) {
    const grant = await transaction(rt.db, async (client) => {
      const input = await grantInput(client, positionals, values, 'revoke');
      const g = await revokeRole(client, { accountId: input.account.id, role: input.role, domainId: input.domainId, agencyId: input.agencyId });
      await appendAudit(client, { actor: cliActor(), action: 'role.revoke', target: g.address, source: 'cli', data: { before: scopeText(g) } });
      return g;
    });
    console.log(`${grant.address} is no longer ${scopeText(grant)}`);
  },
};

export const roleList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    const accountId = address ? (await getAccount(rt.db, address)).id : undefined;
    const grants = await listRoleGrants(rt.db, accountId);
    const rows = grants.map((g) => ({ address: g.address, role: g.role, scope: g.domain ?? g.agencyCode ?? '', grantedBy: g.grantedBy, granted: g.createdAt.toISOString() }));
    if (values.json) return void console.log(JSON.stringify(rows, null, 2));
    printTable(rows, ['address', 'role', 'scope', 'grantedBy', 'granted']);
  },
};
