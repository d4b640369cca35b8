/**
 * Header fields (RFC 5322 §2.2) located by byte offsets in the raw message.
 * Lines may end in CRLF or a bare LF; nothing here assumes the header is well formed.
 */

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;

export interface HeaderField {
  /** lower-cased name (octets before ':' without trailing blanks); the whole line when there is no ':' */
  name: string;
  /** offset of the field's first octet */
  start: number;
  /** offset of the first value octet (after ':' and the blanks that follow it) */
  valueStart: number;
  /** offset after the last value octet, before the final line break */
  valueEnd: number;
  /** offset after the field including its final line break */
  end: number;
}

/** offset after the line that starts at `pos` (after its LF), or the buffer length */
export function lineEnd(raw: Buffer, pos: number): number {
  const lf = raw.indexOf(LF, pos);
  return lf < 0 ? raw.length : lf + 1;
}

/** length of the line break that ends just before `end` (0, 1 for LF, 2 for CRLF) */
export function lineBreakBefore(raw: Buffer, end: number, start: number): number {
  if (end <= start || raw[end - 1] !== LF) return 0;
  return end - 2 >= start && raw[end - 2] === CR ? 2 : 1;
}

/** the line at `pos` is empty: it ends the header (RFC 5322 §2.1) */
export function isBlankLine(raw: Buffer, pos: number): boolean {
  return raw[pos] === LF || (raw[pos] === CR && raw[pos + 1] === LF);
}

const asciiLower = (bytes: Buffer): string =>
  bytes.toString('latin1').replace(/[A-Z]+/g, (s) => s.toLowerCase());

/**
 * Reads one field starting at `pos` (not a blank line) with its continuation lines
 * (RFC 5322 §2.2.3: lines that begin with SP or HTAB).
 */
export function readHeaderField(raw: Buffer, pos: number): HeaderField {
  let end = lineEnd(raw, pos);
  while (end < raw.length && (raw[end] === SP || raw[end] === HTAB)) end = lineEnd(raw, end);
  const valueEnd = end - lineBreakBefore(raw, end, pos);

  const firstLineEnd = lineEnd(raw, pos);
  const colonAt = raw.subarray(pos, firstLineEnd).indexOf(0x3a);
  const colon = colonAt < 0 ? -1 : pos + colonAt;
  if (colon < 0) {
    const name = raw.subarray(pos, firstLineEnd - lineBreakBefore(raw, firstLineEnd, pos));
    return { name: asciiLower(name), start: pos, valueStart: valueEnd, valueEnd, end };
  }
  let nameEnd = colon;
  while (nameEnd > pos && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;

  // Blanks after the colon are not part of the value; a value of blanks only keeps all but one.
  const lineValueEnd = firstLineEnd - lineBreakBefore(raw, firstLineEnd, pos);
  let valueStart = colon + 1;
  while (valueStart < lineValueEnd && (raw[valueStart] === SP || raw[valueStart] === HTAB)) valueStart++;
  if (valueStart === lineValueEnd && lineValueEnd > colon + 1) valueStart = colon + 2;

  return { name: asciiLower(raw.subarray(pos, nameEnd)), start: pos, valueStart, valueEnd, end };
}

/** The field value unfolded: every CR and LF removed, the blanks that began continuation lines kept. */
export function unfoldedValue(raw: Buffer, field: HeaderField): Buffer {
  const value = raw.subarray(field.valueStart, field.valueEnd);
  if (!value.includes(LF) && !value.includes(CR)) return value;
  const out = Buffer.allocUnsafe(value.length);
  let n = 0;
  for (const c of value) if (c !== CR && c !== LF) out[n++] = c;
  return out.subarray(0, n);
}

export const findFirst = (fields: readonly HeaderField[], name: string): HeaderField | undefined =>
  fields.find((f) => f.name === name);

export function findLast(fields: readonly HeaderField[], name: string): HeaderField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]?.name === name) return fields[i];
  return undefined;
}
