import type { FastifyInstance, FastifyRequest } from 'fastify';
import { transaction, type Queryable } from '../../store/db.js';
import { findAccount, type Account } from '../../identity/accounts.js';
import { getAgency } from '../../identity/agencies.js';
import { getDomain } from '../../identity/domains.js';
import { parseAddress, tryNormalizeAddress } from '../../identity/address.js';
import {
  addGroup, addGroupMembers, findGroup, groupMembers, listGroups, removeGroup, removeGroupMembers, updateGroup,
  type Group, type GroupKind, type PostRule,
} from '../../identity/groups.js';
import { mayManageDomain, type RoleScope } from '../../identity/roles.js';
import { appendAudit } from '../../audit/audit-log.js';
import { agencyCodesById } from '../../audit/filter-input.js';
import { UserError } from '../../shared/errors.js';
import type { WebmailDeps } from '../context.js';
import { accountOf, PageError } from '../context.js';
import { readForm, type Form } from '../forms.js';
import { seeOther, userErrorText } from '../plugin.js';
import { groupPage, groupsPage, type GroupView } from './groups-view.js';
import { noticeUrl, queryText, requireRoles, sendConsolePage } from './sec-access.js';
import { SEC } from './sec-strings.js';

/** groups belong to a domain: its domain admin manages them (as in the API) */
const GROUP_ADMINS = ['superadmin', 'domain-admin'] as const;
export const groupHref = (address: string) => `/admin/groups/${encodeURIComponent(address)}`;

const mayManage = (scopes: readonly RoleScope[], domainId: number) => scopes.some((s) => mayManageDomain(s, domainId));

/** The group in the path, when one of the scopes reaches its domain; otherwise 404 (its existence is not told). */
async function groupInScope(req: FastifyRequest, db: Queryable, scopes: readonly RoleScope[], address: string): Promise<Group> {
  const normalized = tryNormalizeAddress(address);
  const group = normalized ? await findGroup(db, normalized) : undefined;
  if (!group || !mayManage(scopes, group.domainId)) throw new PageError(404, req.web.t('error.not-found'));
  return group;
}

async function viewOf(db: Queryable, g: Group, codes: Map<number, string>): Promise<GroupView> {
  return { group: g, agency: g.agencyId !== null ? (codes.get(g.agencyId) ?? null) : null, postAgency: g.postAgencyId !== null ? (codes.get(g.postAgencyId) ?? null) : null, members: await groupMembers(db, g) };
}

const who = (req: FastifyRequest) => ({ actor: accountOf(req).address, source: req.web.ip });

/** The agency a form names by code ('' for none). */
const agencyField = async (db: Queryable, form: Form, name: string) => (form.text(name) ? await getAgency(db, form.text(name)) : null);

/** Notices after a change (?done=…), from this list only. */
const DONE = { created: 'groups.created', saved: 'groups.saved', deleted: 'groups.deleted', added: 'groups.members-added', removed: 'groups.member-removed' } as const;

