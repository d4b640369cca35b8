import type { FastifyInstance } from 'fastify';
import { findAccount } from '../../identity/accounts.js';
import { decideInspection, endInspection, listInspections, MAX_INSPECTION_HOURS, requestInspection, type Inspection } from '../../identity/inspections.js';
import { findMailbox } from '../../mail/mailboxes.js';
import { UserError } from '../../shared/errors.js';
import { accountOf, PageError, type WebContext, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { catalogue } from '../i18n/catalogue.js';
import { csrfField, renderPage } from '../layout.js';
import { seeOther, sendPage, userErrorText } from '../plugin.js';
import { consoleMenu, hasRole } from './menu.js';

const S = catalogue(
  {
    title: 'Thanh tra hộp thư',
    intro: 'Một thanh tra viên được đọc một hộp thư, chỉ xem, trong thời gian giới hạn, sau khi một quản trị viên thứ hai phê duyệt. Mỗi thư được mở đều ghi vào nhật ký kiểm toán.',
    'new.title': 'Đề nghị thanh tra',
    'new.mailbox': 'Hộp thư cần thanh tra',
    'new.auditor': 'Thanh tra viên (tài khoản có vai trò kiểm toán)',
    'new.hours': 'Thời hạn (giờ, tối đa {max})',
    'new.reason': 'Căn cứ (quyết định, công văn)',
    'new.submit': 'Gửi đề nghị',
    'list.none': 'Chưa có đề nghị thanh tra nào.',
    'col.id': 'Số',
    'col.mailbox': 'Hộp thư',
    'col.auditor': 'Thanh tra viên',
    'col.state': 'Trạng thái',
    'col.reason': 'Căn cứ',
    'col.asked': 'Đề nghị',
    'col.decided': 'Quyết định',
    'col.until': 'Hết hạn',
    'col.actions': 'Thao tác',
    'state.pending': 'Chờ phê duyệt',
    'state.active': 'Đang hiệu lực',
    'state.denied': 'Bị từ chối',
    'state.expired': 'Đã hết hạn',
    'state.ended': 'Đã kết thúc',
    approve: 'Phê duyệt',
    deny: 'Từ chối',
    end: 'Kết thúc',
    open: 'Mở hộp thư',
    'confirm.approve': 'Phê duyệt: thanh tra viên sẽ đọc được hộp thư này. Tiếp tục?',
    'done.requested': 'Đã gửi đề nghị thanh tra. Cần một quản trị viên khác phê duyệt.',
    'done.approved': 'Đã phê duyệt thanh tra.',
    'done.denied': 'Đã từ chối thanh tra.',
    'done.ended': 'Đã kết thúc thanh tra.',
    'error.no-such-account': 'Không có tài khoản {address}.',
    'error.inspection-needs-auditor': 'Tài khoản thanh tra viên chưa có vai trò kiểm toán.',
    'error.inspection-needs-reason': 'Hãy ghi rõ căn cứ (ít nhất 10 ký tự).',
    'error.bad-inspection-hours': 'Thời hạn phải từ 1 đến {max} giờ.',
    'error.inspection-of-self': 'Thanh tra viên không thể thanh tra hộp thư của chính mình.',
    'error.inspection-needs-second-admin': 'Cần một quản trị viên khác (không phải người đề nghị, không phải thanh tra viên) phê duyệt.',
    'error.inspection-decided': 'Đề nghị này đã được quyết định.',
    'error.inspection-not-running': 'Thanh tra này không còn hiệu lực.',
  },
  {
    title: 'Mailbox inspections',
    intro: 'An auditor may read one mailbox, read-only, for a limited time, once a second administrator approves. Every message opened is written to the audit log.',
    'new.title': 'Ask for an inspection',
    'new.mailbox': 'Mailbox to inspect',
    'new.auditor': 'Auditor (an account with the auditor role)',
    'new.hours': 'Duration (hours, at most {max})',
    'new.reason': 'Grounds (decision, official letter)',
    'new.submit': 'Send the request',
    'list.none': 'No inspection has been asked for yet.',
    'col.id': 'No.',
    'col.mailbox': 'Mailbox',
    'col.auditor': 'Auditor',
    'col.state': 'State',
    'col.reason': 'Grounds',
    'col.asked': 'Asked',
    'col.decided': 'Decided',
    'col.until': 'Until',
    'col.actions': 'Actions',
    'state.pending': 'Awaiting approval',
    'state.active': 'In force',
    'state.denied': 'Refused',
    'state.expired': 'Expired',
    'state.ended': 'Ended',
    approve: 'Approve',
    deny: 'Refuse',
    end: 'End',
    open: 'Open the mailbox',
    'confirm.approve': 'Approve: the auditor will be able to read this mailbox. Go on?',
    'done.requested': 'The inspection was asked for. Another administrator must approve it.',
    'done.approved': 'The inspection was approved.',
    'done.denied': 'The inspection was refused.',
    'done.ended': 'The inspection was ended.',
    'error.no-such-account': 'There is no account {address}.',
    'error.inspection-needs-auditor': 'The auditor’s account does not hold the auditor role.',
    'error.inspection-needs-reason': 'Give the grounds (at least 10 characters).',
    'error.bad-inspection-hours': 'The duration must be 1 to {max} hours.',
    'error.inspection-of-self': 'An auditor cannot inspect their own mailbox.',
    'error.inspection-needs-second-admin': 'Another administrator (not the one who asked, not the auditor) must approve.',
    'error.inspection-decided': 'This request has already been decided.',
    'error.inspection-not-running': 'This inspection is no longer in force.',
  },
);
type Key = keyof (typeof S)['vi'];
const DONE = ['requested', 'approved', 'denied', 'ended'] as const;

/**
 * The console's page for security inspections (superadmins and auditors): ask for one,
 * approve or refuse one someone else asked for (superadmins), end one, and for the
 * auditor a link into the inspected mailbox (read-only in the webmail, each message
 * opened audited).
 */
export function registerInspectionPages(app: FastifyInstance, deps: WebmailDeps): void {
  async function render(ctx: WebContext, state: { notice?: string; error?: string; status?: number; form?: Record<string, string> } = {}) {
    const t = ctx.strings(S);
    const me = ctx.account!;
    const scopes = await ctx.scopes();
    const superadmin = hasRole(scopes, ['superadmin']);
    const items = await listInspections(deps.db);
    const f = state.form ?? {};
    const inboxOf = async (i: Inspection) => (await findMailbox(deps.db, i.mailboxId, 'INBOX'))?.id;
    const rows = await Promise.all(
      items.map(async (i) => {
        const when = (d: Date | null, who: string | null) => (d ? html`${ctx.format.longDate(d)}<br><span class="muted">${who}</span>` : '');
        const action = (path: string, label: string, confirm?: string) =>
          html`<form method="post" action="/admin/inspections/${i.id}/${path}">${csrfField(ctx)}<button class="secondary" type="submit"${confirm ? html` data-confirm="${confirm}"` : ''}>${label}</button></form>`;
        const mayDecide = superadmin && i.state === 'pending' && i.requestedBy !== me.address && i.auditor !== me.address;
        const mayEnd = (i.state === 'active' || i.state === 'pending') && (superadmin || i.auditor === me.address);
        const inbox = i.state === 'active' && i.auditor === me.address ? await inboxOf(i) : undefined;
        return html`<tr><td>${i.id}</td><td>${i.mailbox}</td><td>${i.auditor}</td><td>${t(`state.${i.state}` as Key)}</td><td>${i.reason}</td>
<td>${when(i.requestedAt, i.requestedBy)}</td><td>${when(i.decidedAt, i.decidedBy)}</td><td>${i.expiresAt ? ctx.format.longDate(i.expiresAt) : ''}</td>
<td class="actions">${mayDecide ? [action('approve', t('approve'), t('confirm.approve')), action('deny', t('deny'))] : ''}${mayEnd ? action('end', t('end')) : ''}${inbox ? html`<a class="button" href="/mail/f/${inbox}">${t('open')}</a>` : ''}</td></tr>`;
      }),
    );
    const main = html`<h1>${t('title')}</h1><p class="muted">${t('intro')}</p>
${items.length
  ? html`<table class="list"><thead><tr><th>${t('col.id')}</th><th>${t('col.mailbox')}</th><th>${t('col.auditor')}</th><th>${t('col.state')}</th><th>${t('col.reason')}</th><th>${t('col.asked')}</th><th>${t('col.decided')}</th><th>${t('col.until')}</th><th>${t('col.actions')}</th></tr></thead><tbody>${rows}</tbody></table>`
  : html`<p>${t('list.none')}</p>`}
<h2>${t('new.title')}</h2>
<form class="card" method="post" action="/admin/inspections">${csrfField(ctx)}
<label for="mailbox">${t('new.mailbox')}</label><input id="mailbox" name="mailbox" type="email" required value="${f.mailbox ?? ''}">
<label for="auditor">${t('new.auditor')}</label><input id="auditor" name="auditor" type="email" required value="${f.auditor ?? me.address}">
<label for="hours">${t('new.hours', { max: MAX_INSPECTION_HOURS })}</label><input id="hours" name="hours" type="number" min="1" max="${MAX_INSPECTION_HOURS}" required value="${f.hours ?? '8'}">
<label for="reason">${t('new.reason')}</label><textarea id="reason" name="reason" required minlength="10" maxlength="2000">${f.reason ?? ''}</textarea>
<div class="actions"><button type="submit">${t('new.submit')}</button></div></form>`;
    const page = await renderPage(ctx, { title: t('title'), section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, '/admin/inspections'), main, notice: state.notice, error: state.error });
    return page;
  }

  const allowed = async (ctx: WebContext) => {
    if (!hasRole(await ctx.scopes(), ['superadmin', 'auditor'])) throw new PageError(403, ctx.t('error.forbidden'));
  };
  const errorText = (ctx: WebContext, err: UserError, address?: string) => {
    const t = ctx.strings(S);
    const key = `error.${err.code}` as Key;
    const text = t(key, { max: MAX_INSPECTION_HOURS, address: address ?? '' });
    return text === key ? userErrorText(ctx, err) : text;
  };

  app.get('/admin/inspections', { config: { access: 'console' } }, async (req, reply) => {
    await allowed(req.web);
    const done = (req.query as { done?: string }).done;
    const notice = DONE.find((d) => d === done);
    return sendPage(reply, await render(req.web, notice ? { notice: req.web.strings(S)(`done.${notice}`) } : {}));
  });

  app.post('/admin/inspections', { config: { access: 'console' } }, async (req, reply) => {
    const ctx = req.web;
    await allowed(ctx);
    const form = readForm(req);
    const values = { mailbox: form.text('mailbox').trim(), auditor: form.text('auditor').trim(), hours: form.text('hours'), reason: form.text('reason') };
    try {
      const mailbox = await findAccount(deps.db, values.mailbox);
      if (!mailbox) throw Object.assign(new UserError('no-such-account', `there is no account ${values.mailbox}`), { address: values.mailbox });
      const auditor = await findAccount(deps.db, values.auditor);
      if (!auditor) throw Object.assign(new UserError('no-such-account', `there is no account ${values.auditor}`), { address: values.auditor });
      await requestInspection(deps.db, { mailbox, auditor, reason: values.reason, hours: Number(values.hours) }, { actor: accountOf(req).address, source: ctx.ip });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return sendPage(reply, await render(ctx, { error: errorText(ctx, err, (err as { address?: string }).address), form: values }), 400);
    }
    return seeOther(reply, '/admin/inspections?done=requested');
  });

  for (const [path, done] of [['approve', 'approved'], ['deny', 'denied'], ['end', 'ended']] as const) {
    app.post(`/admin/inspections/:id/${path}`, { config: { access: 'console' } }, async (req, reply) => {
      const ctx = req.web;
      await allowed(ctx);
      const id = Number((req.params as { id: string }).id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new PageError(404, ctx.t('error.not-found'));
      const me = { actor: accountOf(req).address, source: ctx.ip };
      try {
        if (path === 'end') {
          const mine = (await listInspections(deps.db, { auditorId: accountOf(req).id })).some((i) => i.id === id);
          if (!mine && !hasRole(await ctx.scopes(), ['superadmin'])) throw new PageError(403, ctx.t('error.forbidden'));
          await endInspection(deps.db, id, me);
        } else {
          if (!hasRole(await ctx.scopes(), ['superadmin'])) throw new PageError(403, ctx.t('error.forbidden'));
          await decideInspection(deps.db, id, path === 'approve', me);
        }
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        if (err.code === 'no-such-inspection') throw new PageError(404, ctx.t('error.not-found'));
        return sendPage(reply, await render(ctx, { error: errorText(ctx, err) }), 400);
      }
      return seeOther(reply, `/admin/inspections?done=${done}`);
    });
  }
}
