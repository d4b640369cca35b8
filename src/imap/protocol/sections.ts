import { withoutNul, wireBytes, type WireString } from './imap-string.js';

/**
 * Body sections (RFC 3501 §6.4.5, RFC 9051 §6.4.5) and BINARY sections (RFC 3516) cut
 * out of the stored message by the offsets its parsed structure recorded.
 */

/** What section addressing needs of a MIME part; src/mail/mime's MimePart has this shape. */
export interface SectionPartShape {
  kind: 'multipart' | 'message' | 'text' | 'basic';
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  encoding: WireString | null;
  children: readonly SectionPartShape[];
}

export type SectionText =
  | { kind: 'HEADER' }
  | { kind: 'TEXT' }
  | { kind: 'MIME' }
  | { kind: 'HEADER.FIELDS'; not: boolean; fields: readonly string[] };

/** section-spec: part numbers (empty for the whole message) and an optional section-text */
export interface SectionSpec {
  part: readonly number[];
  text: SectionText | null;
}

/** "<" number "." nz-number ">" */
export interface PartialRange {
  offset: number;
  length: number;
}

/** BINARY of a part whose Content-Transfer-Encoding we cannot undo: the IMAP layer answers NO [UNKNOWN-CTE] (RFC 3516 §4.3). */
export class UnknownTransferEncodingError extends Error {
  readonly code = 'UNKNOWN-CTE';
  override name = 'UnknownTransferEncodingError';
  constructor(readonly encoding: string) {
    super(`Unknown Content-Transfer-Encoding "${encoding}"`);
  }
}

/** A section-spec that does not follow RFC 3501 §9 (the IMAP layer answers BAD). */
export class SectionSyntaxError extends Error {
  override name = 'SectionSyntaxError';
}

// ---------------------------------------------------------------- grammar

const FIELD_NAME = /^[!-9;-~]+$/; // RFC 5322 §3.6.8 ftext

/**
 * Parses the text between "[" and "]" (RFC 3501 §9 section-spec), header field names
 * given as atoms or quoted strings: "", "1.2", "HEADER", "2.MIME", "HEADER.FIELDS (FROM TO)".
 */
export function parseSectionSpec(spec: string): SectionSpec {
  const bad = (): never => {
    throw new SectionSyntaxError(`bad section "${spec}"`);
  };
  const m = /^((?:[1-9]\d*)(?:\.[1-9]\d*)*)?(.*)$/s.exec(spec) ?? bad();
  const partText = m[1] ?? '';
  let rest = m[2] ?? '';
  if (partText !== '' && rest !== '') {
    if (!rest.startsWith('.') || rest.length === 1) bad();
    rest = rest.slice(1);
  }
  const part = partText === '' ? [] : partText.split('.').map(Number);
  if (rest === '') return { part, text: null };
  const upper = rest.toUpperCase();
  if (upper === 'HEADER' || upper === 'TEXT') return { part, text: { kind: upper } };
  if (upper === 'MIME') return part.length > 0 ? { part, text: { kind: 'MIME' } } : bad(); // MIME needs a part
  const fields = /^HEADER\.FIELDS(\.NOT)? \((.*)\)$/is.exec(rest) ?? bad();
  const names = (fields[2] as string).split(' ').map((n) => n.replace(/^"(.*)"$/s, '$1'));
  if (!names.every((n) => FIELD_NAME.test(n))) bad();
  return { part, text: { kind: 'HEADER.FIELDS', not: fields[1] !== undefined, fields: names } };
}

/** The section as the response names it (RFC 3501 §7.4.2), header field names upper-cased. */
export function sectionLabel(spec: SectionSpec): string {
  const part = spec.part.join('.');
  const t = spec.text;
  if (!t) return part;
  const text = t.kind === 'HEADER.FIELDS' ? `HEADER.FIELDS${t.not ? '.NOT' : ''} (${t.fields.map((f) => f.toUpperCase()).join(' ')})` : t.kind;
  return part ? `${part}.${text}` : text;
}

// ---------------------------------------------------------------- addressing

/**
 * The part a section-part names (RFC 3501 §6.4.5): numbers walk into multiparts, a
 * non-multipart has only part 1 (itself), and a message/rfc822 part is looked into when
 * more numbers follow. Null when there is no such part.
 */
