import { getAccount } from '../../identity/accounts.js';
import { getAgency } from '../../identity/agencies.js';
import { heldMessagesOf, listHolds, placeHold, releaseHold, getHold } from '../../mail/legal-hold.js';
import { cliActor, CliUsageError, formatSize, printTable } from '../io.js';
import type { CliCommand } from './command.js';

const holdId = (raw: string | undefined) => {
  const id = Number(raw);
  if (!raw || !Number.isInteger(id) || id <= 0) throw new CliUsageError('which hold? give its number (hopthu hold list)');
  return id;
};

export const holdAdd: CliCommand = {
  options: { account: { type: 'string' }, agency: { type: 'string' }, reason: { type: 'string' }, case: { type: 'string' } },
  needs: 'db',
  async run(rt, _p, values) {
    if (!values.account === !values.agency) throw new CliUsageError('give either --account ADDRESS or --agency CODE');
    if (typeof values.reason !== 'string') throw new CliUsageError('a legal hold needs --reason (the case it serves)');
    const accountId = typeof values.account === 'string' ? (await getAccount(rt.db, values.account)).id : undefined;
    const agencyId = typeof values.agency === 'string' ? (await getAgency(rt.db, values.agency)).id : undefined;
    const hold = await placeHold(rt.db, {
      ...(accountId !== undefined ? { accountId } : {}), ...(agencyId !== undefined ? { agencyId } : {}),
      reason: values.reason, ...(typeof values.case === 'string' ? { caseRef: values.case } : {}), actor: cliActor(), source: 'cli',
    });
    console.log(`legal hold ${hold.id} placed on ${hold.subject}`);
  },
};

export const holdList: CliCommand = {
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const holds = await listHolds(rt.db, { includeReleased: Boolean(values.all) });
    if (values.json) return void console.log(JSON.stringify(holds, null, 2));
    printTable(
      holds.map((h) => ({
        id: h.id, on: h.subject, reason: h.reason, case: h.caseRef ?? '', placed: `${h.createdAt.toISOString().slice(0, 10)} ${h.createdBy}`,
        lifted: h.releasedAt ? `${h.releasedAt.toISOString().slice(0, 10)} ${h.releasedBy}` : '', held: h.heldMessages,
      })),
      ['id', 'on', 'reason', 'case', 'placed', 'lifted', 'held'],
    );
  },
};

export const holdShow: CliCommand = {
  options: { account: { type: 'string' } },
  needs: 'db',
  async run(rt, [raw], values) {
    const hold = await getHold(rt.db, holdId(raw));
    console.log(`legal hold ${hold.id} on ${hold.subject}: ${hold.reason}${hold.caseRef ? ` (case ${hold.caseRef})` : ''}`);
    console.log(`placed ${hold.createdAt.toISOString()} by ${hold.createdBy}${hold.releasedAt ? `; lifted ${hold.releasedAt.toISOString()} by ${hold.releasedBy}` : '; in force'}`);
    console.log(`messages kept: ${hold.heldMessages}`);
    const address = typeof values.account === 'string' ? values.account : hold.accountId !== null ? hold.subject : undefined;
    if (!address) return;
    const messages = await heldMessagesOf(rt.db, (await getAccount(rt.db, address)).id);
    printTable(
      messages.map((m) => ({ removed: m.removedAt.toISOString().slice(0, 16), folder: m.mailboxName, from: m.from ?? '', subject: m.subject ?? '', size: formatSize(m.size) })),
      ['removed', 'folder', 'from', 'subject', 'size'],
    );
  },
};

export const holdRelease: CliCommand = {
  needs: 'db',
  async run(rt, [raw]) {
    const { hold, releasedMessages } = await releaseHold(rt.db, holdId(raw), cliActor(), 'cli');
    console.log(`legal hold ${hold.id} on ${hold.subject} lifted; ${releasedMessages} kept messages let go`);
  },
};
