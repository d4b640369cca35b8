import { readParams, type RawParam } from './content-params.js';
import { findFirst, unfoldedValue, type HeaderField } from './header-fields.js';
import { Rfc822Lexer } from './rfc822-lexer.js';

export interface ContentType {
  type: Buffer;
  subtype: Buffer;
  params: RawParam[];
}

/** The Content-* fields of one part. When a field occurs twice the first one counts. */
export interface ContentFields {
  /** null when there is no Content-Type or it has no usable type/subtype */
  contentType: ContentType | null;
  encoding: Buffer | null;
  id: Buffer | null;
  description: Buffer | null;
  md5: Buffer | null;
  location: Buffer | null;
  disposition: { type: Buffer; params: RawParam[] } | null;
  language: Buffer[] | null;
}

const lexerFor = (raw: Buffer, field: HeaderField): Rfc822Lexer => new Rfc822Lexer(unfoldedValue(raw, field));

/** RFC 2045 §5.1: type "/" subtype *(";" parameter) */
export function parseContentType(raw: Buffer, field: HeaderField): ContentType | null {
  const lx = lexerFor(raw, field);
  if (lx.skipCfws() <= 0) return null;
  const type: number[] = [];
  if (lx.readToken(type) <= 0 || type.length === 0 || lx.peek() !== 0x2f) return null;
  lx.pos++;
  if (lx.skipCfws() <= 0) return null;
  const subtype: number[] = [];
  const step = lx.readToken(subtype);
  if (subtype.length === 0) return null;
  // a broken value (unterminated comment) keeps its type but no parameters
  const params = step < 0 ? [] : readParams(lx);
  return { type: Buffer.from(type), subtype: Buffer.from(subtype), params };
}

/** RFC 2045 §6.1: a single token; anything else is ignored (IMAP then shows "7bit") */
function parseEncoding(raw: Buffer, field: HeaderField): Buffer | null {
  const lx = lexerFor(raw, field);
  lx.skipCfws();
  const token: number[] = [];
  if (lx.readToken(token) < 0 || !lx.atEnd || token.length === 0) return null;
  return Buffer.from(token);
}

/** RFC 2183 §2: disposition-type *(";" parameter) */
function parseDisposition(raw: Buffer, field: HeaderField): ContentFields['disposition'] {
  const lx = lexerFor(raw, field);
  lx.skipCfws();
  const type: number[] = [];
  if (lx.readToken(type) < 0) return null;
  return { type: Buffer.from(type), params: readParams(lx) };
}

/** RFC 3282 §2: 1#Language-tag */
function parseLanguage(raw: Buffer, field: HeaderField): Buffer[] | null {
  const lx = lexerFor(raw, field);
  const tags: Buffer[] = [];
  lx.skipCfws();
  for (;;) {
    const tag: number[] = [];
    if (lx.readAtom(tag) < 0) break;
    tags.push(Buffer.from(tag));
    if (lx.peek() !== 0x2c) break;
    lx.pos++;
    lx.skipCfws();
  }
  return tags.length > 0 ? tags : null;
}

export function readContentFields(raw: Buffer, fields: readonly HeaderField[]): ContentFields {
  const first = (name: string): HeaderField | undefined => findFirst(fields, name);
  const plain = (name: string): Buffer | null => {
    const f = first(name);
    return f ? unfoldedValue(raw, f) : null;
  };
  const ct = first('content-type');
  const cte = first('content-transfer-encoding');
  const disposition = first('content-disposition');
  const language = first('content-language');
  return {
    contentType: ct ? parseContentType(raw, ct) : null,
    encoding: cte ? parseEncoding(raw, cte) : null,
    id: plain('content-id'),
    description: plain('content-description'),
    md5: plain('content-md5'),
    location: plain('content-location'),
    disposition: disposition ? parseDisposition(raw, disposition) : null,
    language: language ? parseLanguage(raw, language) : null,
  };
}

export const NO_CONTENT_FIELDS: ContentFields = {
  contentType: null,
  encoding: null,
  id: null,
  description: null,
  md5: null,
  location: null,
  disposition: null,
  language: null,
};

/** RFC 2046 §5.1.1: the boundary parameter of a multipart Content-Type */
export function boundaryOf(ct: ContentType): Buffer | null {
  const p = ct.params.find((x) => x.name.toString('latin1').toLowerCase() === 'boundary');
  return p && p.value.length > 0 ? p.value : null;
}
