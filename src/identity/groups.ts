import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { parseAddress } from './address.js';
import { getDomain } from './domains.js';
import { assertAddressFree } from './address-owner.js';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { getAgencyById } from './agencies.js';

/**
 * Distribution groups: an address that delivers to its members, resolved at delivery.
 * - static: the accounts listed in group_members;
 * - agency-staff: every active person account of an agency (and, by default, its sub-agencies);
 * - agency-mailboxes: every active agency mailbox of an agency subtree, or of the whole
 *   province when the group names no agency.
 */
export type GroupKind = 'static' | 'agency-staff' | 'agency-mailboxes';
/** Who may post: members only, senders of an agency subtree, any local sender, anyone. */
export type PostRule = 'members' | 'agency' | 'domain' | 'anyone';

export const GROUP_KINDS: readonly GroupKind[] = ['static', 'agency-staff', 'agency-mailboxes'];
export const POST_RULES: readonly PostRule[] = ['members', 'agency', 'domain', 'anyone'];

export interface Group {
  id: number;
  domainId: number;
  address: string;
  name: string;
  kind: GroupKind;
  agencyId: number | null;
  includeSubagencies: boolean;
  postRule: PostRule;
  postAgencyId: number | null;
  createdAt: Date;
}

export interface GroupRow {
  id: number;
  domain_id: number;
  address: string;
  name: string;
  kind: GroupKind;
  agency_id: number | null;
  include_subagencies: boolean;
  post_rule: PostRule;
  post_agency_id: number | null;
  created_at: Date;
}

export const toGroup = (r: GroupRow): Group => ({
  id: r.id,
  domainId: r.domain_id,
  address: r.address,
  name: r.name,
  kind: r.kind,
  agencyId: r.agency_id,
  includeSubagencies: r.include_subagencies,
  postRule: r.post_rule,
  postAgencyId: r.post_agency_id,
  createdAt: r.created_at,
});

export interface NewGroup {
  address: string;
  name?: string;
  kind?: GroupKind;
  agencyId?: number | null;
  includeSubagencies?: boolean;
  postRule?: PostRule;
  postAgencyId?: number | null;
}

/** What a group reaches and who may post to it: checked the same way when made and when changed. */
type GroupShape = Pick<Group, 'kind' | 'agencyId' | 'includeSubagencies' | 'postRule' | 'postAgencyId'>;

async function checkShape(db: Queryable, g: GroupShape): Promise<void> {
  if (!GROUP_KINDS.includes(g.kind)) throw new UserError('bad-group-kind', `"${g.kind}" is not a group kind; use ${GROUP_KINDS.join(', ')}`);
  if (!POST_RULES.includes(g.postRule)) throw new UserError('bad-post-rule', `"${g.postRule}" is not a posting rule; use ${POST_RULES.join(', ')}`);
  if (g.kind === 'agency-staff' && g.agencyId === null) throw new UserError('group-needs-agency', 'an agency-staff group needs the agency whose staff it reaches');
  if (g.kind === 'static' && g.agencyId !== null) throw new UserError('static-group-agency', 'a static group lists its members itself; only agency-staff and agency-mailboxes groups take an agency');
  if (g.agencyId === null && !g.includeSubagencies) throw new UserError('subagencies-without-agency', 'leaving out sub-agencies needs the agency they are below');
  if (g.agencyId !== null) await getAgencyById(db, g.agencyId);
  if (g.postRule === 'agency' && g.postAgencyId === null) throw new UserError('post-rule-needs-agency', 'the posting rule "agency" needs the agency whose staff may post');
  if (g.postRule !== 'agency' && g.postAgencyId !== null) throw new UserError('post-agency-unused', `a posting agency is only used with the posting rule "agency", not "${g.postRule}"`);
  if (g.postAgencyId !== null) await getAgencyById(db, g.postAgencyId);
}

export async function addGroup(db: Queryable, input: NewGroup): Promise<Group> {
  const { address, domain } = parseAddress(input.address);
  const dom = await getDomain(db, domain);
  const shape: GroupShape = {
    kind: input.kind ?? 'static', agencyId: input.agencyId ?? null, includeSubagencies: input.includeSubagencies ?? true,
    postRule: input.postRule ?? 'members', postAgencyId: input.postAgencyId ?? null,
  };
  await checkShape(db, shape);
  await assertAddressFree(db, address, 'group');
  const { rows } = await db.query<GroupRow>(
    `INSERT INTO distribution_groups (domain_id, address, name, kind, agency_id, include_subagencies, post_rule, post_agency_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (address) DO NOTHING RETURNING *`,
    [dom.id, address, (input.name ?? '').normalize('NFC').trim(), shape.kind, shape.agencyId, shape.includeSubagencies, shape.postRule, shape.postAgencyId],
  );
  if (!rows[0]) throw new UserError('group-exists', `the group ${address} already exists`);
  return toGroup(rows[0]);
}