export function findPart(root: SectionPartShape, numbers: readonly number[]): SectionPartShape | null {
  let part: SectionPartShape | undefined = root;
  for (let i = 0; i < numbers.length && part; i++) {
    const n = numbers[i] as number;
    const more = i + 1 < numbers.length;
    if (part.kind === 'multipart') part = part.children[n - 1];
    else if (n !== 1 || (more && part.kind !== 'message')) return null;
    if (part && more && part.kind === 'message') part = part.children[0];
  }
  return part ?? null;
}

export function applyPartial(bytes: Buffer, partial: PartialRange | undefined): Buffer {
  if (!partial) return bytes;
  // RFC 3501 §6.4.5: a start beyond the end gives an empty string
  if (partial.offset >= bytes.length) return Buffer.alloc(0);
  return bytes.subarray(partial.offset, partial.offset + partial.length);
}

// ---------------------------------------------------------------- header fields

interface FieldSpan {
  name: string;
  start: number;
  end: number;
}

/** the fields of a header region, and where they stop (the blank line, if any, follows) */
function headerFields(raw: Buffer, start: number, end: number): { fields: FieldSpan[]; stop: number } {
  const lineEnd = (p: number): number => {
    const lf = raw.indexOf(0x0a, p);
    return lf < 0 || lf >= end ? end : lf + 1;
  };
  const fields: FieldSpan[] = [];
  let pos = start;
  while (pos < end && raw[pos] !== 0x0a && !(raw[pos] === 0x0d && raw[pos + 1] === 0x0a)) {
    const firstLineEnd = lineEnd(pos);
    let fieldEnd = firstLineEnd;
    // RFC 5322 §2.2.3: lines starting with SP or HTAB continue the field
    while (fieldEnd < end && (raw[fieldEnd] === 0x20 || raw[fieldEnd] === 0x09)) fieldEnd = lineEnd(fieldEnd);
    const colon = raw.subarray(pos, firstLineEnd).indexOf(0x3a);
    const nameEnd = colon >= 0 ? pos + colon : firstLineEnd;
    const name = raw.toString('latin1', pos, nameEnd).replace(/[ \t\r\n]+$/, '').toUpperCase();
    fields.push({ name, start: pos, end: fieldEnd });
    pos = fieldEnd;
  }
  return { fields, stop: pos };
}

const CRLF = Buffer.from('\r\n');

/**
 * HEADER.FIELDS keeps the named fields in message order and ends with a blank line;
 * HEADER.FIELDS.NOT keeps the others and whatever followed them (RFC 3501 §6.4.5).
 */
function filterHeader(raw: Buffer, start: number, end: number, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toUpperCase()));
  const { fields, stop } = headerFields(raw, start, end);
  const out: Buffer[] = [];
  for (const f of fields) {
    if (wanted.has(f.name) === not) continue;
    out.push(raw.subarray(f.start, f.end));
    if (!not && raw[f.end - 1] !== 0x0a) out.push(CRLF);
  }
  out.push(not ? raw.subarray(stop, end) : CRLF);
  return Buffer.concat(out);
}

// ---------------------------------------------------------------- BODY[...]

function sectionBytes(raw: Buffer, root: SectionPartShape, spec: SectionSpec): Buffer {
  const none = Buffer.alloc(0);
  const t = spec.text;
  if (spec.part.length === 0 && !t) return raw;
  const part = spec.part.length === 0 ? root : findPart(root, spec.part);
  if (!part) return none; // no such part: an empty string, as Dovecot answers
  if (!t) return raw.subarray(part.bodyStart, part.bodyEnd);
  if (t.kind === 'MIME') return raw.subarray(part.headerStart, part.bodyStart);
  // HEADER, HEADER.FIELDS and TEXT address the top-level message or a message/rfc822 part
  const message = spec.part.length === 0 ? part : part.kind === 'message' ? part.children[0] : undefined;
  if (!message) return none;
  if (t.kind === 'TEXT') return raw.subarray(message.bodyStart, message.bodyEnd);
  if (t.kind === 'HEADER') return raw.subarray(message.headerStart, message.bodyStart);
  return filterHeader(raw, message.headerStart, message.bodyStart, t.fields, t.not);
}

/** The octets of BODY[section]<partial>, ready for a literal (NUL shown as 0x80, RFC 3501 §9 CHAR8). */
export function bodySection(raw: Buffer, root: SectionPartShape, spec: SectionSpec, partial?: PartialRange): Buffer {
  return withoutNul(applyPartial(sectionBytes(raw, root, spec), partial));
}

// ---------------------------------------------------------------- BINARY[...]

