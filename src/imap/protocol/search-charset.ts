import { TextDecoder } from 'node:util';
import { ImapBadCharsetError } from './errors.js';

/**
 * The charset of SEARCH/SORT/THREAD strings (RFC 9051 §6.4.4). US-ASCII and UTF-8 must
 * be supported; other names are decoded when the WHATWG Encoding Standard (Node's
 * TextDecoder, full ICU) knows them, which covers windows-1258 and the other legacy
 * charsets Vietnamese mail still uses. Unknown names are NO [BADCHARSET].
 */

/** what a BADCHARSET response code can list */
export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII'] as const;

export type StringDecoder = (bytes: Buffer) => string;

const utf8 = new TextDecoder('utf-8');

/** A decoder for `charset` (null: none given). Malformed octets become U+FFFD. */
export function searchCharsetDecoder(charset: string | null): StringDecoder {
  const name = (charset ?? 'UTF-8').toUpperCase();
  // 8-bit strings without CHARSET, or with US-ASCII, are taken as UTF-8 (as Dovecot does);
  // WHATWG would map the label "us-ascii" to windows-1252, which no IMAP client means
  if (name === 'UTF-8' || name === 'US-ASCII' || name === 'UTF8') return (b) => utf8.decode(b);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(name.toLowerCase());
  } catch {
    throw new ImapBadCharsetError(charset as string);
  }
  // RFC 9051 §6.4.4: the server would convert to UTF-16 first; a charset that "decodes" via "replacement" is refused
  if (decoder.encoding === 'replacement') throw new ImapBadCharsetError(charset as string);
  return (b) => decoder.decode(b);
}
