import { COMPOSE } from '../compose/strings.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { expungeMessages, moveMessages, publishMailboxChanges, storeFlags, uidSetOf, type MailboxChange } from '../../mail/index.js';
import { accountOf, PageError, type WebContext } from '../context.js';
import { readForm } from '../forms.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { safeNext, seeOther, sendPage } from '../plugin.js';
import { folderEntries, folderSidebar, openFolder, ownInboxId, specialFolder, type OpenedFolder } from './folders.js';
import { listPage, showsRecipient } from './list-query.js';
import { actionButtons, actionsForm, messageTable, pager, parseView, viewForm, viewQuery } from './list-view.js';
import { MAIL, type MailKey } from './strings.js';

/** What the actions form can do to the selected messages. */
const ACTIONS = ['read', 'unread', 'flag', 'unflag', 'move', 'delete', 'destroy'] as const;
type Action = (typeof ACTIONS)[number];

/** The notice after an action (?done=…&n=…), never free text from the URL. */
const DONE: Record<Action, MailKey> = {
  read: 'action.done-read',
  unread: 'action.done-unread',
  flag: 'action.done-flag',
  unflag: 'action.done-unflag',
  move: 'action.done-move',
  delete: 'action.done-delete',
  destroy: 'action.done-destroy',
};

/** Notice or error a page shows after an action (or compose's send) redirected to it. */
export function actionOutcome(ctx: WebContext, query: Record<string, unknown>): { notice?: string; error?: string } {
  const t = ctx.strings(MAIL);
  const done = DONE[query.done as Action];
  const n = Number(query.n);
  if (done && Number.isSafeInteger(n) && n >= 0) return { notice: t(done, { count: ctx.format.count(n) }) };
  if (query.error === 'none') return { error: t('action.none-selected') };
  // compose sends the writer back here after a message went out
  if (query.notice === 'sent') return { notice: ctx.strings(COMPOSE)('sent.notice') };
  return {};
}

/** The unread count of the owner's INBOX before the page title: "(3) Hộp thư đến". */
const titled = (unread: number, title: string) => (unread > 0 ? `(${unread}) ${title}` : title);

/** A folder's page: the list with its view form, actions (when the reader may change it), pager. */
export async function showFolder(req: FastifyRequest, reply: FastifyReply, mailboxId: number) {
  const ctx = req.web;
  const t = ctx.strings(MAIL);
  const query = req.query as Record<string, unknown>;
  // a delegated folder is audited once per page shown, not per message listed
  const folder = await openFolder(ctx, mailboxId, { audit: true });
  if (folder.mailbox.noselect) throw new PageError(404, ctx.t('error.not-found'));
  const view = parseView(query);
  const page = await listPage(ctx.deps.db, ctx.deps.blobs, folder.mailbox, view);
  const entries = await folderEntries(ctx, folder.owner.id);
  const entry = entries.find((e) => e.mailbox.id === mailboxId);
  const label = entry?.label ?? folder.mailbox.name;
  const here = `/mail/f/${mailboxId}`;
  const back = `${here}${viewQuery(view)}`;
  const table = messageTable(ctx, page.rows, { selectable: folder.writable, recipient: showsRecipient(folder.mailbox) });
  const paging = pager(ctx, page, view.page, (p) => `${here}${viewQuery({ ...view, page: p })}`, view.threads);
  const main = html`<div class="listhead"><h1>${label}${folder.own ? '' : html` <small>${folder.owner.displayName || folder.owner.address}</small>`}</h1>${viewForm(ctx, here, view)}</div>
${folder.writable ? '' : html`<p class="hint">${t('list.read-only')}</p>`}
${folder.writable && page.rows.length ? actionsForm(ctx, folder.mailbox, back, html`${actionButtons(ctx, folder.mailbox, entries)}${table}${paging}`) : html`${table}${paging}`}`;
  const inbox = entries.find((e) => e.mailbox.name === 'INBOX')?.mailbox.unseenCount ?? 0;
  return sendPage(
    reply,
    await renderPage(ctx, { title: titled(inbox, label), section: 'mail', current: 'mail', main, sidebar: await folderSidebar(ctx, folder.owner.id, mailboxId), ...actionOutcome(ctx, query) }),
  );
}

/** /mail/: the logged-in account's own INBOX. */
export async function showInbox(req: FastifyRequest, reply: FastifyReply) {
  accountOf(req);
  const id = await ownInboxId(req.web);
  if (!id) throw new PageError(404, req.web.t('error.not-found'));
  return showFolder(req, reply, id);
}