const identityEncodings = new Set(['7bit', '8bit', 'binary']);

function encodingOf(part: SectionPartShape): string {
  return part.encoding === null ? '7bit' : wireBytes(part.encoding).toString('latin1').toLowerCase();
}

/** RFC 2045 §6.8: characters outside the alphabet are ignored; decoding ends at the padding */
function decodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1'), 'base64');
}

/** RFC 2045 §6.7: =XX octets, soft line breaks, and blanks before a line break dropped */
function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  let blankFrom = -1; // start of literal trailing blanks in `out`
  const hex = (c: number | undefined): number =>
    c === undefined ? -1 : c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as number;
    if (c === 0x3d) {
      const hi = hex(body[i + 1]);
      const lo = hex(body[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        blankFrom = -1;
        continue;
      }
      let j = i + 1;
      while (body[j] === 0x20 || body[j] === 0x09) j++;
      if (body[j] === 0x0a || (body[j] === 0x0d && body[j + 1] === 0x0a) || j >= body.length) {
        i = body[j] === 0x0d ? j + 1 : j; // soft line break
        blankFrom = -1;
        continue;
      }
    }
    if (c === 0x0a || (c === 0x0d && body[i + 1] === 0x0a)) {
      if (blankFrom >= 0) n = blankFrom;
      blankFrom = -1;
    } else if (c === 0x20 || c === 0x09) {
      if (blankFrom < 0) blankFrom = n;
    } else {
      blankFrom = -1;
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** the header with its Content-Transfer-Encoding replaced by "binary", moved to the end (as Dovecot does) */
function binaryHeader(raw: Buffer, part: SectionPartShape): Buffer {
  const { fields, stop } = headerFields(raw, part.headerStart, part.bodyStart);
  const kept = fields.filter((f) => f.name !== 'CONTENT-TRANSFER-ENCODING').map((f) => raw.subarray(f.start, f.end));
  return Buffer.concat([...kept, Buffer.from('Content-Transfer-Encoding: binary\r\n'), raw.subarray(stop, part.bodyStart)]);
}

/**
 * RFC 3516 §4: the part with its content transfer encoding undone. Inside a multipart or
 * message/rfc822, every leaf is decoded and its header says "binary".
 */
function binaryBytes(raw: Buffer, part: SectionPartShape, withHeader: boolean): Buffer {
  const encoding = encodingOf(part);
  const header = (): Buffer => raw.subarray(part.headerStart, part.bodyStart);
  const body = raw.subarray(part.bodyStart, part.bodyEnd);
  if (encoding === 'base64' || encoding === 'quoted-printable') {
    const decoded = encoding === 'base64' ? decodeBase64(body) : decodeQuotedPrintable(body);
    return withHeader ? Buffer.concat([binaryHeader(raw, part), decoded]) : decoded;
  }
  if (!identityEncodings.has(encoding)) throw new UnknownTransferEncodingError(encoding);
  if (part.children.length === 0) return withHeader ? raw.subarray(part.headerStart, part.bodyEnd) : body;
  const out: Buffer[] = withHeader ? [header()] : [];
  let pos = part.bodyStart;
  for (const child of part.children) {
    out.push(raw.subarray(pos, child.headerStart), binaryBytes(raw, child, true));
    pos = child.bodyEnd;
  }
  out.push(raw.subarray(pos, part.bodyEnd));
  return Buffer.concat(out);
}

export interface BinarySection {
  bytes: Buffer;
  /** RFC 3516 §4.2: decoded data holding NUL must be sent as literal8 ~{n} */
  needsLiteral8: boolean;
}

/** BINARY[part]<partial> (RFC 3516 §4.2); an empty part list is the whole message. */
export function binarySection(raw: Buffer, root: SectionPartShape, part: readonly number[], partial?: PartialRange): BinarySection {
  const bytes = applyPartial(binaryContent(raw, root, part), partial);
  return { bytes, needsLiteral8: bytes.includes(0) };
}

/** BINARY.SIZE[part] (RFC 3516 §4.2): the length BINARY[part] would have. */
export function binarySize(raw: Buffer, root: SectionPartShape, part: readonly number[]): number {
  return binaryContent(raw, root, part).length;
}

function binaryContent(raw: Buffer, root: SectionPartShape, numbers: readonly number[]): Buffer {
  if (numbers.length === 0) return binaryBytes(raw, root, true);
  const part = findPart(root, numbers);
  return part ? binaryBytes(raw, part, false) : Buffer.alloc(0);
}
