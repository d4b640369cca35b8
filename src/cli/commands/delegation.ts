import { transaction } from '../../store/db.js';
import { getAccount } from '../../identity/accounts.js';
import { listDelegations, removeDelegation, setDelegation, type DelegationRights } from '../../identity/delegations.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

const rightsText = (r: DelegationRights) => [r.canRead ? 'read' : '', r.canSend ? 'send' : ''].filter(Boolean).join(' and ');

export const delegationAdd: CliCommand = {
  options: { read: { type: 'boolean' }, send: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [mailboxAddress, delegateAddress], values) {
    if (!mailboxAddress || !delegateAddress) throw new CliUsageError('hopthu delegation add MAILBOX DELEGATE [--read] [--send]');
    const rights = { canRead: values.read === true, canSend: values.send === true };
    if (!rights.canRead && !rights.canSend) throw new CliUsageError('say what the delegate may do: --read, --send, or both');
    const actor = cliActor();
    const result = await transaction(rt.db, async (client) => {
      const mailbox = await getAccount(client, mailboxAddress);
      const delegate = await getAccount(client, delegateAddress);
      const change = await setDelegation(client, mailbox, delegate, rights, actor);
      await appendAudit(client, { actor, action: 'delegation.add', target: mailbox.address, source: 'cli', data: { delegate: delegate.address, before: change.before ?? null, after: change.after } });
      return { mailbox, delegate, ...change };
    });
    console.log(`${result.delegate.address} may ${rightsText(result.after)} as ${result.mailbox.address}${result.before ? ` (was: ${rightsText(result.before)})` : ''}`);
  },
};

export const delegationRemove: CliCommand = {
  needs: 'db',
  async run(rt, [mailboxAddress, delegateAddress]) {
    if (!mailboxAddress || !delegateAddress) throw new CliUsageError('hopthu delegation remove MAILBOX DELEGATE');
    const result = await transaction(rt.db, async (client) => {
      const mailbox = await getAccount(client, mailboxAddress);
      const delegate = await getAccount(client, delegateAddress);
      const before = await removeDelegation(client, mailbox, delegate);
      await appendAudit(client, { actor: cliActor(), action: 'delegation.remove', target: mailbox.address, source: 'cli', data: { delegate: delegate.address, before } });
      return { mailbox, delegate };
    });
    console.log(`${result.delegate.address} may no longer read or send as ${result.mailbox.address}`);
  },
};

export const delegationList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    const account = address ? await getAccount(rt.db, address) : undefined;
    const rows = (await listDelegations(rt.db, account?.id)).map((d) => ({
      mailbox: d.mailbox.address, delegate: d.delegate.address, read: d.canRead, send: d.canSend, createdBy: d.createdBy, createdAt: d.createdAt.toISOString(),
    }));
    if (values.json) return void console.log(JSON.stringify(rows, null, 2));
    printTable(rows.map((r) => ({ ...r, read: r.read ? 'yes' : 'no', send: r.send ? 'yes' : 'no' })), ['mailbox', 'delegate', 'read', 'send', 'createdBy', 'createdAt']);
  },
};
