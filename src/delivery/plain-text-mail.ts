/**
 * The messages the server writes itself (notices to administrators, vacation replies):
 * plain UTF-8 text, so Vietnamese arrives intact through any relay.
 */

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** RFC 2047 §2: an encoded-word is at most 75 characters; "=?UTF-8?B?" + "?=" leave 63, which hold 45 octets in base64 */
const OCTETS_PER_WORD = 45;

/**
 * Header text as it may be written: printable ASCII as it is, anything else as RFC 2047
 * B encoded-words of at most 75 characters, each holding whole characters (§5: a word
 * never splits a UTF-8 sequence), folded onto continuation lines (RFC 5322 §2.2.3).
 */
export function encodeHeaderText(text: string): string {
  const nfc = text.normalize('NFC');
  if (PRINTABLE_ASCII.test(nfc)) return nfc;
  const words: string[] = [];
  let chunk = '';
  for (const ch of nfc) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > OCTETS_PER_WORD) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** `Name <address>` for From and To: the name quoted (RFC 5322 §3.2.4) or encoded (RFC 2047 §5(3)); the bare address without one. */
export function mailboxHeader(name: string, address: string): string {
  const display = name.normalize('NFC').trim();
  if (!display) return address;
  if (!PRINTABLE_ASCII.test(display)) return `${encodeHeaderText(display)} <${address}>`;
  return `"${display.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/**
 * A whole message: the header fields given, in order, then the MIME fields of UTF-8
 * text in base64 (lines of 76, RFC 2045 §6.8), the text with CRLF line breaks
 * (RFC 2046 §4.1.1). Field values must already be encoded (encodeHeaderText).
 */
export function plainTextMessage(fields: ReadonlyArray<readonly [string, string]>, text: string): Buffer {
  const canonical = text.normalize('NFC').replace(/\r?\n/g, '\r\n');
  const body = Buffer.from(canonical, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      ...fields.map(([name, value]) => `${name}: ${value}`),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

/** RFC 5322 §3.3 date-time of now, in UTC. */
export const headerDate = (now = new Date()): string => now.toUTCString().replace('GMT', '+0000');
