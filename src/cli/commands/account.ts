import { transaction } from '../../store/db.js';
import { addAccount, getAccount, listAccounts, setAccountStatus, type AccountKind } from '../../identity/accounts.js';
import { getAgency, getAgencyById } from '../../identity/agencies.js';
import { setAccountPassword } from '../../identity/password-change.js';
import { createDefaultMailboxes, listMailboxes } from '../../mail/mailboxes.js';
import { accountUsage } from '../../mail/append.js';
import { archivesOf } from '../../mail/archive/account-archive.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, formatSize, parseSize, printTable, readPasswordFromStdin } from '../io.js';
import type { CliCommand } from './command.js';

/** the password piped in with --password-stdin; the password policy checks it where it is set */
async function passwordFrom(values: Record<string, unknown>): Promise<string | undefined> {
  if (!values['password-stdin']) return undefined;
  return readPasswordFromStdin();
}

const ACCOUNT_KINDS: readonly AccountKind[] = ['person', 'agency', 'system'];

function accountKindOption(value: unknown): AccountKind {
  if (value === undefined) return 'person';
  if (!ACCOUNT_KINDS.includes(value as AccountKind)) throw new CliUsageError(`--kind must be one of ${ACCOUNT_KINDS.join(', ')}, not "${String(value)}"`);
  return value as AccountKind;
}

export const accountAdd: CliCommand = {
  options: {
    name: { type: 'string' }, 'password-stdin': { type: 'boolean' }, quota: { type: 'string' },
    kind: { type: 'string' }, agency: { type: 'string' }, title: { type: 'string' },
  },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which address? hopthu account add ADDRESS');
    const password = await passwordFrom(values);
    const quotaBytes = typeof values.quota === 'string' ? parseSize(values.quota) : rt.config.accounts.defaultQuotaBytes;
    const kind = accountKindOption(values.kind);
    const account = await transaction(rt.db, async (client) => {
      const agency = typeof values.agency === 'string' ? await getAgency(client, values.agency) : undefined;
      const title = (values.title as string | undefined) ?? '';
      const a = await addAccount(client, { address, displayName: (values.name as string | undefined) ?? '', passwordHash: null, quotaBytes, kind, agencyId: agency?.id ?? null, title });
      // under the password policy; made by an administrator, so the person must change it (web/API)
      if (password) await setAccountPassword(client, rt.config, a, password, { by: 'creation' });
      await createDefaultMailboxes(client, a.id);
      await appendAudit(client, {
        actor: cliActor(), action: 'account.add', target: a.address, source: 'cli',
        data: { displayName: a.displayName, quotaBytes, password: password ? 'set' : 'none', kind: a.kind, agency: agency?.code ?? null, title: a.title },
      });
      return a;
    });
    const placed = `${account.kind === 'person' ? '' : `, ${account.kind} account`}${typeof values.agency === 'string' ? `, agency ${values.agency}` : ''}`;
    console.log(`created ${account.address}${account.displayName ? ` (${account.displayName})` : ''}${placed}, quota ${formatSize(account.quotaBytes)}${password ? '' : '; no password yet: set one with hopthu account passwd'}`);
  },
};

export const accountList: CliCommand = {
  options: { domain: { type: 'string' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const accounts = await listAccounts(rt.db, values.domain as string | undefined);
    const rows = accounts.map((a) => ({ address: a.address, name: a.displayName, status: a.status, quota: formatSize(a.quotaBytes) }));
    if (values.json) console.log(JSON.stringify(accounts, null, 2));
    else printTable(rows, ['address', 'name', 'status', 'quota']);
  },
};

export const accountShow: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which account? hopthu account show ADDRESS');
    const account = await getAccount(rt.db, address);
    const folders = await listMailboxes(rt.db, account.id);
    const used = await accountUsage(rt.db, account.id);
    const agency = account.agencyId === null ? undefined : await getAgencyById(rt.db, account.agencyId);
    const archives = await archivesOf(rt.db, account.id);
    const data = {
      address: account.address,
      displayName: account.displayName,
      status: account.status,
      kind: account.kind,
      agency: agency ? { code: agency.code, name: agency.name } : null,
      title: account.title,
      quotaBytes: account.quotaBytes,
      usedBytes: used,
      createdAt: account.createdAt.toISOString(),
      folders: folders.map((f) => ({ name: f.name, specialUse: f.specialUse, messages: f.messageCount, unseen: f.unseenCount, bytes: f.totalBytes })),
      archives: archives.map((a) => ({ file: a.path, sha256: a.sha256, messages: a.messages, bytes: a.messageBytes, at: a.createdAt.toISOString(), by: a.createdBy, removedAt: a.removedAt?.toISOString() ?? null })),
    };
    if (values.json) return void console.log(JSON.stringify(data, null, 2));
    console.log(`${data.address}${data.displayName ? ` — ${data.displayName}` : ''}`);
    console.log(`kind ${data.kind}${agency ? `, agency ${agency.code} (${agency.name})` : ', no agency'}${data.title ? `, title ${data.title}` : ''}`);
    console.log(`status ${data.status}, using ${formatSize(used)} of ${account.quotaBytes ? formatSize(account.quotaBytes) : 'unlimited'}`);
    for (const a of archives) {
      const when = a.createdAt.toISOString().slice(0, 10);
      console.log(a.removedAt
        ? `archived on ${when} to ${a.path} (${a.messages} messages, sha256 ${a.sha256})`
        : `archive written on ${when} to ${a.path}; its messages are still to be removed from the live store (hopthu retention run)`);
    }
    printTable(data.folders.map((f) => ({ ...f, specialUse: f.specialUse ?? '', size: formatSize(f.bytes) })), ['name', 'specialUse', 'messages', 'unseen', 'size']);
  },
};

function statusCommand(name: 'disable' | 'enable'): CliCommand {
  const status = name === 'disable' ? 'disabled' : 'active';
  return {
    needs: 'db',
    async run(rt, [address]) {
      if (!address) throw new CliUsageError(`which account? hopthu account ${name} ADDRESS`);
      await transaction(rt.db, async (client) => {
        const account = await getAccount(client, address);
        await setAccountStatus(client, account.id, status);
        await appendAudit(client, { actor: cliActor(), action: `account.${name}`, target: account.address, source: 'cli', data: { before: account.status, after: status } });
      });
      console.log(`${address} is now ${status}`);
    },
  };
}

export const accountUnlock: CliCommand = {
  needs: 'db+redis',
  async run(rt, [address]) {
    if (!address) throw new CliUsageError('which account? hopthu account unlock ADDRESS');
    const account = await getAccount(rt.db, address);
    const { unlockAccount } = await import('../../identity/lockout.js');
    const redis = rt.connectRedis();
    const lifted = await unlockAccount({ redis, prefix: rt.config.redisPrefix }, account.address);
    await appendAudit(rt.db, { actor: cliActor(), action: 'account.unlock', target: account.address, source: 'cli', data: { wasLocked: lifted } });
    console.log(lifted ? `${account.address} is unlocked` : `${account.address} was not locked`);
  },
};

export const accountDisable = statusCommand('disable');
export const accountEnable = statusCommand('enable');
