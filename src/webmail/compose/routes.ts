import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getPreferences } from '../../identity/preferences.js';
import { accountOf, PageError, type WebmailDeps } from '../context.js';
import { readForm } from '../forms.js';
import { seeOther, sendPage } from '../plugin.js';
import { buildMessage, newMessageId } from './build-message.js';
import { readComposeState, type ComposeState } from './compose-state.js';
import { appendToSpecialFolder } from './folders.js';
import { composePage, senderChoices } from './page.js';
import { answerMessage, newMessage, ownAddresses, reopenDraft, type Answer } from './prefill.js';
import { keptAttachments, removeDraft, sendComposed, senderOf, uploadedFiles } from './send.js';
import { formatRef, loadStoredMessage, parseMessageRef } from './stored-message.js';
import { COMPOSE } from './strings.js';

type ComposeQuery = Partial<Record<'to' | Answer | 'draft' | 'saved', string>>;

const ANSWERS: readonly Answer[] = ['reply', 'replyAll', 'forward'];

/**
 * /mail/compose: a new message (?to=), a reply (?reply= / ?replyAll=), a forward
 * (?forward=), a draft opened again (?draft=), each naming a message as mailboxId:uid.
 * The POST sends (then 303 to /mail/?notice=sent) or saves a draft (then 303 back to the
 * draft); a refusal shows the form again with everything typed kept.
 */
export function registerComposeRoutes(app: FastifyInstance, _deps: WebmailDeps): void {
  async function show(req: FastifyRequest, reply: FastifyReply, state: ComposeState, extra: { status?: number; error?: string; notice?: string } = {}) {
    const ctx = req.web;
    const t = ctx.strings(COMPOSE);
    const account = accountOf(req);
    const kept = (await keptAttachments(ctx, state.keep)).map((f) => ({ ref: f.ref, filename: f.filename, size: f.content.length }));
    const title = state.answers ? t('compose.title-reply') : state.keep.length && !state.draft ? t('compose.title-forward') : t('compose.title');
    const notice = extra.notice ?? (state.draft ? t('compose.draft-open') : undefined);
    const page = await composePage(ctx, { state: { ...state, keep: kept.map((k) => k.ref) }, choices: await senderChoices(ctx, account), kept, title, error: extra.error, notice });
    return sendPage(reply, page, extra.status ?? 200);
  }

  app.get('/mail/compose', async (req, reply) => {
    const ctx = req.web;
    const account = accountOf(req);
    const query = req.query as ComposeQuery;
    const { signature } = await getPreferences(ctx.deps.db, account.id);
    const notFound = () => new PageError(404, ctx.t('error.not-found'));
    if (query.draft !== undefined) {
      const ref = parseMessageRef(query.draft);
      if (!ref) throw notFound();
      const state = reopenDraft(await loadStoredMessage(ctx, ref, { audit: true }), account.address);
      return show(req, reply, state, query.saved ? { notice: ctx.strings(COMPOSE)('compose.draft-saved') } : {});
    }
    const kind = ANSWERS.find((k) => query[k] !== undefined);
    if (kind) {
      const ref = parseMessageRef(query[kind]!);
      if (!ref) throw notFound();
      // quoting a message of an agency mailbox reads it: audited like the folder page
      const original = await loadStoredMessage(ctx, ref, { audit: true });
      // answering in an agency mailbox one may send as: the answer goes out as that mailbox
      const owner = original.opened.owner.address;
      const from = !original.opened.own && (await senderOf(ctx, account, owner)) ? owner : account.address;
      return show(req, reply, answerMessage(ctx, kind, original, from, ownAddresses(account, original), signature));
    }
    return show(req, reply, newMessage(account.address, signature, (query.to ?? '').replace(/[\r\n]/g, ' ').slice(0, 2000)));
  });

  app.post('/mail/compose', async (req, reply) => {
    const ctx = req.web;
    const t = ctx.strings(COMPOSE);
    const account = accountOf(req);
    const form = readForm(req);
    const state = readComposeState(form);
    const uploads = uploadedFiles(form.files('attachments'));
    if (form.text('intent') === 'draft') {
      const sender = (await senderOf(ctx, account, state.from)) ?? { address: account.address, name: account.displayName };
      const files = [...(await keptAttachments(ctx, state.keep)), ...uploads];
      const raw = await buildMessage(state, { from: { name: sender.name, address: sender.address }, files, messageId: newMessageId(ctx.deps.config.hostname), keepBcc: true, draft: true });
      const saved = await appendToSpecialFolder(ctx, account, '\\Drafts', raw, ['\\Draft', '\\Seen']);
      const previous = parseMessageRef(state.draft);
      if (previous) await removeDraft(ctx, previous);
      return seeOther(reply, `/mail/compose?draft=${formatRef(saved)}&saved=1`);
    }
    const outcome = await sendComposed(ctx, account, state, uploads);
    if (outcome.sent) return seeOther(reply, '/mail/?notice=sent');
    // files chosen in the browser cannot be put back into its file input
    const error = uploads.length ? `${outcome.refusal.text} ${t('refuse.files-again')}` : outcome.refusal.text;
    return show(req, reply, state, { status: outcome.refusal.status, error });
  });
}
