import { imapHumanStringText, imapNStringText, octetBytes, type OctetText, type WireString } from './imap-string.js';

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
function addressText(a: EnvelopeAddressShape): OctetText {
  return `(${imapHumanStringText(a.name)} ${imapNStringText(a.route)} ${imapNStringText(a.mailbox)} ${imapNStringText(a.host)})`;
}

function addressListText(list: readonly EnvelopeAddressShape[] | null): OctetText {
  // RFC 3501 §9 env-from etc.: "(" 1*address ")" / nil
  if (list === null || list.length === 0) return 'NIL';
  return `(${list.map(addressText).join('')})`;
}

/**
 * The ENVELOPE value, parenthesised (RFC 3501 §7.4.2, RFC 9051 §7.5.2): date, subject,
 * from, sender, reply-to, to, cc, bcc, in-reply-to, message-id. Built as one octet text,
 * turned into bytes once: FETCH 1:* (ENVELOPE) of a big folder renders thousands.
 */
export function renderEnvelope(env: EnvelopeShape): Buffer {
  // RFC 3501 §7.4.2: an absent (or empty) Sender or Reply-To takes the value of From
  const sender = env.sender && env.sender.length > 0 ? env.sender : env.from;
  const replyTo = env.replyTo && env.replyTo.length > 0 ? env.replyTo : env.from;
  const fields = [
    imapNStringText(env.date),
    imapHumanStringText(env.subject),
    addressListText(env.from),
    addressListText(sender),
    addressListText(replyTo),
    addressListText(env.to),
    addressListText(env.cc),
    addressListText(env.bcc),
    imapNStringText(env.inReplyTo),
    imapNStringText(env.messageId),
  ];
  return octetBytes(`(${fields.join(' ')})`);
}
