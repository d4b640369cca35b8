import type { RawParam } from './content-params.js';
import type { ContentFields } from './content-headers.js';
import { toOctetString } from './octet-string.js';
import type { MimeParam, MimePart, PartKind } from './types.js';

const asciiEquals = (b: Buffer, s: string): boolean => b.length === s.length && b.toString('latin1').toLowerCase() === s;

/**
 * The part's kind from its first Content-Type (RFC 2045 §5.2 defaults): no usable
 * Content-Type means text/plain, or message/rfc822 inside multipart/digest (RFC 2046 §5.1.5).
 */
export function partKind(content: ContentFields, insideDigest: boolean): PartKind {
  const ct = content.contentType;
  if (!ct) return insideDigest ? 'message' : 'text';
  if (asciiEquals(ct.type, 'message') && asciiEquals(ct.subtype, 'rfc822')) return 'message';
  if (asciiEquals(ct.type, 'multipart')) return 'multipart';
  return asciiEquals(ct.type, 'text') ? 'text' : 'basic';
}

export const isDigest = (content: ContentFields): boolean =>
  content.contentType !== null && asciiEquals(content.contentType.subtype, 'digest');

const params = (list: readonly RawParam[]): MimeParam[] =>
  list.map((p) => ({ name: toOctetString(p.name), value: toOctetString(p.value) }));

const octets = (b: Buffer | null): MimePart['id'] => (b === null ? null : toOctetString(b));

/** counts LF octets: RFC 3501 §7.4.2 body size in text lines */
export function countLines(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = raw.indexOf(0x0a, start); i >= 0 && i < end; i = raw.indexOf(0x0a, i + 1)) n++;
  return n;
}

export interface PartPlacement {
  headerStart: number;
  bodyStart: number;
}

/** A part description without its body end and children, filled in as parsing goes on. */
export function describePart(kind: PartKind, content: ContentFields, at: PartPlacement): MimePart {
  const ct = content.contentType;
  return {
    kind,
    headerStart: at.headerStart,
    bodyStart: at.bodyStart,
    bodyEnd: at.bodyStart,
    type: ct ? toOctetString(ct.type) : null,
    subtype: ct ? toOctetString(ct.subtype) : null,
    params: ct ? params(ct.params) : [],
    id: octets(content.id),
    description: octets(content.description),
    encoding: octets(content.encoding),
    bodySize: 0,
    bodyLines: 0,
    md5: octets(content.md5),
    disposition: content.disposition
      ? { type: toOctetString(content.disposition.type), params: params(content.disposition.params) }
      : null,
    language: content.language ? content.language.map((l) => toOctetString(l)) : null,
    location: octets(content.location),
    children: [],
  };
}

/** A part the limits stopped us from looking into: described as opaque application/octet-stream. */
export function makeOpaque(part: MimePart): void {
  part.kind = 'basic';
  part.type = 'application';
  part.subtype = 'octet-stream';
  part.params = [];
  part.opaque = true;
  part.children = [];
}

