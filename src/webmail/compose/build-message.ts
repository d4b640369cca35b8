import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ComposeState } from './compose-state.js';
import { parseRecipients } from './compose-state.js';
import type { Mailbox } from './stored-message.js';

/** A file the message carries: uploaded with the form, or taken from a stored message. */
export interface OutgoingFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Header naming the message a draft answers, so a reopened draft still flags it \Answered when sent. */
export const ANSWERS_HEADER = 'X-Hopthu-Answers';

/** RFC 5322 §3.6.4: a new Message-ID, unique by its random part, on this server's name. */
export const newMessageId = (hostname: string) => `<${randomUUID()}@${hostname}>`;

/**
 * The message in MIME, made by nodemailer's MailComposer: UTF-8 headers as RFC 2047
 * encoded-words, the text part UTF-8 (quoted-printable or base64, whichever is
 * shorter), attachment names in RFC 2231 form. `keepBcc` keeps the Bcc field: for the
 * Sent copy and for drafts, never for the copy that is sent (RFC 5322 §3.6.3).
 */
export async function buildMessage(
  state: ComposeState,
  input: { from: Mailbox; files: readonly OutgoingFile[]; messageId: string; keepBcc: boolean; draft?: boolean },
): Promise<Buffer> {
  const list = (text: string) => parseRecipients(text).map((m) => ({ name: m.name, address: m.address }));
  const headers: Record<string, string> = {};
  if (input.draft && state.answers) headers[ANSWERS_HEADER] = state.answers;
  const composer = new MailComposer({
    from: { name: input.from.name, address: input.from.address },
    to: list(state.to),
    cc: list(state.cc),
    bcc: list(state.bcc),
    subject: state.subject,
    // RFC 5322 §2.3: CR LF line ends in the message
    text: state.body.replace(/\n/g, '\r\n'),
    messageId: input.messageId,
    date: new Date(),
    ...(state.inReplyTo ? { inReplyTo: state.inReplyTo } : {}),
    ...(state.references ? { references: state.references } : {}),
    headers,
    attachments: input.files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: f.content })),
  });
  const node = composer.compile();
  (node as unknown as { keepBcc: boolean }).keepBcc = input.keepBcc;
  return node.build();
}