/** Superadmins and domain admins: distribution groups (create, rule, delete) and static groups' members. */
export function registerGroupPages(app: FastifyInstance, deps: WebmailDeps): void {
  const { db } = deps;

  async function showList(req: FastifyRequest, scopes: readonly RoleScope[], extra: { error?: string; typed?: Form; status?: number } = {}) {
    const t = req.web.strings(SEC);
    const groups = (await listGroups(db)).filter((g) => mayManage(scopes, g.domainId));
    const codes = await agencyCodesById(db);
    const done = DONE[queryText(req, 'done') as keyof typeof DONE];
    const address = tryNormalizeAddress(queryText(req, 'address'));
    return {
      title: t('groups.title'), menuPath: '/admin/groups', main: groupsPage(req.web, groups, codes, extra.typed),
      notice: done && address ? t(done, { address }) : undefined, error: extra.error, status: extra.status ?? 200,
    };
  }

  app.get('/admin/groups', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await requireRoles(req, GROUP_ADMINS);
    return sendConsolePage(req, reply, await showList(req, scopes));
  });

  app.post('/admin/groups', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await requireRoles(req, GROUP_ADMINS);
    const form = readForm(req);
    try {
      const group = await transaction(db, async (client) => {
        const domain = await getDomain(client, parseAddress(form.text('address')).domain);
        if (!mayManage(scopes, domain.id)) throw new UserError('domain-out-of-scope', req.web.strings(SEC)('groups.out-of-scope', { address: domain.name }));
        const agency = await agencyField(client, form, 'agency');
        const postAgency = await agencyField(client, form, 'post_agency');
        const kind = form.text('kind') || 'static';
        const g = await addGroup(client, {
          address: form.text('address'), name: form.text('name'), kind: kind as GroupKind, agencyId: agency?.id ?? null,
          includeSubagencies: kind === 'static' || form.checked('include_subagencies'), postRule: (form.text('post_rule') || 'members') as PostRule, postAgencyId: postAgency?.id ?? null,
        });
        await appendAudit(client, { ...who(req), action: 'group.add', target: g.address, ...(g.agencyId !== null ? { agencyId: g.agencyId } : {}), data: { after: { name: g.name, kind: g.kind, agency: agency?.code ?? null, postRule: g.postRule, postAgency: postAgency?.code ?? null }, via: 'web' } });
        return g;
      });
      return seeOther(reply, noticeUrl(groupHref(group.address), { done: 'created', address: group.address }));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return sendConsolePage(req, reply, await showList(req, scopes, { error: userErrorText(req.web, err), typed: form, status: 400 }));
    }
  });

  async function showGroup(req: FastifyRequest, scopes: readonly RoleScope[], address: string, extra: { error?: string; status?: number } = {}) {
    const t = req.web.strings(SEC);
    const group = await groupInScope(req, db, scopes, address);
    const done = DONE[queryText(req, 'done') as keyof typeof DONE];
    const named = tryNormalizeAddress(queryText(req, 'address')) ?? group.address;
    return {
      title: group.address, menuPath: '/admin/groups', main: groupPage(req.web, await viewOf(db, group, await agencyCodesById(db))),
      notice: done ? t(done, { address: named, count: Number(queryText(req, 'count')) || 0 }) : undefined, error: extra.error, status: extra.status ?? 200,
    };
  }

  app.get<{ Params: { address: string } }>('/admin/groups/:address', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await requireRoles(req, GROUP_ADMINS);
    return sendConsolePage(req, reply, await showGroup(req, scopes, req.params.address));
  });

  /** A change to one group in a transaction with its audit event; a refusal shows the group again with the sentence. */
  const change = <P extends string>(path: P, run: (client: Queryable, req: FastifyRequest, group: Group, form: Form, scopes: readonly RoleScope[]) => Promise<string>) =>
    app.post<{ Params: { address: string } }>(path, { config: { access: 'console' } }, async (req, reply) => {
      const scopes = await requireRoles(req, GROUP_ADMINS);
      const form = readForm(req);
      try {
        const location = await transaction(db, async (client) => run(client, req, await groupInScope(req, client, scopes, req.params.address), form, scopes));
        return seeOther(reply, location);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        return sendConsolePage(req, reply, await showGroup(req, scopes, req.params.address, { error: userErrorText(req.web, err), status: 400 }));
      }
    });

  change('/admin/groups/:address', async (client, req, g, form) => {
    const postAgency = await agencyField(client, form, 'post_agency');
    const postRule = (form.text('post_rule') || g.postRule) as PostRule;
    const updated = await updateGroup(client, g, { name: form.text('name'), postRule, postAgencyId: postRule === 'agency' ? (postAgency?.id ?? null) : null });
    const pick = (x: Group) => ({ name: x.name, postRule: x.postRule, postAgencyId: x.postAgencyId });
    await appendAudit(client, { ...who(req), action: 'group.update', target: g.address, ...(g.agencyId !== null ? { agencyId: g.agencyId } : {}), data: { before: pick(g), after: pick(updated), via: 'web' } });
    return noticeUrl(groupHref(g.address), { done: 'saved' });
  });

  change('/admin/groups/:address/delete', async (client, req, g) => {
    const members = g.kind === 'static' ? (await groupMembers(client, g)).map((a) => a.address) : undefined;
    await removeGroup(client, g.id);
    await appendAudit(client, { ...who(req), action: 'group.remove', target: g.address, ...(g.agencyId !== null ? { agencyId: g.agencyId } : {}), data: { before: { name: g.name, kind: g.kind, members }, via: 'web' } });
    return noticeUrl('/admin/groups', { done: 'deleted', address: g.address });
  });

  change('/admin/groups/:address/members', async (client, req, g, form, scopes) => {
    const t = req.web.strings(SEC);
    const accounts: Account[] = [];
    for (const line of form.text('addresses').split(/[\s,;]+/).filter(Boolean)) {
      const account = await findAccount(client, tryNormalizeAddress(line) ?? line);
      if (!account) throw new UserError('no-such-account', t('groups.no-account', { address: line }));
      // a domain admin adds accounts of their own domain only (as the API's scope check)
      if (!mayManage(scopes, account.domainId)) throw new UserError('account-out-of-scope', t('groups.out-of-scope', { address: account.address }));
      accounts.push(account);
    }
    const added = (await addGroupMembers(client, g, accounts)).map((a) => a.address);
    if (added.length) await appendAudit(client, { ...who(req), action: 'group.members.add', target: g.address, ...(g.agencyId !== null ? { agencyId: g.agencyId } : {}), data: { added, via: 'web' } });
    return noticeUrl(groupHref(g.address), { done: 'added', count: added.length });
  });

  change('/admin/groups/:address/members/remove', async (client, req, g, form) => {
    const t = req.web.strings(SEC);
    const account = await findAccount(client, tryNormalizeAddress(form.text('member')) ?? form.text('member'));
    const [removed] = account ? await removeGroupMembers(client, g, [account]) : [];
    if (!removed) throw new UserError('no-such-member', t('groups.not-member', { address: form.text('member') }));
    await appendAudit(client, { ...who(req), action: 'group.members.remove', target: g.address, ...(g.agencyId !== null ? { agencyId: g.agencyId } : {}), data: { removed: [removed.address], via: 'web' } });
    return noticeUrl(groupHref(g.address), { done: 'removed', address: removed.address });
  });

}
