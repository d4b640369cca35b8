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

/** RFC 3501 §4.3: a quoted string holds 7-bit TEXT-CHARs only (no CR, LF, NUL, 8-bit) */
function quotable(bytes: Buffer, utf8: boolean): boolean {
  for (const c of bytes) if (c === 0 || c === 0x0d || c === 0x0a || (c >= 0x80 && !utf8)) return false;
  return true;
}

/**
 * an IMAP string: quoted with `"` and `\` escaped, or a {n} literal for anything else.
 * `utf8`: RFC 9051 §4.3 / RFC 6855 §3 quoted strings may hold UTF-8 once IMAP4rev2 or
 * UTF8=ACCEPT is enabled (the caller checks the octets are UTF-8).
 */
export function imapString(bytes: Buffer, utf8 = false): Buffer {
  const safe = withoutNul(bytes);
  if (!quotable(safe, utf8)) return Buffer.concat([Buffer.from(`{${safe.length}}\r\n`), safe]);
  const escaped = safe.toString('latin1').replace(/["\\]/g, '\\$&');
  return Buffer.from(`"${escaped}"`, 'latin1');
}

export function imapNString(value: WireString | null): Buffer {
  return value === null ? NIL : imapString(wireBytes(value));
}

/**
 * Subject and display names as Dovecot shows them "for humans": line breaks dropped, runs
 * of SP/HTAB become one space, leading and trailing blanks trimmed. RFC 3501 leaves the
 * presentation of these strings open; matching a widely used server keeps clients calm.
 */
export function imapHumanString(value: WireString | null): Buffer {
  if (value === null) return NIL;
  const src = wireBytes(value);
  const out: number[] = [];
  let blank = true;
  for (const c of src) {
    if (c === 0x0d || c === 0x0a) continue;
    if (c === 0x20 || c === 0x09) {
      if (!blank) out.push(0x20);
      blank = true;
    } else {
      out.push(c);
      blank = false;
    }
  }
  if (blank && out.length > 0) out.pop();
  return imapString(Buffer.from(out));
}

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
