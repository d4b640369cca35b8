import { transaction } from '../../store/db.js';
import { getAccount } from '../../identity/accounts.js';
import { agencySubtreeIds, getAgency } from '../../identity/agencies.js';
import { setAccountPassword } from '../../identity/password-change.js';
import { createActivationCodes } from '../../identity/activation.js';
import { createAppPassword, listAppPasswords, parseScopes, revokeAppPassword } from '../../identity/app-passwords.js';
import { disableTotp } from '../../identity/totp.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable, readPasswordFromStdin } from '../io.js';
import type { CliCommand } from './command.js';

const byCli = () => ({ actor: cliActor(), source: 'cli' });

export const accountPasswd: CliCommand = {
  options: { 'password-stdin': { type: 'boolean' }, force: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which account? hopthu account passwd ADDRESS --password-stdin');
    if (!values['password-stdin']) throw new CliUsageError('pipe the new password in and add --password-stdin');
    const password = await readPasswordFromStdin();
    const overridden = await transaction(rt.db, async (client) => {
      const account = await getAccount(client, address);
      // --force is the superadmin's: whoever runs the CLI on the server is one
      const result = await setAccountPassword(client, rt.config, account, password, { by: 'admin', force: values.force === true });
      await appendAudit(client, {
        actor: cliActor(), action: 'account.passwd', target: account.address, source: 'cli', agencyId: account.agencyId ?? undefined,
        data: { mustChangePassword: true, ...(result.overridden ? { policyOverridden: result.overridden } : {}) },
      });
      return result.overridden;
    });
    console.log(`password changed for ${address}${overridden ? ` (policy check "${overridden}" overridden with --force)` : ''}; it must be changed at the next webmail login`);
  },
};

export const accountActivation: CliCommand = {
  options: { agency: { type: 'string' }, days: { type: 'string' }, csv: { type: 'boolean' } },
  needs: 'db',
  async run(rt, addresses, values) {
    if (!addresses.length && typeof values.agency !== 'string') throw new CliUsageError('which accounts? hopthu account activation ADDRESS... or --agency CODE');
    const days = values.days === undefined ? rt.config.activation.codeDays : Number(values.days);
    if (!Number.isFinite(days) || days <= 0 || days > 365) throw new CliUsageError(`--days must be a number of days from 1 to 365, not "${String(values.days)}"`);
    const ids: number[] = [];
    for (const address of addresses) ids.push((await getAccount(rt.db, address)).id);
    if (typeof values.agency === 'string') {
      const agency = await getAgency(rt.db, values.agency);
      const { rows } = await rt.db.query<{ id: number }>(
        "SELECT id FROM accounts WHERE agency_id = ANY($1::bigint[]) AND status = 'active' AND password_hash IS NULL ORDER BY address",
        [await agencySubtreeIds(rt.db, agency.id)],
      );
      ids.push(...rows.map((r) => r.id));
      if (!rows.length && !addresses.length) throw new CliUsageError(`agency ${agency.code} and its sub-agencies have no active account without a password`);
    }
    const codes = await createActivationCodes(rt.db, ids, { days, by: byCli(), context: typeof values.agency === 'string' ? { agency: values.agency } : {} });
    const rows = codes.map((c) => ({ address: c.address, code: c.code, expires: c.expiresAt.toISOString() }));
    if (values.csv) {
      console.log('address,code,expires');
      for (const r of rows) console.log(`${r.address},${r.code},${r.expires}`);
    } else printTable(rows, ['address', 'code', 'expires']);
  },
};

export const accountAppPassword: CliCommand = {
  options: { name: { type: 'string' }, scope: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [action, address, name], values) {
    if (!address || !['add', 'list', 'revoke'].includes(action ?? '')) {
      throw new CliUsageError('hopthu account app-password add ADDRESS --name NAME --scope imap,smtp | list ADDRESS | revoke ADDRESS NAME');
    }
    const account = await getAccount(rt.db, address);
    if (action === 'add') {
      const appName = (values.name as string | undefined) ?? name;
      if (!appName) throw new CliUsageError('give the app password a name: --name "Thunderbird"');
      const scopes = parseScopes((values.scope as string | undefined) ?? 'imap,smtp');
      const { secret } = await createAppPassword(rt.db, account, { name: appName, scopes }, byCli());
      console.log(`app password "${appName}" for ${account.address} (${scopes.join(', ')}); it is shown only this once:`);
      console.log(secret);
      return;
    }
    if (action === 'revoke') {
      const appName = name ?? (values.name as string | undefined);
      if (!appName) throw new CliUsageError('which one? hopthu account app-password revoke ADDRESS NAME');
      await revokeAppPassword(rt.db, account, appName, byCli());
      console.log(`app password "${appName}" of ${account.address} is revoked`);
      return;
    }
    const list = await listAppPasswords(rt.db, account.id, { includeRevoked: values.all === true });
    if (values.json) return void console.log(JSON.stringify(list, null, 2));
    printTable(
      list.map((p) => ({
        name: p.name, scopes: p.scopes.join(','), created: p.createdAt.toISOString(), 'last used': p.lastUsedAt?.toISOString() ?? 'never',
        from: p.lastUsedIp ?? '', revoked: p.revokedAt?.toISOString() ?? '',
      })),
      ['name', 'scopes', 'created', 'last used', 'from', ...(values.all ? ['revoked'] : [])],
    );
  },
};

export const accountTotpDisable: CliCommand = {
  needs: 'db',
  async run(rt, [address]) {
    if (!address) throw new CliUsageError('which account? hopthu account totp-disable ADDRESS');
    const account = await getAccount(rt.db, address);
    const removed = await disableTotp(rt.db, account.id, byCli());
    console.log(removed ? `${account.address} no longer has a second factor` : `${account.address} had no second factor`);
  },
};
