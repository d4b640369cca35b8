import type pg from 'pg';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import type { AuditEvent } from '../audit/audit-log.js';
import { addAgency, findAgencyByExternalId, getAgency, updateAgency } from '../identity/agencies.js';
import { addGroup, addGroupMembers, findGroup, getGroup, removeGroupMembers } from '../identity/groups.js';
import { createActivationCodes } from '../identity/activation.js';
import { accountsByAddresses, accountsByExternalIds, addAccountsBatch, setExternalIdsBatch, setStatusBatch, updateProfilesBatch, type BatchAccount } from '../identity/account-updates.js';
import { createDefaultMailboxesBatch } from '../mail/default-mailboxes-batch.js';
import type { ApplyOptions } from './apply.js';
import type { Plan, PlanItem, PlanOp } from './plan-types.js';

/**
 * What each kind of plan item does, for a batch of items of that kind inside one
 * transaction. Each handler looks at hopthu's state first, so an item already carried
 * out (by this run or by hand) changes nothing and counts as unchanged.
 */
export type Seq<T extends PlanItem = PlanItem> = { seq: number; item: T };
type Of<O extends PlanOp> = Extract<PlanItem, { op: O }>;

export interface Context {
  client: pg.PoolClient;
  opts: ApplyOptions;
  plan: Plan;
  domainIds: Map<string, number>;
  agencyIds: Map<string, number>;
  events: AuditEvent[];
  unchanged: number;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

function event(ctx: Context, action: string, target: string, data: Record<string, unknown>, agencyId?: number | null): void {
  ctx.events.push({ actor: ctx.opts.actor, action, target, ...(ctx.opts.source ? { source: ctx.opts.source } : {}), ...(agencyId ? { agencyId } : {}), data: { runId: ctx.opts.runId, ...data } });
}

function agencyId(ctx: Context, code: string | null): number | null {
  if (code === null) return null;
  const id = ctx.agencyIds.get(code.toUpperCase());
  if (id === undefined) throw new UserError('plan-stale', `agency ${code} of the plan does not exist; make a new plan`);
  return id;
}

function domainId(ctx: Context, address: string): number {
  const id = ctx.domainIds.get(domainOf(address));
  if (id === undefined) throw new UserError('no-such-domain', `the domain of ${address} is not a local domain; add it with hopthu domain add`);
  return id;
}

/** Remembers addresses provisioning gave, so a freed one is not given again too soon. */
async function recordGiven(db: Queryable, given: ReadonlyArray<{ address: string; externalId: string | null }>): Promise<void> {
  if (!given.length) return;
  await db.query(
    `INSERT INTO provisioning_addresses (address, external_id) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (address) DO UPDATE SET external_id = EXCLUDED.external_id, given_at = now(), freed_at = NULL`,
    [given.map((g) => g.address), given.map((g) => g.externalId)],
  );
}

/** An agency's mailbox (kind 'agency') and its staff distribution group, each when asked and missing. */
async function completeAgency(ctx: Context, id: number, code: string, name: string, mailbox: string | null, staffGroup: string | null): Promise<void> {
  if (mailbox) {
    const [made] = await addAccountsBatch(ctx.client, [{ address: mailbox, domainId: domainId(ctx, mailbox), displayName: name, kind: 'agency', agencyId: id, title: '', externalId: null, quotaBytes: ctx.opts.quotaBytes }]);
    if (made) {
      await createDefaultMailboxesBatch(ctx.client, [made.id]);
      await recordGiven(ctx.client, [{ address: mailbox, externalId: null }]);
      event(ctx, 'account.add', mailbox, { kind: 'agency', agency: code, displayName: name }, id);
    } else ctx.unchanged++;
  }
  if (staffGroup) {
    if (!(await findGroup(ctx.client, staffGroup))) {
      await addGroup(ctx.client, { address: staffGroup, name: `Cán bộ ${name}`, kind: 'agency-staff', agencyId: id, includeSubagencies: true, postRule: 'domain' });
      await recordGiven(ctx.client, [{ address: staffGroup, externalId: null }]);
      event(ctx, 'group.add', staffGroup, { kind: 'agency-staff', agency: code }, id);
    } else ctx.unchanged++;
  }
}

export const handlers: { [O in PlanOp]: (ctx: Context, items: Array<Seq<Of<O>>>) => Promise<void> } = {
  async 'agency.create'(ctx, items) {
    for (const { item } of items) {
      let agency = await findAgencyByExternalId(ctx.client, item.externalId);
      if (!agency) {
        agency = await addAgency(ctx.client, { code: item.code, name: item.name, parentId: agencyId(ctx, item.parentCode), externalId: item.externalId });
        event(ctx, 'agency.add', agency.code, { name: agency.name, parent: item.parentCode, externalId: item.externalId }, agency.id);
      } else ctx.unchanged++;
      ctx.agencyIds.set(agency.code.toUpperCase(), agency.id);
      await completeAgency(ctx, agency.id, agency.code, agency.name, item.mailbox, item.staffGroup);
    }
  },
  async 'agency.rename'(ctx, items) {
    for (const { item } of items) {
      const agency = await getAgency(ctx.client, item.code);
      if (agency.name === item.to) {
        ctx.unchanged++;
        continue;
      }
      await updateAgency(ctx.client, agency.id, { name: item.to });
      event(ctx, 'agency.rename', agency.code, { before: agency.name, after: item.to }, agency.id);
    }
  },
  async 'agency.move'(ctx, items) {
    for (const { item } of items) {
      const agency = await getAgency(ctx.client, item.code);
      const parentId = agencyId(ctx, item.toParentCode);
      if (agency.parentId === parentId) {
        ctx.unchanged++;
        continue;
      }
      await updateAgency(ctx.client, agency.id, { parentId });
      event(ctx, 'agency.move', agency.code, { before: item.fromParentCode, after: item.toParentCode }, agency.id);
    }
  },
  async 'agency.complete'(ctx, items) {
    for (const { item } of items) {
      const agency = await getAgency(ctx.client, item.code);
      await completeAgency(ctx, agency.id, agency.code, agency.name, item.mailbox, item.staffGroup);
    }
  },
  async 'address.release'(ctx, items) {
    const { rows } = await ctx.client.query<{ address: string }>(
      'UPDATE provisioning_addresses SET freed_at = now() WHERE address = ANY($1::text[]) AND freed_at IS NULL RETURNING address',
      [items.map((i) => i.item.address)],
    );
    ctx.unchanged += items.length - rows.length;
    for (const r of rows) event(ctx, 'provisioning.address.release', r.address, {});
  },
  async 'account.adopt'(ctx, items) {
    const { rows } = await ctx.client.query<{ id: number; address: string }>('SELECT id, address FROM accounts WHERE address = ANY($1::text[])', [items.map((i) => i.item.address)]);
    const idOf = new Map(rows.map((r) => [r.address, r.id]));
    const links = items.flatMap(({ item }) => (idOf.has(item.address) ? [{ accountId: idOf.get(item.address)!, externalId: item.externalId }] : []));
    const linked = new Set(await setExternalIdsBatch(ctx.client, links));
    ctx.unchanged += items.length - linked.size;
    await recordGiven(ctx.client, items.filter(({ item }) => linked.has(idOf.get(item.address)!)).map(({ item }) => ({ address: item.address, externalId: item.externalId })));
    for (const { item } of items) if (linked.has(idOf.get(item.address)!)) event(ctx, 'account.link', item.address, { externalId: item.externalId });
  },
  async 'account.create'(ctx, items) {
    const rows: BatchAccount[] = items.map(({ item }) => ({
      address: item.address,
      domainId: domainId(ctx, item.address),
      displayName: item.displayName,
      kind: 'person',
      agencyId: agencyId(ctx, item.agencyCode),
      title: item.title,
      externalId: item.externalId,
      quotaBytes: ctx.opts.quotaBytes,
    }));
    const made = await addAccountsBatch(ctx.client, rows);
    ctx.unchanged += items.length - made.length;
    if (!made.length) return;
    const ids = made.map((a) => a.id);
    await createDefaultMailboxesBatch(ctx.client, ids);
    await recordGiven(ctx.client, made.map((a) => ({ address: a.address, externalId: a.externalId })));
    const codes = await createActivationCodes(ctx.client, ids, { days: ctx.opts.activationDays, by: { actor: ctx.opts.actor, ...(ctx.opts.source ? { source: ctx.opts.source } : {}) }, context: { runId: ctx.opts.runId } });
    const agencyOf = new Map(made.map((a) => [a.id, a.agencyId]));
    await ctx.client.query(
      `INSERT INTO provisioning_credentials (run_id, account_id, agency_id, code, expires_at)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[]) ON CONFLICT DO NOTHING`,
      [ctx.opts.runId, codes.map((c) => c.accountId), codes.map((c) => agencyOf.get(c.accountId) ?? null), codes.map((c) => c.code), codes.map((c) => c.expiresAt)],
    );
    const byAddress = new Map(items.map(({ item }) => [item.address, item]));
    for (const a of made) {
      const item = byAddress.get(a.address)!;
      event(ctx, 'account.add', a.address, { kind: 'person', externalId: item.externalId, displayName: a.displayName, title: a.title, agency: item.agencyCode }, a.agencyId);
    }
  },
  async 'account.update'(ctx, items) {
    const current = new Map((await accountsByExternalIds(ctx.client, items.map((i) => i.item.externalId))).map((a) => [a.externalId!, a]));
    const changes = items.flatMap(({ item }) => {
      const a = current.get(item.externalId);
      if (!a || (a.displayName === item.displayName.to && a.title === item.title.to)) return [];
      return [{ account: a, item }];
    });
    ctx.unchanged += items.length - changes.length;
    await updateProfilesBatch(ctx.client, changes.map(({ account, item }) => ({ accountId: account.id, displayName: item.displayName.to, title: item.title.to, agencyId: account.agencyId })));
    for (const { account, item } of changes) {
      event(ctx, 'account.update', account.address, { before: { displayName: account.displayName, title: account.title }, after: { displayName: item.displayName.to, title: item.title.to } }, account.agencyId);
    }
  },
  async 'account.move'(ctx, items) {
    const current = new Map((await accountsByExternalIds(ctx.client, items.map((i) => i.item.externalId))).map((a) => [a.externalId!, a]));
    const changes = items.flatMap(({ item }) => {
      const a = current.get(item.externalId);
      const to = agencyId(ctx, item.toAgencyCode);
      return a && a.agencyId !== to ? [{ account: a, item, to }] : [];
    });
    ctx.unchanged += items.length - changes.length;
    await updateProfilesBatch(ctx.client, changes.map(({ account, to }) => ({ accountId: account.id, displayName: account.displayName, title: account.title, agencyId: to })));
    for (const { account, item, to } of changes) event(ctx, 'account.move', account.address, { before: item.fromAgencyCode, after: item.toAgencyCode }, to);
  },
  async 'account.enable'(ctx, items) {
    const accounts = await accountsByExternalIds(ctx.client, items.map((i) => i.item.externalId));
    const changed = new Set(await setStatusBatch(ctx.client, accounts.map((a) => a.id), 'active'));
    await ctx.client.query('DELETE FROM provisioning_disabled WHERE account_id = ANY($1::bigint[])', [accounts.map((a) => a.id)]);
    ctx.unchanged += items.length - changed.size;
    for (const a of accounts) if (changed.has(a.id)) event(ctx, 'account.enable', a.address, { reason: 'back in the source', externalId: a.externalId }, a.agencyId);
  },
  async 'account.disable'(ctx, items) {
    const accounts = await accountsByExternalIds(ctx.client, items.map((i) => i.item.externalId));
    const changed = await setStatusBatch(ctx.client, accounts.map((a) => a.id), 'disabled');
    await ctx.client.query(
      'INSERT INTO provisioning_disabled (account_id, run_id) SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING',
      [changed, ctx.opts.runId],
    );
    const set = new Set(changed);
    ctx.unchanged += items.length - set.size;
    for (const a of accounts) if (set.has(a.id)) event(ctx, 'account.disable', a.address, { reason: 'gone from the source', externalId: a.externalId }, a.agencyId);
  },
  async 'group.create'(ctx, items) {
    for (const { item } of items) {
      const { rowCount } = await ctx.client.query('SELECT 1 FROM provisioning_groups WHERE external_id = $1', [item.externalId]);
      if (rowCount) {
        ctx.unchanged++;
        continue;
      }
      const group = await addGroup(ctx.client, { address: item.address, name: item.name, kind: 'static', postRule: 'members' });
      await ctx.client.query('INSERT INTO provisioning_groups (external_id, group_id) VALUES ($1, $2)', [item.externalId, group.id]);
      await recordGiven(ctx.client, [{ address: item.address, externalId: item.externalId }]);
      event(ctx, 'group.add', group.address, { kind: 'static', name: group.name, externalId: item.externalId });
    }
  },
  async 'group.members'(ctx, items) {
    for (const { item } of items) {
      const group = await getGroup(ctx.client, item.address);
      const added = await addGroupMembers(ctx.client, group, await accountsByAddresses(ctx.client, item.add));
      const removed = await removeGroupMembers(ctx.client, group, await accountsByAddresses(ctx.client, item.remove));
      if (!added.length && !removed.length) ctx.unchanged++;
      else event(ctx, 'group.members', group.address, { added: added.map((a) => a.address), removed: removed.map((a) => a.address) });
    }
  },
};