/** A change to a group; its kind (static or dynamic) stays. */
export interface GroupChange {
  name?: string;
  agencyId?: number | null;
  includeSubagencies?: boolean;
  postRule?: PostRule;
  /** with postRule 'agency'; a rule other than 'agency' clears it */
  postAgencyId?: number | null;
}

/** Renames a group, points a dynamic group at another agency, or changes who may post. */
export async function updateGroup(db: Queryable, group: Group, change: GroupChange): Promise<Group> {
  const postRule = change.postRule ?? group.postRule;
  const shape: GroupShape = {
    kind: group.kind,
    agencyId: change.agencyId === undefined ? group.agencyId : change.agencyId,
    includeSubagencies: change.includeSubagencies ?? group.includeSubagencies,
    postRule,
    postAgencyId: change.postAgencyId !== undefined ? change.postAgencyId : postRule === 'agency' ? group.postAgencyId : null,
  };
  await checkShape(db, shape);
  const { rows } = await db.query<GroupRow>(
    `UPDATE distribution_groups SET name = $2, agency_id = $3, include_subagencies = $4, post_rule = $5, post_agency_id = $6, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [group.id, change.name === undefined ? group.name : change.name.normalize('NFC').trim(), shape.agencyId, shape.includeSubagencies, shape.postRule, shape.postAgencyId],
  );
  if (!rows[0]) throw new UserError('no-such-group', `there is no group ${group.address}`);
  return toGroup(rows[0]);
}

export async function findGroup(db: Queryable, address: string): Promise<Group | undefined> {
  const { rows } = await db.query<GroupRow>('SELECT * FROM distribution_groups WHERE address = $1', [address]);
  return rows[0] ? toGroup(rows[0]) : undefined;
}

export async function getGroup(db: Queryable, address: string): Promise<Group> {
  const normalized = parseAddress(address).address;
  const group = await findGroup(db, normalized);
  if (!group) throw new UserError('no-such-group', `there is no group ${normalized}`);
  return group;
}

export async function listGroups(db: Queryable, domain?: string): Promise<Group[]> {
  const { rows } = domain
    ? await db.query<GroupRow>('SELECT g.* FROM distribution_groups g JOIN domains d ON d.id = g.domain_id WHERE d.name = $1 ORDER BY g.address', [domain])
    : await db.query<GroupRow>('SELECT * FROM distribution_groups ORDER BY address');
  return rows.map(toGroup);
}

/** Removes a group and its member list. */
export async function removeGroup(db: Queryable, groupId: number): Promise<void> {
  await db.query('DELETE FROM distribution_groups WHERE id = $1', [groupId]);
}

const staticOnly = (group: Group) => {
  if (group.kind !== 'static') {
    throw new UserError('dynamic-group', `the group ${group.address} is dynamic (${group.kind}): its members follow the agency tree; change the accounts' agency instead`);
  }
};

/** Adds accounts to a static group; returns the ones that were not members yet. */
export async function addGroupMembers(db: Queryable, group: Group, accounts: Account[]): Promise<Account[]> {
  staticOnly(group);
  const { rows } = await db.query<{ account_id: number }>(
    `INSERT INTO group_members (group_id, account_id) SELECT $1, unnest($2::bigint[])
     ON CONFLICT DO NOTHING RETURNING account_id`,
    [group.id, accounts.map((a) => a.id)],
  );
  const added = new Set(rows.map((r) => r.account_id));
  return accounts.filter((a) => added.has(a.id));
}

/** Removes accounts from a static group; returns the ones that were members. */
export async function removeGroupMembers(db: Queryable, group: Group, accounts: Account[]): Promise<Account[]> {
  staticOnly(group);
  const { rows } = await db.query<{ account_id: number }>(
    'DELETE FROM group_members WHERE group_id = $1 AND account_id = ANY($2::bigint[]) RETURNING account_id',
    [group.id, accounts.map((a) => a.id)],
  );
  const removed = new Set(rows.map((r) => r.account_id));
  return accounts.filter((a) => removed.has(a.id));
}

/**
 * The agencies a dynamic group reaches, as a CTE over $1 (the agency id, or null for the
 * whole province) and $2 (include sub-agencies).
 */
