/**
 * Body octets to text for the search extract: Content-Transfer-Encoding (RFC 2045 §6)
 * and charset. Lenient like mail readers: bad input gives some text, never an error.
 */

/** RFC 2045 §6.7: "=" CRLF is a soft line break, "=XX" an octet */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    if (input[i + 1] === 0x0d && input[i + 2] === 0x0a) i += 2;
    else if (input[i + 1] === 0x0a) i += 1;
    else {
      const hex = input.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[n++] = parseInt(hex, 16);
        i += 2;
      } else out[n++] = c;
    }
  }
  return out.subarray(0, n);
}

export function decodeTransfer(body: Buffer, encoding: string | null): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'base64':
      // RFC 2045 §6.8: characters outside the alphabet are ignored (Node does the same)
      return Buffer.from(body.toString('latin1'), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body; // 7bit, 8bit, binary, and encodings we do not know (searched as they are)
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** unlabelled non-UTF-8 mail here is usually the Vietnamese Windows code page */
const windows1258 = new TextDecoder('windows-1258');
type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder | null>();

function decoderFor(label: string): Decoder | null {
  const key = label.trim().toLowerCase();
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key);
    } catch {
      d = null;
    }
    if (decoders.size < 64) decoders.set(key, d);
  }
  return d;
}

/** Octets in `charset` (WHATWG labels); none or unknown: UTF-8 when valid, else windows-1258. */
export function decodeText(bytes: Uint8Array, charset: string | null): string {
  const d = charset ? decoderFor(charset) : null;
  if (d) return d.decode(bytes);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return windows1258.decode(bytes);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
/** &acirc; &Agrave; &ocirc; …: a letter and its accent, common in HTML mail written in Vietnamese */
const ACCENTS: Record<string, string> = { grave: '\u0300', acute: '\u0301', circ: '\u0302', tilde: '\u0303', uml: '\u0308', ring: '\u030a', cedil: '\u0327' };
const ACCENTED = /^([a-z])(grave|acute|circ|tilde|uml|ring|cedil)$/i;

function namedEntity(name: string): string | undefined {
  const plain = ENTITIES[name.toLowerCase()];
  if (plain !== undefined) return plain;
  const m = ACCENTED.exec(name);
  return m ? (m[1]! + ACCENTS[m[2]!.toLowerCase()]!).normalize('NFC') : undefined;
}

/** The words of an HTML part: scripts, styles and tags removed, common entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return namedEntity(e) ?? m;
    });
}
