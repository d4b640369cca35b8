import { noteMessageOpened } from '../mail-access.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fetchMessages, publishMailboxChanges, storeFlags, type FetchedMessage } from '../../mail/index.js';
import type { ParsedMessage, SearchAddress } from '../../mail/mime/index.js';
import { PageError, type WebContext } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage } from '../plugin.js';
import { messageFrameHeaders, renderMessageFrame, renderPlainText, sanitizeMailHtml } from '../sanitize/index.js';
import { actionOutcome } from './folder-page.js';
import { folderEntries, folderSidebar, openFolder, type OpenedFolder } from './folders.js';
import { neighbours } from './list-query.js';
import { actionButtons, actionsForm } from './list-view.js';
import { bodyText, decodedBody, flowedOf, messageLayout, partById, type MessageLayout, type ReadablePart } from './message-parts.js';
import { MAIL } from './strings.js';

/** A message the reader may see, with its stored MIME description. */
export interface OpenedMessage {
  folder: OpenedFolder;
  message: FetchedMessage & { parsed: ParsedMessage };
  layout: MessageLayout;
}

/** Opens a message by folder and UID through openMailbox (404 when either is not the reader's to see). */
export async function openMessage(ctx: WebContext, mailboxId: number, uid: number, options: { audit?: boolean } = {}): Promise<OpenedMessage> {
  const folder = await openFolder(ctx, mailboxId, options);
  if (!Number.isSafeInteger(uid) || uid <= 0 || uid > 4_294_967_295) throw new PageError(404, ctx.strings(MAIL)('message.gone'));
  const [message] = await fetchMessages(ctx.deps.db, mailboxId, [[uid, uid]], { parsed: true, blobs: ctx.deps.blobs });
  if (!message?.parsed) throw new PageError(404, ctx.strings(MAIL)('message.gone'));
  return { folder, message: message as OpenedMessage['message'], layout: messageLayout(message.parsed.root) };
}

const messageUrl = (m: OpenedMessage) => `/mail/m/${m.folder.mailbox.id}/${m.message.uid}`;

/** The URL an inline part (cid:) is shown through, or undefined when the message has no such part. */
function cidUrl(m: OpenedMessage): (contentId: string) => string | undefined {
  return (cid) => {
    const part = m.layout.inline.find((p) => p.contentId === cid) ?? m.layout.attachments.find((p) => p.contentId === cid);
    return part ? `${messageUrl(m)}/part/${part.id}?inline=1` : undefined;
  };
}

/** The body as the frame's HTML, and how many remote images were held back. */
async function bodyHtml(ctx: WebContext, m: OpenedMessage, allowRemoteImages: boolean): Promise<{ html: string; blocked: number }> {
  const body = m.layout.body;
  if (!body) return { html: renderPlainText(ctx.strings(MAIL)('message.no-body')), blocked: 0 };
  const raw = await ctx.deps.blobs.readRange(m.message.blobHash, body.part.bodyStart, body.part.bodyEnd);
  const text = bodyText(raw, body.part);
  if (body.type === 'text/html') {
    const clean = sanitizeMailHtml(text, { allowRemoteImages, cidUrl: cidUrl(m) });
    return { html: clean.html, blocked: clean.blockedRemoteImages };
  }
  return { html: renderPlainText(text, flowedOf(body.part)), blocked: 0 };
}

const addressList = (list: readonly SearchAddress[]): string =>
  list.map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : (a.address ?? a.name ?? a.group ?? ''))).join(', ');

/** The message page: headers, actions, the body in its sandboxed frame, attachments. Marks the message \Seen. */
export async function showMessage(req: FastifyRequest, reply: FastifyReply, mailboxId: number, uid: number) {
  const ctx = req.web;
  const t = ctx.strings(MAIL);
  const query = req.query as Record<string, unknown>;
  const m = await openMessage(ctx, mailboxId, uid, { audit: true });
  const { folder, message } = m;
  const search = message.parsed.search;
  await noteMessageOpened(ctx, folder, { uid, messageId: search.messageId, subject: search.subjects[0] ?? null });
  if (folder.writable && !message.flags.includes('\\Seen')) {
    const r = await storeFlags(ctx.deps.db, { mailboxId, uids: [[uid, uid]], action: 'add', flags: ['\\Seen'] });
    publishMailboxChanges(ctx.deps.redis, ctx.deps.config.redisPrefix, r.changes).catch((err: Error) => ctx.deps.log.warn({ err: err.message }, 'publishing mailbox changes failed'));
  }
  const images = query.images === '1';
  const { blocked } = m.layout.body?.type === 'text/html' && !images ? await bodyHtml(ctx, m, false) : { blocked: 0 };
  const near = await neighbours(ctx.deps.db, mailboxId, uid);
  const here = messageUrl(m);
  const subject = search.subjects[0]?.trim() || t('list.no-subject');
  const date = new Date(search.sentAt ?? message.internalDate.getTime());
  const ref = `${mailboxId}:${uid}`;
  const entries = await folderEntries(ctx, folder.owner.id);
  const listUrl = `/mail/f/${mailboxId}`;
  const header = (label: string, list: readonly SearchAddress[]) => (list.length ? html`<dt>${label}</dt><dd>${addressList(list)}</dd>` : '');
  const flagged = message.flags.includes('\\Flagged');
  const nav = html`<nav class="msgnav">
<a href="${listUrl}" data-key="u">${t('message.back')}</a>
${near.newer ? html`<a href="/mail/m/${mailboxId}/${near.newer}" rel="prev" data-key="k">${t('message.previous')}</a>` : ''}
${near.older ? html`<a href="/mail/m/${mailboxId}/${near.older}" rel="next" data-key="j">${t('message.next')}</a>` : ''}
</nav>`;
  const replies = html`<div class="replies">
<a class="button" href="/mail/compose?reply=${ref}" data-key="r">${t('message.reply')}</a>
<a class="button secondary" href="/mail/compose?replyAll=${ref}" data-key="a">${t('message.reply-all')}</a>
<a class="button secondary" href="/mail/compose?forward=${ref}" data-key="f">${t('message.forward')}</a>
</div>`;
  const after = near.older ? `/mail/m/${mailboxId}/${near.older}` : near.newer ? `/mail/m/${mailboxId}/${near.newer}` : listUrl;
  const actions = folder.writable
    ? actionsForm(
        ctx,
        folder.mailbox,
        here,
        html`<input type="hidden" name="uid" value="${uid}"><input type="hidden" name="after" value="${after}"><input type="hidden" name="list" value="${listUrl}">${actionButtons(ctx, folder.mailbox, entries, { single: true, flagged })}`,
      )
    : '';
  const main = html`<article class="message">
<div class="msgbar">${nav}${replies}</div>
${actions}
<h1>${subject}${flagged ? html` <span class="flag" title="${t('list.flagged')}">★</span>` : ''}</h1>
<dl class="headers">
${header(t('message.from'), search.from)}${header(t('message.to'), search.to)}${header(t('message.cc'), search.cc)}
<dt>${t('message.date')}</dt><dd><time datetime="${date.toISOString()}">${ctx.format.longDate(date)}</time></dd>
</dl>
${blocked > 0 ? html`<p class="blocked" role="status">${t('message.images-blocked')} — <a href="${here}?images=1">${t('message.show-images')}</a></p>` : ''}
<iframe class="body" title="${t('message.body-title')}" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" data-fit src="${here}/body${images ? '?images=1' : ''}"></iframe>
${attachmentList(ctx, m)}
</article>`;
  return sendPage(
    reply,
    await renderPage(ctx, { title: subject, section: 'mail', current: 'mail', main, sidebar: await folderSidebar(ctx, folder.owner.id, mailboxId), ...actionOutcome(ctx, query) }),
  );
}

