/**
 * IMAP string rendering (RFC 3501 §4.3, RFC 9051 §4.3): quoted when the octets allow it,
 * a literal otherwise, NIL for an absent nstring.
 */

/**
 * Octets as stored beside a message: UTF-8 text, or base64 for anything else
 * (raw legacy charsets, NUL). The same shape src/mail/mime stores.
 */
export type WireString = string | { readonly base64: string };

export const NIL = Buffer.from('NIL');

export function wireBytes(value: WireString): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.base64, 'base64');
}

/** RFC 3501 §9 CHAR8 excludes NUL, in quoted strings and literals alike; show it as 0x80 like Dovecot */
export function withoutNul(bytes: Buffer): Buffer {
  if (!bytes.includes(0)) return bytes;
  const copy = Buffer.from(bytes);
  for (let i = copy.indexOf(0); i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return copy;
}

/**
 * The renderers below work on octet text: a JS string holding one octet per character
 * (latin1), so a whole value is built by string concatenation and becomes bytes once.
 */
export type OctetText = string;

const ASCII = /^[\x00-\x7f]*$/;

export function wireOctets(value: WireString): OctetText {
  if (typeof value !== 'string') return Buffer.from(value.base64, 'base64').toString('latin1');
  return ASCII.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

export const octetBytes = (text: OctetText): Buffer => Buffer.from(text, 'latin1');

/** RFC 3501 §4.3: a quoted string holds 7-bit TEXT-CHARs only (no CR, LF, NUL, 8-bit) */
const NOT_QUOTABLE = /[\0\r\n\x80-\xff]/;
/** RFC 9051 §4.3 / RFC 6855 §3: with UTF-8 allowed, 8-bit octets may be quoted too */
const NOT_QUOTABLE_UTF8 = /[\0\r\n]/;

/** imapString on octet text */
export function imapStringText(octets: OctetText, utf8 = false): OctetText {
  // RFC 3501 §9 CHAR8 excludes NUL, in quoted strings and literals alike; show it as 0x80 like Dovecot
  const safe = octets.includes('\0') ? octets.replaceAll('\0', '\x80') : octets;
  if ((utf8 ? NOT_QUOTABLE_UTF8 : NOT_QUOTABLE).test(safe)) return `{${safe.length}}\r\n${safe}`;
  return `"${safe.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * an IMAP string: quoted with `"` and `\` escaped, or a {n} literal for anything else.
 * `utf8`: RFC 9051 §4.3 / RFC 6855 §3 quoted strings may hold UTF-8 once IMAP4rev2 or
 * UTF8=ACCEPT is enabled (the caller checks the octets are UTF-8).
 */
export function imapString(bytes: Buffer, utf8 = false): Buffer {
  return octetBytes(imapStringText(bytes.toString('latin1'), utf8));
}

/** imapNString on octet text */
export const imapNStringText = (value: WireString | null): OctetText => (value === null ? 'NIL' : imapStringText(wireOctets(value)));

export function imapNString(value: WireString | null): Buffer {
  return value === null ? NIL : octetBytes(imapNStringText(value));
}

/**
 * Subject and display names as Dovecot shows them "for humans": line breaks dropped, runs
 * of SP/HTAB become one space, leading and trailing blanks trimmed. RFC 3501 leaves the
 * presentation of these strings open; matching a widely used server keeps clients calm.
 */
export function imapHumanStringText(value: WireString | null): OctetText {
  if (value === null) return 'NIL';
  const human = wireOctets(value).replace(/[\r\n]/g, '').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
  return imapStringText(human);
}

export const imapHumanString = (value: WireString | null): Buffer => octetBytes(imapHumanStringText(value));

/** "(" items joined by SP ")" */
export function imapList(items: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('(')];
  items.forEach((item, i) => {
    if (i > 0) parts.push(Buffer.from(' '));
    parts.push(item);
  });
  parts.push(Buffer.from(')'));
  return Buffer.concat(parts);
}

/** a list, or NIL when there is nothing to list */
export const imapListOrNil = (items: readonly Buffer[]): Buffer => (items.length === 0 ? NIL : imapList(items));

export const imapNumber = (n: number): Buffer => Buffer.from(String(n));
