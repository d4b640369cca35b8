import { getAccount } from '../../identity/accounts.js';
import { decideInspection, endInspection, listInspections, requestInspection } from '../../identity/inspections.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

const inspectionId = (raw: string | undefined) => {
  const id = Number(raw);
  if (!raw || !Number.isInteger(id) || id <= 0) throw new CliUsageError('which inspection? give its number (hopthu inspection list)');
  return id;
};
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

export const inspectionRequest: CliCommand = {
  options: { auditor: { type: 'string' }, hours: { type: 'string' }, reason: { type: 'string' } },
  needs: 'db',
  async run(rt, [mailboxAddress], values) {
    if (!mailboxAddress) throw new CliUsageError('which mailbox? hopthu inspection request MAILBOX --auditor ADDRESS --hours N --reason TEXT');
    if (typeof values.auditor !== 'string') throw new CliUsageError('an inspection needs --auditor ADDRESS (an account with the auditor role)');
    if (typeof values.reason !== 'string') throw new CliUsageError('an inspection needs --reason (the case or order that asks for it)');
    const hours = Number(values.hours);
    if (!Number.isInteger(hours)) throw new CliUsageError('an inspection needs --hours N (1 to 168)');
    const made = await requestInspection(
      rt.db,
      { mailbox: await getAccount(rt.db, mailboxAddress), auditor: await getAccount(rt.db, values.auditor), reason: values.reason, hours },
      { actor: cliActor(), source: 'cli' },
    );
    console.log(`inspection ${made.id} of ${made.mailbox} by ${made.auditor} asked for; a second administrator approves it with: hopthu inspection approve ${made.id}`);
  },
};

const decide = (approve: boolean): CliCommand => ({
  options: {},
  needs: 'db',
  async run(rt, [raw]) {
    const decided = await decideInspection(rt.db, inspectionId(raw), approve, { actor: cliActor(), source: 'cli' });
    console.log(approve ? `inspection ${decided.id} approved: ${decided.auditor} may read ${decided.mailbox} until ${decided.expiresAt!.toISOString()}` : `inspection ${decided.id} refused`);
  },
});
export const inspectionApprove = decide(true);
export const inspectionDeny = decide(false);

export const inspectionEnd: CliCommand = {
  options: {},
  needs: 'db',
  async run(rt, [raw]) {
    const ended = await endInspection(rt.db, inspectionId(raw), { actor: cliActor(), source: 'cli' });
    console.log(`inspection ${ended.id} of ${ended.mailbox} ended`);
  },
};

export const inspectionList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const items = await listInspections(rt.db);
    if (values.json) return void console.log(JSON.stringify(items, null, 2));
    printTable(
      items.map((i) => ({ id: i.id, mailbox: i.mailbox, auditor: i.auditor, state: i.state, hours: i.hours, asked: `${day(i.requestedAt)} ${i.requestedBy}`, decided: i.decidedBy ? `${day(i.decidedAt)} ${i.decidedBy}` : '', until: day(i.expiresAt), reason: i.reason })),
      ['id', 'mailbox', 'auditor', 'state', 'hours', 'asked', 'decided', 'until', 'reason'],
    );
  },
};
