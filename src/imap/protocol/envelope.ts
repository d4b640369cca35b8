import { NIL, imapHumanString, imapList, imapNString, type WireString } from './imap-string.js';

/** One address in RFC 3501 §7.4.2 form; group markers use null name, route and host. */
export interface EnvelopeAddressShape {
  name: WireString | null;
  route: WireString | null;
  mailbox: WireString | null;
  host: WireString | null;
}

/** What ENVELOPE needs; src/mail/mime's Envelope has this shape. */
export interface EnvelopeShape {
  date: WireString | null;
  subject: WireString | null;
  from: readonly EnvelopeAddressShape[] | null;
  sender: readonly EnvelopeAddressShape[] | null;
  replyTo: readonly EnvelopeAddressShape[] | null;
  to: readonly EnvelopeAddressShape[] | null;
  cc: readonly EnvelopeAddressShape[] | null;
  bcc: readonly EnvelopeAddressShape[] | null;
  inReplyTo: WireString | null;
  messageId: WireString | null;
}

/** RFC 3501 §7.4.2: address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
function renderAddress(a: EnvelopeAddressShape): Buffer {
  return imapList([imapHumanString(a.name), imapNString(a.route), imapNString(a.mailbox), imapNString(a.host)]);
}

function renderAddressList(list: readonly EnvelopeAddressShape[] | null): Buffer {
  // RFC 3501 §9 env-from etc.: "(" 1*address ")" / nil
  if (list === null || list.length === 0) return NIL;
  return Buffer.concat([Buffer.from('('), ...list.map(renderAddress), Buffer.from(')')]);
}

/**
 * The ENVELOPE value, parenthesised (RFC 3501 §7.4.2, RFC 9051 §7.5.2): date, subject,
 * from, sender, reply-to, to, cc, bcc, in-reply-to, message-id.
 */
export function renderEnvelope(env: EnvelopeShape): Buffer {
  // RFC 3501 §7.4.2: an absent (or empty) Sender or Reply-To takes the value of From
  const sender = env.sender && env.sender.length > 0 ? env.sender : env.from;
  const replyTo = env.replyTo && env.replyTo.length > 0 ? env.replyTo : env.from;
  return imapList([
    imapNString(env.date),
    imapHumanString(env.subject),
    renderAddressList(env.from),
    renderAddressList(sender),
    renderAddressList(replyTo),
    renderAddressList(env.to),
    renderAddressList(env.cc),
    renderAddressList(env.bcc),
    imapNString(env.inReplyTo),
    imapNString(env.messageId),
  ]);
}