function attachmentList(ctx: WebContext, m: OpenedMessage): SafeHtml | '' {
  const t = ctx.strings(MAIL);
  if (m.layout.attachments.length === 0) return '';
  return html`<section class="attachments"><h2>${t('message.attachments')}</h2><ul>${m.layout.attachments.map(
    (p) => html`<li><a href="${messageUrl(m)}/part/${p.id}" download="${partName(p)}"><span class="clip"></span>${partName(p)}</a> <span class="muted">${ctx.format.size(p.part.bodySize)}</span></li>`,
  )}</ul></section>`;
}

/** The name a part is saved under. */
function partName(p: ReadablePart): string {
  if (p.filename) return p.filename;
  const ext = p.type === 'message/rfc822' ? 'eml' : (/^image\/(png|jpeg|gif|webp)$/.exec(p.type)?.[1]?.replace('jpeg', 'jpg') ?? 'bin');
  return `part-${p.id}.${ext}`;
}

/** GET …/body: the sanitized body as its own document, under the frame's strict CSP. */
export async function showBody(req: FastifyRequest, reply: FastifyReply, mailboxId: number, uid: number) {
  const ctx = req.web;
  const m = await openMessage(ctx, mailboxId, uid);
  const allowRemoteImages = (req.query as Record<string, unknown>).images === '1';
  const body = await bodyHtml(ctx, m, allowRemoteImages);
  const page = renderMessageFrame(body.html, { lang: ctx.locale, title: m.message.parsed.search.subjects[0] ?? '' });
  // the webmail's own page frames it: same origin only (the frame's CSP says frame-ancestors 'self')
  return reply.headers(messageFrameHeaders({ allowRemoteImages })).header('X-Frame-Options', 'SAMEORIGIN').send(page);
}

/** Raster images a browser shows without running anything; every other type is downloaded as octets. */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);
/** Types that could run script if a browser rendered them: never sent under their own type. */
const ACTIVE_TYPE = /html|xml|script|svg|xsl|css|multipart|text\/(?!plain$)/;

/** RFC 6266 §4.3 + RFC 8187: an ASCII filename for old browsers and the UTF-8 one (Vietnamese names) for the rest. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  // RFC 8187 §3.2.1 attr-char: everything else percent-encoded
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * GET …/part/<id>: one part, decoded. Downloads carry Content-Disposition: attachment
 * and a type that cannot run script; only raster images asked for inline (cid: images
 * of the body) are shown in place. Nothing here is ever text/html.
 */
export async function showPart(req: FastifyRequest, reply: FastifyReply, mailboxId: number, uid: number, partId: string) {
  const ctx = req.web;
  const m = await openMessage(ctx, mailboxId, uid);
  const part = partById(m.message.parsed.root, partId);
  if (!part || part.kind === 'multipart') throw new PageError(404, ctx.t('error.not-found'));
  const listed = [...m.layout.attachments, ...m.layout.inline, ...(m.layout.body ? [m.layout.body] : [])].find((p) => p.id === partId);
  const readable: ReadablePart = listed ?? { id: partId, part, type: 'application/octet-stream', filename: null, contentId: null };
  const raw = await ctx.deps.blobs.readRange(m.message.blobHash, part.bodyStart, part.bodyEnd);
  const content = part.kind === 'message' ? raw : decodedBody(raw, part);
  const inline = (req.query as Record<string, unknown>).inline === '1' && INLINE_IMAGES.has(readable.type);
  const type = inline || (!ACTIVE_TYPE.test(readable.type) && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(readable.type)) ? readable.type : 'application/octet-stream';
  return reply
    .header('Content-Type', type)
    .header('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', partName(readable)))
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, max-age=300')
    .send(content);
}
