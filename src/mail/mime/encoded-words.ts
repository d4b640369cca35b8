import { decodeCharset, decodeUnlabelled } from './charset.js';

/**
 * RFC 2047 encoded-words: =?charset?B|Q?text?= (and RFC 2231 §5 =?charset*lang?Q?...?=).
 * Lenient like mail readers: words glued together without white space are decoded too.
 */
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeWordPayload(encoding: string, text: string): Buffer | null {
  if (encoding === 'b' || encoding === 'B') {
    // RFC 2047 §4.1; a word that is not base64 stays as written
    if (!BASE64.test(text) || text.length % 4 === 1) return null;
    return Buffer.from(text, 'base64');
  }
  // RFC 2047 §4.2: "_" is a space, =XX an octet
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hex = c === 0x3d ? text.slice(i + 1, i + 3) : '';
    if (c === 0x5f) out.push(0x20);
    else if (hex.length === 2 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(c);
  }
  return Buffer.from(out);
}

interface Piece {
  charset: string | null;
  bytes: Buffer;
}

/** Header text (unfolded octets) to Unicode NFC, encoded-words decoded, NUL dropped. */
export function decodeHeaderText(value: Uint8Array): string {
  const text = Buffer.from(value).toString('latin1');
  const pieces: Piece[] = [];
  let last = 0;
  let lastWasWord = false;
  for (const m of text.matchAll(ENCODED_WORD)) {
    const payload = decodeWordPayload(m[2] as string, m[3] as string);
    if (!payload) continue;
    const between = text.slice(last, m.index);
    // RFC 2047 §6.2: white space between adjacent encoded-words is not displayed
    if (between.length > 0 && !(lastWasWord && /^[ \t\r\n]*$/.test(between))) {
      pieces.push({ charset: null, bytes: Buffer.from(between, 'latin1') });
    }
    const charset = (m[1] as string).toLowerCase();
    const prev = pieces[pieces.length - 1];
    // a multi-octet character may be split across adjacent words in the same charset
    if (prev && prev.charset === charset && lastWasWord) prev.bytes = Buffer.concat([prev.bytes, payload]);
    else pieces.push({ charset, bytes: payload });
    last = (m.index ?? 0) + m[0].length;
    lastWasWord = true;
  }
  if (last < text.length) pieces.push({ charset: null, bytes: Buffer.from(text.slice(last), 'latin1') });
  return pieces
    .map((p) => (p.charset === null ? decodeUnlabelled(p.bytes) : decodeCharset(p.bytes, p.charset)))
    .join('')
    .replaceAll('\0', '') // PostgreSQL text and jsonb cannot hold U+0000
    .normalize('NFC');
}
