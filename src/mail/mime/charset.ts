/**
 * Octets to Unicode for display and search. Labels follow the WHATWG Encoding Standard
 * (which Node's TextDecoder implements, windows-1258 included).
 */

type Decoder = InstanceType<typeof TextDecoder>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** the legacy Vietnamese Windows code page: what unlabelled non-UTF-8 mail here usually is */
const fallback = new TextDecoder('windows-1258');
const decoders = new Map<string, Decoder | null>();

function decoderFor(charset: string): Decoder | null {
  const label = charset.trim().toLowerCase();
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    if (decoders.size < 64) decoders.set(label, d);
  }
  return d;
}

/** Unlabelled octets (RFC 6532 raw header text): UTF-8 when valid, else windows-1258. NFC. */
export function decodeUnlabelled(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = fallback.decode(bytes);
  }
  return text.normalize('NFC');
}

/** Octets in a named charset; an unknown charset is treated as unlabelled. NFC. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const d = decoderFor(charset);
  return d ? d.decode(bytes).normalize('NFC') : decodeUnlabelled(bytes);
}

export function isKnownCharset(charset: string): boolean {
  return decoderFor(charset) !== null;
}
