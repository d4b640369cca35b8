import { transaction } from '../../store/db.js';
import type { Queryable } from '../../store/db.js';
import { getAccount } from '../../identity/accounts.js';
import { getAgency, getAgencyById } from '../../identity/agencies.js';
import {
  addGroup, addGroupMembers, getGroup, groupMembers, listGroups, removeGroup, removeGroupMembers, updateGroup, GROUP_KINDS, POST_RULES,
  type Group, type GroupKind, type PostRule,
} from '../../identity/groups.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw new CliUsageError(`--${option} must be one of ${allowed.join(', ')}, not "${String(value)}"`);
  return value as T;
}

/** A group as people read it: agencies by code, the rule in words. */
async function describeGroup(db: Queryable, g: Group) {
  const agency = g.agencyId === null ? null : (await getAgencyById(db, g.agencyId)).code;
  const postAgency = g.postAgencyId === null ? null : (await getAgencyById(db, g.postAgencyId)).code;
  const reach =
    g.kind === 'static' ? 'listed members'
    : g.kind === 'agency-staff' ? `staff of ${agency}${g.includeSubagencies ? ' and its sub-agencies' : ''}`
    : agency === null ? 'every agency mailbox of the province'
    : `agency mailboxes of ${agency}${g.includeSubagencies ? ' and its sub-agencies' : ''}`;
  const post = g.postRule === 'agency' ? `staff of ${postAgency}` : g.postRule === 'domain' ? 'local senders' : g.postRule;
  return { address: g.address, name: g.name, kind: g.kind, agency, includeSubagencies: g.includeSubagencies, postRule: g.postRule, postAgency, reach, post };
}

export const groupAdd: CliCommand = {
  options: {
    name: { type: 'string' }, kind: { type: 'string' }, agency: { type: 'string' }, 'no-subagencies': { type: 'boolean' },
    post: { type: 'string' }, 'post-agency': { type: 'string' },
  },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which address? hopthu group add ADDRESS --name NAME');
    const kind: GroupKind = oneOf(values.kind, GROUP_KINDS, 'kind') ?? 'static';
    const postRule: PostRule = oneOf(values.post, POST_RULES, 'post') ?? 'members';
    if (kind === 'static' && values['no-subagencies']) throw new CliUsageError('--no-subagencies only applies to agency-staff and agency-mailboxes groups');
    const group = await transaction(rt.db, async (client) => {
      const agency = typeof values.agency === 'string' ? await getAgency(client, values.agency) : undefined;
      const postAgency = typeof values['post-agency'] === 'string' ? await getAgency(client, values['post-agency']) : undefined;
      const g = await addGroup(client, {
        address, name: (values.name as string | undefined) ?? '', kind, agencyId: agency?.id ?? null, includeSubagencies: !values['no-subagencies'],
        postRule, postAgencyId: postAgency?.id ?? null,
      });
      const described = await describeGroup(client, g);
      await appendAudit(client, {
        actor: cliActor(), action: 'group.add', target: g.address, source: 'cli',
        data: { name: g.name, kind: g.kind, agency: described.agency, includeSubagencies: g.includeSubagencies, postRule: g.postRule, postAgency: described.postAgency },
      });
      return described;
    });
    console.log(`created group ${group.address}${group.name ? ` (${group.name})` : ''}: reaches ${group.reach}; who may post: ${group.post}`);
  },
};

