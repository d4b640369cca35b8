import { baseSubject } from '../../mail/base-subject.js';
import { htmlToText } from '../../mail/text-decode.js';
import type { Account } from '../../identity/accounts.js';
import type { WebContext } from '../context.js';
import { ANSWERS_HEADER } from './build-message.js';
import { emptyState, formatMailbox, type ComposeState } from './compose-state.js';
import { addressesOf, attachmentsOf, formatRef, type Mailbox, type StoredMessage } from './stored-message.js';
import { COMPOSE } from './strings.js';

export type Answer = 'reply' | 'replyAll' | 'forward';

/** RFC 3676 §4.3: the signature separator, "-- " alone on a line. */
const withSignature = (signature: string) => (signature.trim() ? `\n\n-- \n${signature.replace(/\r\n?/g, '\n').trimEnd()}\n` : '');

const list = (mailboxes: readonly Mailbox[]) => mailboxes.map(formatMailbox).join(', ');

/** The text a reply quotes or a forward includes: the plain part, or the HTML part's words. */
function textOf(message: StoredMessage): string {
  const { text, html } = message.parsed;
  return (text ?? (html ? htmlToText(html) : '')).replace(/\r\n?/g, '\n').trimEnd();
}

/** A new message: empty, with the signature. */
export function newMessage(from: string, signature: string, to = ''): ComposeState {
  return { ...emptyState(from), to, body: withSignature(signature) };
}

/**
 * A reply, a reply to all or a forward of a stored message. Recipients follow RFC 5322
 * §3.6.3 (Reply-To when present, else From; to all adds the original To and Cc, the
 * user's own addresses left out); the subject gets one "Re: " or "Fwd: " on its base
 * subject (RFC 5256 §2.1, so "Re: Re:" never piles up); the threading fields follow
 * RFC 5322 §3.6.4. A forward carries the original's attachments by reference.
 */
export function answerMessage(ctx: WebContext, kind: Answer, original: StoredMessage, from: string, own: readonly string[], signature: string): ComposeState {
  const t = ctx.strings(COMPOSE);
  const p = original.parsed;
  const author = addressesOf(p.from)[0];
  const when = p.date ? ctx.format.longDate(p.date) : '';
  const base = baseSubject((p.subject ?? '').normalize('NFC')).text;
  const state = emptyState(from);
  if (kind === 'forward') {
    const header = [
      t('compose.forward-header'),
      `${t('compose.fwd-from')}: ${author ? formatMailbox(author) : ''}`,
      `${t('compose.fwd-date')}: ${when}`,
      `${t('compose.fwd-subject')}: ${p.subject ?? ''}`,
      `${t('compose.fwd-to')}: ${list(addressesOf(p.to))}`,
    ].join('\n');
    return { ...state, subject: `Fwd: ${base}`, body: `${withSignature(signature)}\n\n${header}\n\n${textOf(original)}\n`, keep: attachmentsOf(original).map((a) => a.ref) };
  }
  const mine = new Set(own.map((a) => a.toLowerCase()));
  const seen = new Set<string>();
  const pick = (mailboxes: readonly Mailbox[]) =>
    mailboxes.filter((m) => {
      const key = m.address.toLowerCase();
      if (mine.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const replyTo = addressesOf(p.replyTo);
  const primary = replyTo.length ? replyTo : addressesOf(p.from);
  // replying to one's own message goes to its recipients rather than to oneself
  let to = pick(primary);
  if (to.length === 0 && kind === 'reply') to = pick(addressesOf(p.to));
  if (kind === 'replyAll') to = [...to, ...pick(addressesOf(p.to))];
  const cc = kind === 'replyAll' ? pick(addressesOf(p.cc)) : [];
  const messageId = p.messageId ?? '';
  // RFC 5322 §3.6.4: the parent's References (or its In-Reply-To), then the parent's Message-ID
  const parentRefs = p.references ? [p.references].flat() : p.inReplyTo ? [p.inReplyTo] : [];
  const references = [...parentRefs, messageId].filter(Boolean).join(' ');
  const quoted = textOf(original)
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  const intro = t('compose.quote-header', { date: when, name: author?.name || author?.address || '' });
  return {
    ...state,
    to: list(to),
    cc: list(cc),
    subject: `Re: ${base}`,
    body: `${withSignature(signature)}\n\n${intro}\n${quoted}\n`,
    inReplyTo: messageId,
    references,
    answers: formatRef(original.ref),
  };
}

/** A draft opened again: its fields, its attachments by reference, and itself as the draft to replace. */
export function reopenDraft(draft: StoredMessage, fallbackFrom: string): ComposeState {
  const p = draft.parsed;
  const answers = p.headers.get(ANSWERS_HEADER.toLowerCase());
  return {
    from: addressesOf(p.from)[0]?.address ?? fallbackFrom,
    to: list(addressesOf(p.to)),
    cc: list(addressesOf(p.cc)),
    bcc: list(addressesOf(p.bcc)),
    subject: (p.subject ?? '').normalize('NFC'),
    body: (p.text ?? '').replace(/\r\n?/g, '\n').replace(/\n$/, ''),
    inReplyTo: p.inReplyTo ?? '',
    references: p.references ? [p.references].flat().join(' ') : '',
    answers: typeof answers === 'string' ? answers : '',
    draft: formatRef(draft.ref),
    keep: attachmentsOf(draft).map((a) => a.ref),
  };
}

/** The addresses a reply leaves out: the user's own and the mailbox the original lies in. */
export const ownAddresses = (account: Account, original: StoredMessage) => [account.address, original.opened.owner.address];