const SCOPE = `WITH RECURSIVE scope(id) AS (
  SELECT $1::bigint WHERE $1::bigint IS NOT NULL
  UNION SELECT a.id FROM agencies a JOIN scope ON a.parent_id = scope.id WHERE $2::boolean)`;

const DYNAMIC_ACCOUNT_KIND: Record<Exclude<GroupKind, 'static'>, Account['kind']> = { 'agency-staff': 'person', 'agency-mailboxes': 'agency' };

/**
 * The accounts a group delivers to, now, in one query. Static groups list their members
 * as they are (delivery skips disabled ones); dynamic groups reach only active accounts.
 */
export async function groupMembers(db: Queryable, group: Group): Promise<Account[]> {
  if (group.kind === 'static') {
    const { rows } = await db.query<AccountRow>(
      'SELECT a.* FROM group_members m JOIN accounts a ON a.id = m.account_id WHERE m.group_id = $1 ORDER BY a.address',
      [group.id],
    );
    return rows.map(toAccount);
  }
  const { rows } = await db.query<AccountRow>(
    `${SCOPE}
     SELECT a.* FROM accounts a
      WHERE a.kind = $3 AND a.status = 'active' AND ($1::bigint IS NULL OR a.agency_id IN (SELECT id FROM scope))
      ORDER BY a.address`,
    [group.agencyId, group.includeSubagencies, DYNAMIC_ACCOUNT_KIND[group.kind]],
  );
  return rows.map(toAccount);
}

/** The one who posts to a group: the logged-in account (submission) and the envelope sender. */
export interface GroupSender {
  accountId?: number | null;
  /** the envelope sender, lower-cased; '' for the null reverse-path */
  address: string;
}

export type PostVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * May this sender post to the group? One query at most (none for 'anyone' or a logged-in
 * sender under 'domain'), so the RCPT path stays short. The sender counts by the
 * logged-in account or by the local account of the envelope sender address.
 */
export async function mayPostToGroup(db: Queryable, group: Group, sender: GroupSender): Promise<PostVerdict> {
  const who = sender.address ? `<${sender.address}>` : 'the null sender <>';
  const refuse = (why: string): PostVerdict => ({ allowed: false, reason: `${who} may not post to the group <${group.address}>: ${why}` });
  const accountId = sender.accountId ?? null;
  switch (group.postRule) {
    case 'anyone':
      return { allowed: true };
    case 'domain': {
      if (accountId !== null) return { allowed: true };
      const onlyLocal = refuse('only senders of this province\'s own domains may post');
      if (!sender.address) return onlyLocal;
      const domain = sender.address.slice(sender.address.lastIndexOf('@') + 1);
      const { rows } = await db.query<{ local: boolean }>('SELECT EXISTS (SELECT 1 FROM domains WHERE name = $1) AS local', [domain]);
      return rows[0]?.local ? { allowed: true } : onlyLocal;
    }
    case 'agency': {
      const { rows } = await db.query<{ inside: boolean; code: string }>(
        `${SCOPE}
         SELECT EXISTS (SELECT 1 FROM accounts a WHERE (a.id = $3 OR a.address = $4) AND a.status = 'active'
                          AND a.agency_id IN (SELECT id FROM scope)) AS inside,
                (SELECT code FROM agencies WHERE id = $1) AS code`,
        [group.postAgencyId, true, accountId, sender.address],
      );
      return rows[0]?.inside ? { allowed: true } : refuse(`only the staff of ${rows[0]?.code ?? 'one agency'} and its sub-agencies may post`);
    }
    case 'members':
      return (await isGroupMember(db, group, accountId, sender.address)) ? { allowed: true } : refuse('only its members may post');
  }
}

async function isGroupMember(db: Queryable, group: Group, accountId: number | null, address: string): Promise<boolean> {
  if (group.kind === 'static') {
    const { rows } = await db.query<{ member: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM group_members m JOIN accounts a ON a.id = m.account_id
                       WHERE m.group_id = $1 AND (a.id = $2 OR a.address = $3) AND a.status = 'active') AS member`,
      [group.id, accountId, address],
    );
    return rows[0]?.member ?? false;
  }
  const { rows } = await db.query<{ member: boolean }>(
    `${SCOPE}
     SELECT EXISTS (SELECT 1 FROM accounts a WHERE (a.id = $4 OR a.address = $5) AND a.kind = $3 AND a.status = 'active'
                      AND ($1::bigint IS NULL OR a.agency_id IN (SELECT id FROM scope))) AS member`,
    [group.agencyId, group.includeSubagencies, DYNAMIC_ACCOUNT_KIND[group.kind], accountId, address],
  );
  return rows[0]?.member ?? false;
}
