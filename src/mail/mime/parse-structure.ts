import { MIME_LIMITS } from '../../shared/limits.js';
import { findDelimiter, matchDelimiter, type BoundaryHit } from './boundaries.js';
import { NO_CONTENT_FIELDS, boundaryOf, readContentFields, type ContentFields } from './content-headers.js';
import { countLines, describePart, isDigest, makeOpaque, partKind } from './describe-part.js';
import { buildEnvelope } from './envelope.js';
import { findFirst, isBlankLine, lineBreakBefore, lineEnd, readHeaderField, type HeaderField } from './header-fields.js';
import { buildSearchFields } from './search-fields.js';
import type { Envelope, MimePart, ParsedMessage } from './types.js';

/** where a part ended: at a delimiter line of an enclosing multipart, or (null) at the end of the message */
type PartEnd = BoundaryHit | null;

interface ParseState {
  readonly raw: Buffer;
  /** boundaries of the enclosing multiparts, outermost first */
  readonly stack: Buffer[];
  parts: number;
}

interface PartRole {
  /** a body part of a multipart: its Content-* fields count even without MIME-Version (RFC 2045 §4) */
  inMultipart: boolean;
  /** directly inside multipart/digest: the default type is message/rfc822 (RFC 2046 §5.1.5) */
  insideDigest: boolean;
  /** the top-level message or an encapsulated one: it gets an envelope */
  isMessage: boolean;
}

interface ParsedHeader {
  fields: HeaderField[];
  bodyStart: number;
  /** false when the header ran into a delimiter line or the end of the message instead of a blank line */
  complete: boolean;
  end: PartEnd;
}

const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

/**
 * Parses the MIME structure of a stored message (RFC 5322, RFC 2045, RFC 2046) into a
 * JSON description with byte offsets into `raw`. Pure: no I/O, and it never throws on
 * ill-formed input; whatever the octets are, every offset lies inside `raw`.
 */
export function parseMessage(raw: Buffer): ParsedMessage {
  const state: ParseState = { raw, stack: [], parts: 0 };
  const { part, fields } = parsePart(state, 0, 0, { inMultipart: false, insideDigest: false, isMessage: true });
  return {
    version: 1,
    size: raw.length,
    root: { ...part, envelope: part.envelope ?? { ...EMPTY_ENVELOPE } },
    search: buildSearchFields(raw, fields),
  };
}

function readHeader(state: ParseState, start: number): ParsedHeader {
  const { raw, stack } = state;
  const fields: HeaderField[] = [];
  let pos = start;
  let lastBreak = 0;
  for (;;) {
    if (pos >= raw.length) return { fields, bodyStart: raw.length, complete: false, end: null };
    const hit = matchDelimiter(raw, pos, stack);
    if (hit) {
      // the line break before the delimiter belongs to the delimiter (RFC 2046 §5.1.1)
      const contentEnd = pos - lastBreak;
      return { fields, bodyStart: contentEnd, complete: false, end: { ...hit, lineStart: pos, contentEnd } };
    }
    if (isBlankLine(raw, pos)) return { fields, bodyStart: lineEnd(raw, pos), complete: true, end: null };
    const field = readHeaderField(raw, pos);
    fields.push(field);
    lastBreak = lineBreakBefore(raw, field.end, field.start);
    pos = field.end;
  }
}

function parsePart(
  state: ParseState,
  start: number,
  depth: number,
  role: PartRole,
): { part: MimePart; end: PartEnd; fields: HeaderField[] } {
  const { raw } = state;
  state.parts++;
  const header = readHeader(state, start);
  const { fields, bodyStart } = header;

  // RFC 2045 §4: without MIME-Version the Content-* fields mean nothing; a Content-Type
  // alone is accepted too, as senders often forget MIME-Version.
  const isMime = role.inMultipart || findFirst(fields, 'mime-version') !== undefined || findFirst(fields, 'content-type') !== undefined;
  const content: ContentFields = isMime ? readContentFields(raw, fields) : NO_CONTENT_FIELDS;
  const part = describePart(partKind(content, role.insideDigest), content, { headerStart: start, bodyStart });
  if (role.isMessage) part.envelope = buildEnvelope(raw, fields);

  const nests = part.kind === 'multipart' || part.kind === 'message';
  if (nests && (depth + 1 >= MIME_LIMITS.maxNestingDepth || state.parts >= MIME_LIMITS.maxParts)) makeOpaque(part);

  let end: PartEnd;
  if (!header.complete) {
    end = header.end;
    if (part.kind === 'message') part.children = [emptyMessage(state, bodyStart)];
  } else if (part.kind === 'multipart') {
    end = parseMultipartBody(state, part, content, depth, bodyStart);
  } else if (part.kind === 'message') {
    const inner = parsePart(state, bodyStart, depth + 1, { inMultipart: false, insideDigest: false, isMessage: true });
    part.children = [inner.part];
    end = inner.end;
  } else {
    end = findDelimiter(raw, bodyStart, state.stack);
  }

  part.bodyEnd = end ? end.contentEnd : raw.length;
  part.bodySize = part.bodyEnd - part.bodyStart;
  if (part.kind === 'text' || part.kind === 'message') part.bodyLines = countLines(raw, part.bodyStart, part.bodyEnd);
  return { part, end, fields };
}

/** an encapsulated message whose enclosing header never ended: nothing in it */
function emptyMessage(state: ParseState, at: number): MimePart {
  state.parts++;
  const part = describePart('text', NO_CONTENT_FIELDS, { headerStart: at, bodyStart: at });
  part.envelope = { ...EMPTY_ENVELOPE };
  return part;
}

/** offset after the line break that ends the delimiter line, or -1 when the message ends first */
function afterLine(raw: Buffer, lineStart: number): number {
  const lf = raw.indexOf(0x0a, lineStart);
  return lf < 0 ? -1 : lf + 1;
}

/**
 * RFC 2046 §5.1.1 multipart body: preamble, body parts between delimiter lines, close
 * delimiter, epilogue. Tolerates a missing boundary parameter (no parts), a missing close
 * delimiter (the last part runs to the end) and parts cut short by an outer delimiter.
 */
function parseMultipartBody(state: ParseState, part: MimePart, content: ContentFields, depth: number, bodyStart: number): PartEnd {
  const { raw, stack } = state;
  const boundary = content.contentType ? boundaryOf(content.contentType) : null;
  if (!boundary) return findDelimiter(raw, bodyStart, stack);

  const own = stack.length;
  stack.push(boundary);
  const digest = isDigest(content);
  const finish = (end: PartEnd): PartEnd => {
    stack.length = own;
    return end;
  };

  let hit = findDelimiter(raw, bodyStart, stack);
  for (;;) {
    if (!hit) return finish(null);
    if (hit.index !== own) return finish(hit); // an enclosing multipart's delimiter ends this one too
    const next = afterLine(raw, hit.lineStart);
    if (hit.close) {
      stack.length = own;
      // the epilogue runs to an enclosing delimiter or the end; our own delimiters there mean nothing
      return next < 0 ? null : findDelimiter(raw, next, stack);
    }
    if (next < 0) return finish(null);
    if (state.parts >= MIME_LIMITS.maxParts) {
      hit = findDelimiter(raw, next, stack);
      continue;
    }
    const child = parsePart(state, next, depth + 1, { inMultipart: true, insideDigest: digest, isMessage: false });
    part.children.push(child.part);
    hit = child.end;
  }
}
