import { transaction } from '../../store/db.js';
import { getAccount } from '../../identity/accounts.js';
import { getAgency, getAgencyById } from '../../identity/agencies.js';
import { getDomain, listDomains } from '../../identity/domains.js';
import { createApiToken, listApiTokens, revokeApiToken, type ApiToken } from '../../identity/api-tokens.js';
import { ROLE_NAMES, scopeFrom, type RoleScope } from '../../identity/roles.js';
import { appendAudit } from '../../audit/audit-log.js';
import type { Queryable } from '../../store/db.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

/** --domain, --agency, --account as ids, for the role that needs one (and refusing the ones it does not). */
async function scopeFromFlags(db: Queryable, role: string, values: Record<string, string | boolean | undefined>): Promise<RoleScope> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const needs: Record<string, string | undefined> = { 'domain-admin': 'domain', 'agency-admin': 'agency', user: 'account' };
  for (const name of ['domain', 'agency', 'account']) {
    if (flag(name) !== undefined && needs[role] !== name) throw new CliUsageError(`--${name} does not apply to the ${role} role`);
  }
  const domain = flag('domain');
  const agency = flag('agency');
  const account = flag('account');
  return scopeFrom(role, {
    domainId: domain ? (await getDomain(db, domain)).id : null,
    agencyId: agency ? (await getAgency(db, agency)).id : null,
    accountId: account ? (await getAccount(db, account)).id : null,
  });
}

/** "agency-admin of SNV", in words, for listings and audit events */
async function describeRoleScope(db: Queryable, scope: RoleScope): Promise<string> {
  switch (scope.role) {
    case 'domain-admin':
      return `domain-admin of ${(await listDomains(db)).find((d) => d.id === scope.domainId)?.name ?? scope.domainId}`;
    case 'agency-admin':
      return `agency-admin of ${(await getAgencyById(db, scope.agencyId)).code}`;
    case 'user':
      return `user (account id ${scope.accountId})`;
    default:
      return scope.role;
  }
}

export const tokenCreate: CliCommand = {
  options: {
    name: { type: 'string' }, role: { type: 'string' }, domain: { type: 'string' }, agency: { type: 'string' },
    account: { type: 'string' }, 'expires-days': { type: 'string' },
  },
  needs: 'db',
  async run(rt, _p, values) {
    if (typeof values.name !== 'string') throw new CliUsageError('name the token: --name NAME (it is the actor in the audit log)');
    if (typeof values.role !== 'string') throw new CliUsageError(`give the token a role: --role ${ROLE_NAMES.join('|')}`);
    const daysText = typeof values['expires-days'] === 'string' ? values['expires-days'] : '90';
    if (!/^\d+$/.test(daysText)) throw new CliUsageError(`--expires-days takes a whole number of days, not "${daysText}"`);
    const { token, secret, scopeText } = await transaction(rt.db, async (client) => {
      const scope = await scopeFromFlags(client, values.role as string, values);
      const made = await createApiToken(client, { name: values.name as string, scope, expiresDays: Number(daysText), createdBy: cliActor() });
      const scopeText = await describeRoleScope(client, scope);
      await appendAudit(client, { actor: cliActor(), action: 'api-token.create', target: made.token.name, source: 'cli', data: { role: scopeText, expiresAt: made.token.expiresAt.toISOString() } });
      return { ...made, scopeText };
    });
    console.log(secret);
    console.error(`token ${token.name} (${scopeText}) expires ${token.expiresAt.toISOString()}; it is shown only this once`);
  },
};

export const tokenList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const tokens = await listApiTokens(rt.db);
    const state = (t: ApiToken) => (t.revokedAt ? 'revoked' : t.expiresAt.getTime() <= Date.now() ? 'expired' : 'active');
    const rows = [];
    for (const t of tokens) {
      rows.push({
        name: t.name, role: await describeRoleScope(rt.db, t.scope), state: state(t), expires: t.expiresAt.toISOString(),
        lastUsed: t.lastUsedAt?.toISOString() ?? '', lastIp: t.lastUsedIp ?? '', createdBy: t.createdBy,
      });
    }
    if (values.json) return void console.log(JSON.stringify(rows, null, 2));
    printTable(rows, ['name', 'role', 'state', 'expires', 'lastUsed', 'lastIp', 'createdBy']);
  },
};

export const tokenRevoke: CliCommand = {
  needs: 'db',
  async run(rt, [name]) {
    if (!name) throw new CliUsageError('which token? hopthu token revoke NAME');
    await transaction(rt.db, async (client) => {
      const token = await revokeApiToken(client, name);
      await appendAudit(client, { actor: cliActor(), action: 'api-token.revoke', target: token.name, source: 'cli' });
    });
    console.log(`token ${name} is revoked`);
  },
};
