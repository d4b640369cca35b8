import type { Account } from '../../identity/accounts.js';
import { GROUP_KINDS, POST_RULES, type Group } from '../../identity/groups.js';
import type { WebContext } from '../context.js';
import type { Form } from '../forms.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { SEC } from './sec-strings.js';

/** A group as its page shows it: agency codes resolved, members as they resolve now. */
export interface GroupView {
  group: Group;
  agency: string | null;
  postAgency: string | null;
  members: Account[];
}

const href = (address: string) => `/admin/groups/${encodeURIComponent(address)}`;

function postRuleFields(ctx: WebContext, rule: string, postAgency: string): SafeHtml {
  const t = ctx.strings(SEC);
  return html`<label for="post_rule">${t('groups.post-rule')}</label><select id="post_rule" name="post_rule">${POST_RULES.map(
    (r) => html`<option value="${r}"${attrIf(r === rule, 'selected')}>${t(`groups.post.${r}`)}</option>`,
  )}</select>
<label for="post_agency">${t('groups.post-agency')}</label><input type="text" id="post_agency" name="post_agency" value="${postAgency}" maxlength="64">`;
}

/** The list of groups the officer manages, and the form to create one (refilled after a refusal). */
export function groupsPage(ctx: WebContext, groups: readonly Group[], codes: Map<number, string>, typed?: Form): SafeHtml {
  const t = ctx.strings(SEC);
  const v = (name: string) => typed?.text(name) ?? '';
  const kind = v('kind') || 'static';
  return html`<h1>${t('groups.title')}</h1>
${groups.length === 0 ? html`<p class="muted">${t('common.empty')}</p>` : html`<table class="list groups"><thead><tr><th>${t('groups.address')}</th><th>${t('groups.name')}</th><th>${t('groups.kind')}</th><th>${t('groups.post-rule')}</th></tr></thead>
<tbody>${groups.map((g) => html`<tr><td><a href="${href(g.address)}">${g.address}</a></td><td>${g.name}</td><td>${t(`groups.kind.${g.kind}`)}${g.agencyId !== null ? html` · ${codes.get(g.agencyId) ?? ''}` : ''}</td><td>${t(`groups.post.${g.postRule}`)}${g.postAgencyId !== null ? html` · ${codes.get(g.postAgencyId) ?? ''}` : ''}</td></tr>`)}</tbody></table>`}
<h2>${t('groups.create')}</h2>
<form method="post" action="/admin/groups" class="card narrow-form">${csrfField(ctx)}
<label for="address">${t('groups.address')}</label><input type="email" id="address" name="address" value="${v('address')}" required maxlength="320">
<label for="name">${t('groups.name')}</label><input type="text" id="name" name="name" value="${v('name')}" maxlength="500">
<label for="kind">${t('groups.kind')}</label><select id="kind" name="kind">${GROUP_KINDS.map((k) => html`<option value="${k}"${attrIf(k === kind, 'selected')}>${t(`groups.kind.${k}`)}</option>`)}</select>
<label for="agency">${t('groups.agency')}</label><input type="text" id="agency" name="agency" value="${v('agency')}" maxlength="64">
<label class="check"><input type="checkbox" name="include_subagencies" value="1"${attrIf(!typed || typed.checked('include_subagencies'), 'checked')}> ${t('groups.subagencies')}</label>
${postRuleFields(ctx, v('post_rule') || 'members', v('post_agency'))}
<div class="actions"><button type="submit">${t('groups.create')}</button></div></form>`;
}

/** One group: its rule (editable), its members (static: add and remove), and deleting it. */
export function groupPage(ctx: WebContext, view: GroupView): SafeHtml {
  const t = ctx.strings(SEC);
  const { group: g } = view;
  const action = href(g.address);
  const members = g.kind === 'static'
    ? html`${view.members.length === 0 ? html`<p class="muted">${t('common.empty')}</p>` : html`<table class="list members"><thead><tr><th>${t('groups.col.members')}</th><th>${t('groups.col.status')}</th><th></th></tr></thead><tbody>${view.members.map(
        (a) => html`<tr><td>${a.displayName ? html`${a.displayName} ` : ''}&lt;${a.address}&gt;</td><td>${t(`groups.status.${a.status}`)}</td><td><form method="post" action="${action}/members/remove" class="inline">${csrfField(ctx)}<input type="hidden" name="member" value="${a.address}"><button type="submit" class="secondary">${t('groups.member-remove')}</button></form></td></tr>`,
      )}</tbody></table>`}
<form method="post" action="${action}/members" class="narrow-form">${csrfField(ctx)}<label for="addresses">${t('groups.member-add')}</label><textarea id="addresses" name="addresses" rows="3"></textarea><div class="actions"><button type="submit">${t('groups.member-add-submit')}</button></div></form>`
    : html`<p class="muted">${t('groups.members-dynamic', { count: view.members.length })}</p>`;
  return html`<h1>${g.address}</h1>
<p>${t('groups.kind')}: ${t(`groups.kind.${g.kind}`)}${view.agency ? html` · ${t('groups.agency')}: ${view.agency}` : ''}</p>
<form method="post" action="${action}" class="card narrow-form">${csrfField(ctx)}
<label for="name">${t('groups.name')}</label><input type="text" id="name" name="name" value="${g.name}" maxlength="500">
${postRuleFields(ctx, g.postRule, view.postAgency ?? '')}
<div class="actions"><button type="submit">${t('groups.save')}</button></div></form>
<h2>${t('groups.members')}</h2>${members}
<form method="post" action="${action}/delete" data-confirm="${t('groups.delete-confirm', { address: g.address })}" class="actions">${csrfField(ctx)}<button type="submit" class="danger">${t('groups.delete')}</button></form>`;
}
