/** Line framing helpers of the command reader (RFC 9051 §2.2, §4.3; RFC 7888; RFC 3516). */

const LF = 0x0a;
const CR = 0x0d;

/** RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+"> */
export const TAG = /^[\x21\x23\x24\x26\x27\x2c-\x5b\x5d-\x7a\x7c-\x7e]+$/;

export interface Marker {
  /** where "~{" or "{" starts in the line */
  start: number;
  /** null when the number is too large to count */
  size: number | null;
  synchronizing: boolean;
  binary: boolean;
}

/** RFC 9051 §2.2: lines end in CRLF; a bare LF is tolerated */
export function withoutLineEnd(line: Buffer): Buffer {
  let end = line.length;
  if (line[end - 1] === LF) end--;
  if (line[end - 1] === CR) end--;
  return line.subarray(0, end);
}

export function isBlank(content: Buffer): boolean {
  for (const c of content) if (c !== 0x20) return false;
  return true;
}

export function lastBytes(b: Buffer, n: number): Buffer {
  return b.length <= n ? b : Buffer.from(b.subarray(b.length - n));
}

/** the tag of a line we cannot lex, for a tagged BAD */
export function guessTag(content: Buffer): string | null {
  const sp = content.indexOf(0x20);
  const word = content.toString('latin1', 0, sp < 0 ? content.length : sp);
  return TAG.test(word) ? word : null;
}

/**
 * A literal marker ending the line: "{" number ["+"] "}" (RFC 9051 §4.3, RFC 7888 §3),
 * or literal8 "~{" number ["+"] "}" (RFC 3516 §4.1).
 */
export function findMarker(content: Buffer): Marker | null {
  let i = content.length - 1;
  if (content[i] !== 0x7d) return null; // "}"
  i--;
  const plus = content[i] === 0x2b;
  if (plus) i--;
  const digitsEnd = i + 1;
  while (i >= 0 && (content[i] as number) >= 0x30 && (content[i] as number) <= 0x39) i--;
  if (i === digitsEnd - 1 || content[i] !== 0x7b) return null; // "{"
  const digits = content.toString('latin1', i + 1, digitsEnd);
  const binary = i > 0 && content[i - 1] === 0x7e; // "~"
  const n = digits.length > 16 ? Number.POSITIVE_INFINITY : Number(digits);
  return { start: binary ? i - 1 : i, size: Number.isSafeInteger(n) ? n : null, synchronizing: !plus, binary };
}
