import { decodeHeaderText, octetBytes, type MimePart, type ParsedMessage } from './mime/index.js';
import { foldForSearch } from './fold.js';
import { decodeText, decodeTransfer, htmlToText } from './text-decode.js';

/** Bump when the extract changes: blobs with an older version are made again lazily. */
export const SEARCH_TEXT_VERSION = 1;

export const SEARCH_TEXT_LIMITS = {
  /** characters of folded body text kept per message (BODY/TEXT search beyond this finds nothing) */
  maxBodyChars: 1_000_000,
  /** characters of folded header text kept per message, top level and the rest each */
  maxHeaderChars: 256 * 1024,
  /** octets of one text part decoded; the rest of a huge part is not searched */
  maxPartOctets: 4 * 1024 * 1024,
} as const;

/** The folded search text of one message (its blob's blob_search row). */
export interface SearchText {
  /** top-level header fields, one "name: value" per line, names lower-case, values decoded */
  head: string;
  /** headers of body parts and of encapsulated messages, in the same form */
  heads: string;
  /** decoded text of text/* parts, HTML without its tags */
  body: string;
  /** the Date header's calendar day as written ("2024-03-02"), null when absent or unreadable */
  sentDay: string | null;
}

/**
 * One header block as folded lines. Fields are unfolded (RFC 5322 §2.2.3), encoded-words
 * decoded (RFC 2047), and folded for search, so SUBJECT, FROM and HEADER compare
 * case- and diacritic-insensitively against what a person sees.
 */
export function headerLines(raw: Buffer, start: number, end: number): string[] {
  const text = raw.subarray(start, end).toString('latin1');
  const fields: { name: string; value: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const last = fields[fields.length - 1];
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last.value += line; // a fold: the line break goes, the white space stays
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a field (an mbox "From " line, garbage)
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1) });
  }
  return fields.map((f) => `${foldForSearch(f.name)}: ${foldForSearch(decodeHeaderText(Buffer.from(f.value, 'latin1'))).trim()}`);
}

const paramValue = (part: MimePart, name: string): string | null => {
  const p = part.params.find((x) => octetBytes(x.name).toString('latin1').toLowerCase() === name);
  return p ? octetBytes(p.value).toString('latin1') : null;
};

const isHtml = (part: MimePart) => part.subtype !== null && octetBytes(part.subtype).toString('latin1').toLowerCase() === 'html';

/**
 * What BODY and TEXT search (as Dovecot does, RFC 9051 §6.4.4): the decoded text of
 * text/* parts, inside encapsulated messages too; not attachments of other types, not
 * a multipart's preamble or epilogue.
 */
export function buildSearchText(raw: Buffer, parsed: ParsedMessage): SearchText {
  const body: string[] = [];
  const heads: string[] = [];
  let bodyChars = 0;
  let headChars = 0;

  const visit = (part: MimePart, top: boolean) => {
    if (!top && headChars < SEARCH_TEXT_LIMITS.maxHeaderChars && part.bodyStart > part.headerStart) {
      const lines = headerLines(raw, part.headerStart, part.bodyStart);
      heads.push(...lines);
      headChars += lines.reduce((n, l) => n + l.length + 1, 0);
    }
    if (part.kind === 'text' && bodyChars < SEARCH_TEXT_LIMITS.maxBodyChars) {
      const octets = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + SEARCH_TEXT_LIMITS.maxPartOctets));
      const encoding = part.encoding === null ? null : octetBytes(part.encoding).toString('latin1');
      let text = decodeText(decodeTransfer(octets, encoding), paramValue(part, 'charset'));
      if (isHtml(part)) text = htmlToText(text);
      const folded = foldForSearch(text);
      body.push(folded);
      bodyChars += folded.length + 1;
    }
    for (const child of part.children) visit(child, false);
  };
  visit(parsed.root, true);

  return {
    head: headerLines(raw, parsed.root.headerStart, parsed.root.bodyStart).join('\n').slice(0, SEARCH_TEXT_LIMITS.maxHeaderChars),
    heads: heads.join('\n').slice(0, SEARCH_TEXT_LIMITS.maxHeaderChars),
    body: body.join('\n').slice(0, SEARCH_TEXT_LIMITS.maxBodyChars),
    sentDay: parsed.search.sentDay,
  };
}