export const groupSet: CliCommand = {
  options: {
    name: { type: 'string' }, agency: { type: 'string' }, subagencies: { type: 'boolean' }, 'no-subagencies': { type: 'boolean' },
    post: { type: 'string' }, 'post-agency': { type: 'string' },
  },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which group? hopthu group set ADDRESS [--name NAME] [--post RULE] ...');
    if (values.subagencies && values['no-subagencies']) throw new CliUsageError('--subagencies or --no-subagencies, not both');
    const postRule = oneOf(values.post, POST_RULES, 'post');
    const result = await transaction(rt.db, async (client) => {
      const g = await getGroup(client, address);
      const agency = typeof values.agency === 'string' ? await getAgency(client, values.agency) : undefined;
      const postAgency = typeof values['post-agency'] === 'string' ? await getAgency(client, values['post-agency']) : undefined;
      const includeSubagencies = values.subagencies ? true : values['no-subagencies'] ? false : undefined;
      const updated = await updateGroup(client, g, {
        ...(typeof values.name === 'string' ? { name: values.name } : {}),
        ...(agency ? { agencyId: agency.id } : {}),
        ...(includeSubagencies !== undefined ? { includeSubagencies } : {}),
        ...(postRule ? { postRule } : {}),
        ...(postAgency ? { postAgencyId: postAgency.id } : {}),
      });
      const pick = ({ name, agency, includeSubagencies, postRule, postAgency }: Awaited<ReturnType<typeof describeGroup>>) => ({ name, agency, includeSubagencies, postRule, postAgency });
      const before = await describeGroup(client, g);
      const after = await describeGroup(client, updated);
      await appendAudit(client, { actor: cliActor(), action: 'group.update', target: g.address, source: 'cli', data: { before: pick(before), after: pick(after) } });
      return after;
    });
    console.log(`${result.address}${result.name ? ` (${result.name})` : ''}: reaches ${result.reach}; who may post: ${result.post}`);
  },
};

export const groupRemove: CliCommand = {
  needs: 'db',
  async run(rt, [address]) {
    if (!address) throw new CliUsageError('which group? hopthu group remove ADDRESS');
    const removed = await transaction(rt.db, async (client) => {
      const g = await getGroup(client, address);
      const members = g.kind === 'static' ? (await groupMembers(client, g)).map((a) => a.address) : undefined;
      await removeGroup(client, g.id);
      await appendAudit(client, { actor: cliActor(), action: 'group.remove', target: g.address, source: 'cli', data: { before: { ...(await describeGroup(client, g)), members } } });
      return g;
    });
    console.log(`removed group ${removed.address}`);
  },
};

export const groupMembersCommand: CliCommand = {
  needs: 'db',
  async run(rt, [verb, address, ...members]) {
    if ((verb !== 'add' && verb !== 'remove') || !address || members.length === 0) {
      throw new CliUsageError('hopthu group members add|remove ADDRESS MEMBER [MEMBER...]');
    }
    const changed = await transaction(rt.db, async (client) => {
      const g = await getGroup(client, address);
      const accounts = [];
      for (const m of members) accounts.push(await getAccount(client, m));
      const done = verb === 'add' ? await addGroupMembers(client, g, accounts) : await removeGroupMembers(client, g, accounts);
      if (done.length) await appendAudit(client, { actor: cliActor(), action: `group.members.${verb}`, target: g.address, source: 'cli', data: { members: done.map((a) => a.address) } });
      return { group: g, done, unchanged: accounts.filter((a) => !done.includes(a)) };
    });
    const verbed = verb === 'add' ? 'added to' : 'removed from';
    if (changed.done.length) console.log(`${changed.done.map((a) => a.address).join(', ')} ${verbed} ${changed.group.address}`);
    if (changed.unchanged.length) console.log(`${verb === 'add' ? 'already members' : 'not members'}: ${changed.unchanged.map((a) => a.address).join(', ')}`);
  },
};

export const groupList: CliCommand = {
  options: { domain: { type: 'string' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const groups = await listGroups(rt.db, values.domain as string | undefined);
    const rows = [];
    for (const g of groups) rows.push(await describeGroup(rt.db, g));
    if (values.json) return void console.log(JSON.stringify(rows, null, 2));
    printTable(rows, ['address', 'name', 'kind', 'reach', 'post']);
  },
};

export const groupShow: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which group? hopthu group show ADDRESS');
    const g = await getGroup(rt.db, address);
    const described = await describeGroup(rt.db, g);
    const members = (await groupMembers(rt.db, g)).map((a) => ({ address: a.address, name: a.displayName, kind: a.kind, status: a.status }));
    if (values.json) return void console.log(JSON.stringify({ ...described, members }, null, 2));
    console.log(`${described.address}${described.name ? ` — ${described.name}` : ''}`);
    console.log(`reaches ${described.reach}; who may post: ${described.post}`);
    console.log(`${members.length} member${members.length === 1 ? '' : 's'}${g.kind === 'static' ? '' : ' now'}:`);
    if (members.length) printTable(members, ['address', 'name', 'kind', 'status']);
  },
};
