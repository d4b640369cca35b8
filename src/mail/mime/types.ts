/**
 * The parsed description of a stored message, kept in PostgreSQL (jsonb) beside the
 * raw blob so IMAP can answer ENVELOPE, BODYSTRUCTURE and section fetches without
 * parsing the blob again. Everything here is plain JSON.
 */

/**
 * Octets taken from a header. Valid UTF-8 without NUL is stored as the string itself
 * (readable in the database); anything else (raw windows-1258, NUL) as base64, so the
 * exact bytes survive jsonb, which rejects \u0000 and would mangle invalid UTF-8.
 */
export type OctetString = string | { readonly base64: string };

export interface MimeParam {
  /** parameter name as written; RFC 2231 pieces are joined into `name*` */
  name: OctetString;
  value: OctetString;
}

/**
 * One address in the RFC 3501 §7.4.2 form. A group start is
 * { name: null, route: null, mailbox: <group name>, host: null } and a group end is all null.
 */
export interface EnvelopeAddress {
  name: OctetString | null;
  /** source route ("at-domain-list"), e.g. "@relay.example,@mx.example" */
  route: OctetString | null;
  mailbox: OctetString | null;
  host: OctetString | null;
}

/**
 * ENVELOPE fields as the header gives them: values unfolded (CR LF removed), encoded-words
 * left encoded. When a field occurs twice, the last one counts (as Dovecot does).
 */
export interface Envelope {
  date: OctetString | null;
  subject: OctetString | null;
  from: EnvelopeAddress[] | null;
  /** null when absent; IMAP then shows From (RFC 3501 §7.4.2) */
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: OctetString | null;
  messageId: OctetString | null;
}

/**
 * How a part is treated:
 * - multipart: `children` are its body parts
 * - message: message/rfc822; `children` holds exactly one part, the encapsulated message
 * - text: text/* (or no Content-Type), BODYSTRUCTURE carries a line count
 * - basic: everything else
 */
export type PartKind = 'multipart' | 'message' | 'text' | 'basic';

export interface MimePart {
  kind: PartKind;
  /** offset of the first header octet */
  headerStart: number;
  /** offset of the first body octet; the header (with its blank line, if any) is [headerStart, bodyStart) */
  bodyStart: number;
  /** offset after the last body octet; the body is [bodyStart, bodyEnd) */
  bodyEnd: number;
  /** Content-Type as written; null when absent or unusable (IMAP then shows the default) */
  type: OctetString | null;
  subtype: OctetString | null;
  params: MimeParam[];
  id: OctetString | null;
  description: OctetString | null;
  /** Content-Transfer-Encoding as written; null when absent */
  encoding: OctetString | null;
  /** octets in the body as stored (bodyEnd - bodyStart) */
  bodySize: number;
  /** LF count of the body: RFC 3501 §7.4.2 size in text lines; counted for text and message parts, 0 for others */
  bodyLines: number;
  md5: OctetString | null;
  disposition: { type: OctetString; params: MimeParam[] } | null;
  language: OctetString[] | null;
  location: OctetString | null;
  /** set on the top-level part and on the encapsulated message of a message/rfc822 part */
  envelope?: Envelope;
  /** true when nesting or part limits stopped the parse here: the part is described as application/octet-stream */
  opaque?: true;
  children: MimePart[];
}

export interface SearchAddress {
  /** decoded display name (or group name for an empty group), NFC */
  name: string | null;
  /** "local@domain", lower-cased, domain in its ASCII (IDNA) form; null for an empty group */
  address: string | null;
  /** the group the address was listed in, decoded */
  group: string | null;
}

/** Header fields used by SEARCH, SORT and THREAD, decoded to Unicode (NFC). */
export interface SearchFields {
  /** every Subject header, decoded, in header order; SORT uses the first */
  subjects: string[];
  from: SearchAddress[];
  to: SearchAddress[];
  cc: SearchAddress[];
  bcc: SearchAddress[];
  /** the first Date header as an instant (ms since the epoch, UTC); null if absent or unparseable */
  sentAt: number | null;
  /** the calendar day as written in that header, in its own zone: "2024-03-02" */
  sentDay: string | null;
  /** first msg-id of the first Message-ID header, e.g. "<a@b>" */
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
}

export interface ParsedMessage {
  /** format version of this description, for upgrading stored rows */
  version: 1;
  /** octets in the raw message (RFC822.SIZE) */
  size: number;
  /** the message itself: its header and its body */
  root: MimePart & { envelope: Envelope };
  search: SearchFields;
}
