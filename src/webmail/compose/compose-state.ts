import addressparser from 'nodemailer/lib/addressparser';
import type { Form } from '../forms.js';
import type { Mailbox } from './stored-message.js';

/**
 * Everything the compose form holds, as text: what the user typed, and what it carries
 * along unseen (the message it answers, the draft it continues, attachments of stored
 * messages by reference). Shown again unchanged when a send is refused.
 */
export interface ComposeState {
  /** the sender address chosen in the From select */
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  /** RFC 5322 §3.6.4: the msg-id of the message answered, e.g. "<a@b>" */
  inReplyTo: string;
  /** RFC 5322 §3.6.4: msg-ids separated by spaces */
  references: string;
  /** "mailboxId:uid" of the message answered, to flag \Answered once sent */
  answers: string;
  /** "mailboxId:uid" of the draft being edited, removed once sent or saved anew */
  draft: string;
  /** "mailboxId:uid:index" of stored attachments carried along (forward, reopened draft) */
  keep: string[];
}

export const emptyState = (from: string): ComposeState => ({
  from, to: '', cc: '', bcc: '', subject: '', body: '', inReplyTo: '', references: '', answers: '', draft: '', keep: [],
});

// form text is untrusted: header values lose CR, LF and other controls (RFC 5322 §2.2)
const oneLine = (text: string) => text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
const MSG_IDS = /<[^<>\s]{1,250}>/g;
const msgIds = (text: string) => (text.match(MSG_IDS) ?? []).slice(-50).join(' ');

/** The compose form as the browser sent it. */
export function readComposeState(form: Form): ComposeState {
  return {
    from: oneLine(form.text('from')),
    to: oneLine(form.text('to')),
    cc: oneLine(form.text('cc')),
    bcc: oneLine(form.text('bcc')),
    subject: oneLine(form.text('subject')).slice(0, 998),
    // RFC 5322 §2.3: lines end in CR LF on the wire; the textarea's own line ends are kept as LF here
    body: form.text('body').replace(/\r\n?/g, '\n'),
    inReplyTo: msgIds(form.text('inReplyTo')).split(' ')[0] ?? '',
    references: msgIds(form.text('references')),
    answers: oneLine(form.text('answers')),
    draft: oneLine(form.text('draft')),
    keep: form.texts('keep'),
  };
}

/** "Name <address>" as a recipient field shows it; the name quoted when it holds specials (RFC 5322 §3.4). */
export function formatMailbox(m: Mailbox): string {
  if (!m.name) return m.address;
  const name = /[()<>\[\]:;@\\,."]/.test(m.name) ? `"${m.name.replace(/["\\]/g, '\\$&')}"` : m.name;
  return `${name} <${m.address}>`;
}

/** A recipient field's entries: split at commas (and semicolons, as Outlook users type them) outside quotes and <>. */
function entries(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    if ((c === ',' || c === ';') && !quoted && !angle) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((e) => e.trim()).filter(Boolean);
}

/**
 * The addresses of a recipient field typed as "Name <a@b>, c@d", each with its display
 * name; an entry that holds no address comes back with the entry as its address, so the
 * recipient check names it as not valid.
 */
export function parseRecipients(text: string): Mailbox[] {
  return entries(text).map((entry) => {
    const [first] = addressparser(entry, { flatten: true });
    const address = first?.address?.trim() ?? '';
    return address.includes('@') ? { name: (first?.name ?? '').normalize('NFC'), address } : { name: '', address: entry };
  });
}