/** The UIDs a form selected: positive integers, at most a page or two of them. */
function selectedUids(values: readonly string[]): number[] {
  const uids = values.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0 && n <= 4_294_967_295);
  return [...new Set(uids)].slice(0, 1000);
}

/**
 * The changes the actions form asks for, made with the functions IMAP uses (STORE, MOVE,
 * EXPUNGE): MODSEQ moves on, and IMAP sessions hear of it (IDLE) once it is committed.
 */
export async function applyAction(ctx: WebContext, folder: OpenedFolder, action: Action, uids: number[], targetId: number): Promise<number> {
  const { db, redis, config, log } = ctx.deps;
  const mailboxId = folder.mailbox.id;
  const set = uidSetOf(uids);
  const changes: MailboxChange[] = [];
  let count = 0;
  const flags = async (op: 'add' | 'remove', flag: string) => {
    const r = await storeFlags(db, { mailboxId, uids: set, action: op, flags: [flag] });
    changes.push(...r.changes);
    count = r.updated.length + r.unchanged.length;
  };
  const moveTo = async (target: number) => {
    const r = await moveMessages(db, { sourceMailboxId: mailboxId, uids: set, targetMailboxId: target, targetQuota: null });
    changes.push(...r.changes);
    count = r.sourceUids.length;
  };
  switch (action) {
    case 'read':
      await flags('add', '\\Seen');
      break;
    case 'unread':
      await flags('remove', '\\Seen');
      break;
    case 'flag':
      await flags('add', '\\Flagged');
      break;
    case 'unflag':
      await flags('remove', '\\Flagged');
      break;
    case 'move': {
      const target = await openFolder(ctx, targetId);
      // only between the folders of one mailbox, and never into a \Noselect level
      if (target.owner.id !== folder.owner.id || target.mailbox.noselect || target.mailbox.id === mailboxId) {
        throw new PageError(400, ctx.strings(MAIL)('action.bad-target'));
      }
      await moveTo(target.mailbox.id);
      break;
    }
    case 'delete':
    case 'destroy': {
      // delete moves to Trash; in Trash (or for an owner without one) it is for ever
      const trash = action === 'delete' ? specialFolder(await folderEntries(ctx, folder.owner.id), '\\Trash') : undefined;
      if (trash && trash.id !== mailboxId) {
        await moveTo(trash.id);
        break;
      }
      // RFC 9051 §6.4.3: \Deleted, then EXPUNGE of just these UIDs (UID EXPUNGE, RFC 4315 §2.1)
      await flags('add', '\\Deleted');
      const r = await expungeMessages(db, mailboxId, set);
      changes.push(...r.changes);
      count = r.uids.length;
      break;
    }
  }
  publishMailboxChanges(redis, config.redisPrefix, changes).catch((err: Error) => log.warn({ err: err.message }, 'publishing mailbox changes failed'));
  return count;
}

/** POST /mail/f/<id>/actions: the selected messages (uid) and the button pressed (action). */
export async function postActions(req: FastifyRequest, reply: FastifyReply, mailboxId: number) {
  const ctx = req.web;
  const t = ctx.strings(MAIL);
  const form = readForm(req);
  const folder = await openFolder(ctx, mailboxId);
  if (!folder.writable) throw new PageError(403, t('action.read-only'));
  const action = form.text('action') as Action;
  if (!ACTIONS.includes(action)) throw new PageError(400, t('action.unknown'));
  if (action === 'destroy' && folder.mailbox.specialUse !== '\\Trash') throw new PageError(400, t('action.unknown'));
  const back = safeNext(form.text('back') || `/mail/f/${mailboxId}`);
  const join = back.includes('?') ? '&' : '?';
  const uids = selectedUids(form.texts('uid'));
  if (uids.length === 0) return seeOther(reply, `${back}${join}error=none`);
  if (action === 'move' && !form.text('target')) throw new PageError(400, t('action.bad-target'));
  const count = await applyAction(ctx, folder, action, uids, Number(form.text('target')));
  // from a message's page: one that left the folder cannot be shown again (on to the next one), and
  // one marked unread would be marked read again by showing it (back to its list)
  const after = form.text('after');
  const list = form.text('list');
  const where = ['move', 'delete', 'destroy'].includes(action) && after ? safeNext(after) : action === 'unread' && list ? safeNext(list) : back;
  return seeOther(reply, `${where}${where.includes('?') ? '&' : '?'}done=${action}&n=${count}`);
}
