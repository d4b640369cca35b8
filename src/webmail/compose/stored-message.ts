import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { fetchMessages } from '../../mail/fetch.js';
import { uidSetOf } from '../../mail/uid-set.js';
import { PageError, type WebContext } from '../context.js';
import { openMailbox, type OpenedMailbox } from '../mail-access.js';

/** "12:345": a message by folder id and UID, as compose's links and hidden fields carry it. */
export interface MessageRef {
  mailboxId: number;
  uid: number;
}

/** "12:345:2": an attachment of a stored message, by its place in the message's attachment list. */
export interface AttachmentRef extends MessageRef {
  index: number;
}

const MESSAGE_REF = /^(\d{1,15}):(\d{1,10})$/;
const ATTACHMENT_REF = /^(\d{1,15}):(\d{1,10}):(\d{1,4})$/;

export function parseMessageRef(text: string): MessageRef | undefined {
  const m = MESSAGE_REF.exec(text);
  return m ? { mailboxId: Number(m[1]), uid: Number(m[2]) } : undefined;
}

export function parseAttachmentRef(text: string): AttachmentRef | undefined {
  const m = ATTACHMENT_REF.exec(text);
  return m ? { mailboxId: Number(m[1]), uid: Number(m[2]), index: Number(m[3]) } : undefined;
}

export const formatRef = (ref: MessageRef, index?: number) => `${ref.mailboxId}:${ref.uid}${index === undefined ? '' : `:${index}`}`;

/** A message of a folder the reader may open, parsed (headers decoded, text, attachments). */
export interface StoredMessage {
  ref: MessageRef;
  opened: OpenedMailbox;
  flags: string[];
  parsed: ParsedMail;
}

/**
 * Loads a message through the webmail's one access check (own folder or a delegated
 * agency mailbox, audited as delegation.read with `audit`; anything else is a 404). The blob is parsed with mailparser, which
 * decodes RFC 2047 headers, charsets and transfer encodings.
 */
export async function loadStoredMessage(ctx: WebContext, ref: MessageRef, options: { audit?: boolean } = {}): Promise<StoredMessage> {
  const opened = await openMailbox(ctx, ref.mailboxId, options);
  const [found] = await fetchMessages(ctx.deps.db, ref.mailboxId, uidSetOf([ref.uid]));
  if (!found || found.uid !== ref.uid) throw new PageError(404, ctx.t('error.not-found'));
  const parsed = await simpleParser(await ctx.deps.blobs.read(found.blobHash), { skipImageLinks: true, skipTextToHtml: true });
  return { ref, opened, flags: found.flags, parsed };
}

/** An address of a parsed header as the compose form writes it: "Name <address>" or the address alone. */
export interface Mailbox {
  name: string;
  address: string;
}

/** The addresses of a parsed header field, groups flattened. */
export function addressesOf(field: AddressObject | AddressObject[] | undefined): Mailbox[] {
  const out: Mailbox[] = [];
  const walk = (list: ReadonlyArray<{ address?: string | undefined; name: string; group?: ReadonlyArray<{ address?: string | undefined; name: string }> | undefined }>) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address) out.push({ name: a.name.normalize('NFC'), address: a.address });
    }
  };
  for (const obj of field === undefined ? [] : Array.isArray(field) ? field : [field]) walk(obj.value);
  return out;
}

/** An attachment of a stored message, fetched again by its reference when a form is sent. */
export interface StoredAttachment {
  ref: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

/** The attachments of a parsed message that a forward or a reopened draft carries (inline images included). */
export function attachmentsOf(message: StoredMessage): StoredAttachment[] {
  return message.parsed.attachments.map((a, index) => ({
    ref: formatRef(message.ref, index),
    filename: (a.filename ?? `attachment-${index + 1}`).normalize('NFC'),
    contentType: a.contentType || 'application/octet-stream',
    content: a.content,
  }));
}
