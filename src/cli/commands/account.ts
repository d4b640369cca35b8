import { transaction } from '../../store/db.js';
import { addAccount, getAccount, listAccounts, setAccountStatus, setPasswordHash } from '../../identity/accounts.js';
import { hashPassword } from '../../identity/passwords.js';
import { createDefaultMailboxes, listMailboxes } from '../../mail/mailboxes.js';
import { accountUsage } from '../../mail/append.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, formatSize, parseSize, printTable, readPasswordFromStdin } from '../io.js';
import type { CliCommand } from './command.js';

const MIN_PASSWORD_LENGTH = 8;

async function passwordFrom(values: Record<string, unknown>): Promise<string | undefined> {
  if (!values['password-stdin']) return undefined;
  const password = await readPasswordFromStdin();
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new CliUsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  return password;
}

export const accountAdd: CliCommand = {
  name: 'account add',
  usage: 'hopthu account add ADDRESS [--name "Display Name"] [--password-stdin] [--quota 2G]',
  summary: 'create a mailbox account (with its INBOX, Sent, Drafts, Trash, Junk, Archive)',
  options: { name: { type: 'string' }, 'password-stdin': { type: 'boolean' }, quota: { type: 'string' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which address? hopthu account add ADDRESS');
    const password = await passwordFrom(values);
    const passwordHash = password ? await hashPassword(password, rt.config.argon2) : null;
    const quotaBytes = typeof values.quota === 'string' ? parseSize(values.quota) : rt.config.accounts.defaultQuotaBytes;
    const account = await transaction(rt.db, async (client) => {
      const a = await addAccount(client, { address, displayName: (values.name as string | undefined) ?? '', passwordHash, quotaBytes });
      await createDefaultMailboxes(client, a.id);
      await appendAudit(client, { actor: cliActor(), action: 'account.add', target: a.address, source: 'cli', data: { displayName: a.displayName, quotaBytes, password: password ? 'set' : 'none' } });
      return a;
    });
    console.log(`created ${account.address}${account.displayName ? ` (${account.displayName})` : ''}, quota ${formatSize(account.quotaBytes)}${password ? '' : '; no password yet: set one with hopthu account passwd'}`);
  },
};

export const accountList: CliCommand = {
  name: 'account list',
  usage: 'hopthu account list [--domain DOMAIN] [--json]',
  summary: 'list accounts',
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
  name: 'account show',
  usage: 'hopthu account show ADDRESS [--json]',
  summary: 'show an account with its folders, message counts and sizes',
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which account? hopthu account show ADDRESS');
    const account = await getAccount(rt.db, address);
    const folders = await listMailboxes(rt.db, account.id);
    const used = await accountUsage(rt.db, account.id);
    const data = {
      address: account.address,
      displayName: account.displayName,
      status: account.status,
      quotaBytes: account.quotaBytes,
      usedBytes: used,
      createdAt: account.createdAt.toISOString(),
      folders: folders.map((f) => ({ name: f.name, specialUse: f.specialUse, messages: f.messageCount, unseen: f.unseenCount, bytes: f.totalBytes })),
    };
    if (values.json) return void console.log(JSON.stringify(data, null, 2));
    console.log(`${data.address}${data.displayName ? ` — ${data.displayName}` : ''}`);
    console.log(`status ${data.status}, using ${formatSize(used)} of ${account.quotaBytes ? formatSize(account.quotaBytes) : 'unlimited'}`);
    printTable(data.folders.map((f) => ({ ...f, specialUse: f.specialUse ?? '', size: formatSize(f.bytes) })), ['name', 'specialUse', 'messages', 'unseen', 'size']);
  },
};

export const accountPasswd: CliCommand = {
  name: 'account passwd',
  usage: 'hopthu account passwd ADDRESS --password-stdin',
  summary: "set an account's password (read from standard input)",
  options: { 'password-stdin': { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which account? hopthu account passwd ADDRESS --password-stdin');
    const password = await passwordFrom(values);
    if (!password) throw new CliUsageError('pipe the new password in and add --password-stdin');
    const hash = await hashPassword(password, rt.config.argon2);
    await transaction(rt.db, async (client) => {
      const account = await getAccount(client, address);
      await setPasswordHash(client, account.id, hash);
      await appendAudit(client, { actor: cliActor(), action: 'account.passwd', target: account.address, source: 'cli' });
    });
    console.log(`password changed for ${address}`);
  },
};

function statusCommand(name: 'disable' | 'enable'): CliCommand {
  const status = name === 'disable' ? 'disabled' : 'active';
  return {
    name: `account ${name}`,
    usage: `hopthu account ${name} ADDRESS`,
    summary: name === 'disable' ? 'stop an account from logging in and receiving mail (its mail is kept)' : 'let a disabled account log in and receive mail again',
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
  name: 'account unlock',
  usage: 'hopthu account unlock ADDRESS',
  summary: 'lift a lockout after too many failed logins',
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
