import { parseAddressList, type RawAddress } from './addresses.js';
import { findLast, unfoldedValue, type HeaderField } from './header-fields.js';
import { toOctetString } from './octet-string.js';
import type { Envelope, EnvelopeAddress } from './types.js';

const octetsOrNull = (b: Buffer | null): EnvelopeAddress['name'] => (b === null ? null : toOctetString(b));

export function toEnvelopeAddress(a: RawAddress): EnvelopeAddress {
  return { name: octetsOrNull(a.name), route: octetsOrNull(a.route), mailbox: octetsOrNull(a.mailbox), host: octetsOrNull(a.host) };
}

/**
 * The RFC 3501 §7.4.2 ENVELOPE fields of a message header. Values stay as written
 * (encoded-words are not decoded); when a field is repeated the last one counts.
 */
export function buildEnvelope(raw: Buffer, fields: readonly HeaderField[]): Envelope {
  const text = (name: string): Envelope['date'] => {
    const f = findLast(fields, name);
    return f ? toOctetString(unfoldedValue(raw, f)) : null;
  };
  const addresses = (name: string): EnvelopeAddress[] | null => {
    const f = findLast(fields, name);
    const list = f ? parseAddressList(unfoldedValue(raw, f)) : null;
    return list ? list.map(toEnvelopeAddress) : null;
  };
  return {
    date: text('date'),
    subject: text('subject'),
    from: addresses('from'),
    sender: addresses('sender'),
    replyTo: addresses('reply-to'),
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    inReplyTo: text('in-reply-to'),
    messageId: text('message-id'),
  };
}
