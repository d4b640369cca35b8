import { renderEnvelope, type EnvelopeShape } from './envelope.js';
import { NIL, imapList, imapListOrNil, imapNString, imapNumber, imapString, wireBytes, type WireString } from './imap-string.js';

export interface BodyParamShape {
  name: WireString;
  value: WireString;
}

/** What BODY and BODYSTRUCTURE need of a MIME part; src/mail/mime's MimePart has this shape. */
export interface BodyPartShape {
  kind: 'multipart' | 'message' | 'text' | 'basic';
  type: WireString | null;
  subtype: WireString | null;
  params: readonly BodyParamShape[];
  id: WireString | null;
  description: WireString | null;
  encoding: WireString | null;
  bodySize: number;
  bodyLines: number;
  md5: WireString | null;
  disposition: { type: WireString; params: readonly BodyParamShape[] } | null;
  language: readonly WireString[] | null;
  location: WireString | null;
  envelope?: EnvelopeShape;
  children: readonly BodyPartShape[];
}

const str = (s: string): Buffer => imapString(Buffer.from(s, 'latin1'));
const SP = Buffer.from(' ');

/** RFC 3501 §9 body-fld-param: "(" string SP string *(SP string SP string) ")" / nil */
function renderParams(params: readonly BodyParamShape[], defaultCharset: boolean): Buffer {
  const items = params.flatMap((p) => [imapNString(p.name), imapNString(p.value)]);
  // RFC 2045 §5.2: text without a charset parameter is us-ascii; say so, as Dovecot does
  const hasCharset = params.some((p) => wireBytes(p.name).toString('latin1').toLowerCase() === 'charset');
  if (defaultCharset && !hasCharset) items.push(str('charset'), str('us-ascii'));
  return imapListOrNil(items);
}

/** RFC 3501 §9 body-fld-dsp, body-fld-lang, body-fld-loc: the extension data common to both part kinds */
function renderCommonExtension(part: BodyPartShape): Buffer[] {
  const dsp = part.disposition
    ? imapList([imapNString(part.disposition.type), renderParams(part.disposition.params, false)])
    : NIL;
  const lang = part.language && part.language.length > 0 ? imapList(part.language.map((l) => imapNString(l))) : NIL;
  return [dsp, lang, imapNString(part.location)];
}

/** one zero-length text/plain part stands in for a multipart without parts (RFC 3501 §9: body-type-mpart needs 1*body) */
const EMPTY_PART: BodyPartShape = {
  kind: 'text',
  type: 'text',
  subtype: 'plain',
  params: [],
  id: null,
  description: null,
  encoding: '7bit',
  bodySize: 0,
  bodyLines: 0,
  md5: null,
  disposition: null,
  language: null,
  location: null,
  children: [],
};

function renderMultipart(part: BodyPartShape, extended: boolean): Buffer {
  // RFC 3501 §9 body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
  const children = part.children.length > 0 ? part.children : [EMPTY_PART];
  const out: Buffer[] = children.map((c) => renderBody(c, extended));
  out.push(SP, imapNString(part.subtype ?? 'mixed'));
  if (extended) {
    // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
    for (const item of [renderParams(part.params, false), ...renderCommonExtension(part)]) out.push(SP, item);
  }
  return Buffer.concat([Buffer.from('('), ...out, Buffer.from(')')]);
}

function renderSinglePart(part: BodyPartShape, extended: boolean): Buffer {
  const items: Buffer[] = [];
  const message = part.kind === 'message';
  const text = part.kind === 'text';
  if (message) items.push(str('message'), str('rfc822'));
  else if (part.type === null) items.push(str('text'), str('plain')); // RFC 2045 §5.2 default
  else items.push(imapNString(part.type), imapNString(part.subtype ?? ''));
  // RFC 3501 §9 body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
  items.push(
    renderParams(part.params, text),
    imapNString(part.id),
    imapNString(part.description),
    part.encoding === null ? str('7bit') : imapNString(part.encoding), // RFC 2045 §6.1 default
    imapNumber(part.bodySize),
  );
  const inner = part.children[0];
  if (message && inner) {
    // RFC 3501 §9 body-type-msg: body-fields SP envelope SP body SP body-fld-lines
    items.push(inner.envelope ? renderEnvelope(inner.envelope) : EMPTY_ENVELOPE, renderBody(inner, extended), imapNumber(part.bodyLines));
  } else if (text) {
    items.push(imapNumber(part.bodyLines)); // body-type-text: body-fields SP body-fld-lines
  }
  if (extended) {
    // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
    items.push(imapNString(part.md5), ...renderCommonExtension(part));
  }
  return imapList(items);
}

const EMPTY_ENVELOPE = Buffer.from('(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');

function renderBody(part: BodyPartShape, extended: boolean): Buffer {
  return part.kind === 'multipart' ? renderMultipart(part, extended) : renderSinglePart(part, extended);
}

/**
 * BODYSTRUCTURE (extended) or BODY (not extended) of a part, parenthesised
 * (RFC 3501 §7.4.2, RFC 9051 §7.5.2). Extension data is always given in full.
 */
export function renderBodyStructure(part: BodyPartShape, extended: boolean): Buffer {
  return renderBody(part, extended);
}
