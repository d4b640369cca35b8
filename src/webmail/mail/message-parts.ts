import { decodeHeaderText, octetBytes, type MimePart, type OctetString } from '../../mail/mime/index.js';
import { decodeText, decodeTransfer } from '../../mail/text-decode.js';

/** One part of a message as the reader sees it, named by its IMAP section number (RFC 9051 §6.4.5). */
export interface ReadablePart {
  /** "1", "2.1": the part's section number, used in its URL */
  id: string;
  part: MimePart;
  /** "image/png", lower case; "text/plain" when the part has no Content-Type */
  type: string;
  filename: string | null;
  /** Content-ID without its angle brackets */
  contentId: string | null;
}

/** What a message shows: the body to read and the files it carries. */
export interface MessageLayout {
  /** the text/html or text/plain part shown as the body, if any */
  body: ReadablePart | null;
  /** parts listed for download */
  attachments: ReadablePart[];
  /** parts with a Content-ID that an HTML body may show inline (RFC 2392 cid: URLs) */
  inline: ReadablePart[];
}

const latin1 = (v: OctetString | null): string => (v === null ? '' : octetBytes(v).toString('latin1'));
const lower = (v: OctetString | null) => latin1(v).toLowerCase();

function typeOf(part: MimePart): string {
  if (part.kind === 'message') return 'message/rfc822';
  if (part.type === null) return 'text/plain';
  return `${lower(part.type)}/${lower(part.subtype)}`;
}

/** RFC 2231 §4: charset'language'percent-encoded octets (the parser joined the pieces). */
function extendedValue(raw: string): string {
  const m = /^([^']*)'[^']*'(.*)$/s.exec(raw);
  if (!m) return raw;
  const bytes = Buffer.from(m[2]!.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return decodeText(bytes, m[1] || null);
}

function param(params: MimePart['params'], name: string): string | null {
  const extended = params.find((p) => lower(p.name) === `${name}*`);
  if (extended) return extendedValue(latin1(extended.value)).normalize('NFC');
  const plain = params.find((p) => lower(p.name) === name);
  // RFC 2047 encoded-words in a quoted filename are not allowed, but common; raw UTF-8 too
  return plain ? decodeHeaderText(octetBytes(plain.value)) : null;
}

/** The file name a part carries (Content-Disposition filename, else Content-Type name). */
export function filenameOf(part: MimePart): string | null {
  const name = (part.disposition && param(part.disposition.params, 'filename')) ?? param(part.params, 'name');
  const clean = name?.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  return clean ? clean : null;
}

/** The charset parameter of a text part. */
export const charsetOf = (part: MimePart): string | null => param(part.params, 'charset');

/** format=flowed and delsp=yes (RFC 3676) of a text/plain part. */
export const flowedOf = (part: MimePart) => ({
  flowed: param(part.params, 'format')?.toLowerCase() === 'flowed',
  delSp: param(part.params, 'delsp')?.toLowerCase() === 'yes',
});

function readable(part: MimePart, id: string): ReadablePart {
  const cid = part.id === null ? null : latin1(part.id).trim().replace(/^<|>$/g, '');
  return { id, part, type: typeOf(part), filename: filenameOf(part), contentId: cid || null };
}

const isAttachment = (part: MimePart) => lower(part.disposition?.type ?? null) === 'attachment';

/**
 * The body and the files of a message (its stored MIME description). The body is the
 * first readable text: in multipart/alternative the richest form we show (HTML, else
 * plain text, RFC 2046 §5.1.4: the last is the richest); in multipart/related its root
 * (RFC 2387 §3.2). Every other leaf is an attachment, except parts with a Content-ID
 * inside multipart/related, which an HTML body shows in place.
 */
export function messageLayout(root: MimePart): MessageLayout {
  const layout: MessageLayout = { body: null, attachments: [], inline: [] };
  const visit = (part: MimePart, id: string, parentType: string) => {
    const r = readable(part, id);
    if (part.kind === 'multipart') {
      const children = part.children.map((c, i) => ({ c, id: id ? `${id}.${i + 1}` : `${i + 1}` }));
      if (r.type === 'multipart/alternative' && !layout.body) {
        const pick = [...children].reverse().find(({ c }) => bodyCandidate(c)) ?? children.at(-1);
        if (pick) visit(pick.c, pick.id, r.type);
        // the other forms of the same text are not files; anything else in there is
        for (const x of children) if (x !== pick && x.c.kind !== 'text') visit(x.c, x.id, r.type);
        return;
      }
      for (const x of children) visit(x.c, x.id, r.type);
      return;
    }
    const leafId = id || '1';
    const leaf = id ? r : { ...r, id: leafId };
    if (!layout.body && part.kind === 'text' && !isAttachment(part) && (leaf.type === 'text/plain' || leaf.type === 'text/html')) {
      layout.body = leaf;
      return;
    }
    if (parentType === 'multipart/related' && leaf.contentId && !isAttachment(part)) {
      layout.inline.push(leaf);
      return;
    }
    if (leaf.contentId) layout.inline.push(leaf);
    layout.attachments.push(leaf);
  };
  visit(root, '', '');
  return layout;
}

/** a form of the body multipart/alternative may choose: HTML, plain text, or a related/mixed holding one */
function bodyCandidate(p: MimePart): boolean {
  if (p.kind === 'text') return ['html', 'plain'].includes(lower(p.subtype) || 'plain');
  if (p.kind === 'multipart') return p.children.some(bodyCandidate);
  return false;
}

/** Does the message carry files (the list's paper clip)? */
export const hasAttachments = (root: MimePart): boolean => messageLayout(root).attachments.length > 0;

/** The part with this section number ("1", "2.1"), not inside encapsulated messages. */
export function partById(root: MimePart, id: string): MimePart | undefined {
  if (!/^[1-9]\d{0,3}(\.[1-9]\d{0,3}){0,9}$/.test(id)) return undefined;
  if (root.kind !== 'multipart') return id === '1' ? root : undefined;
  let part: MimePart | undefined = root;
  for (const n of id.split('.')) {
    if (!part || part.kind !== 'multipart') return undefined;
    part = part.children[Number(n) - 1];
  }
  return part;
}

/** The decoded octets of a part's body (Content-Transfer-Encoding undone). */
export const decodedBody = (raw: Buffer, part: MimePart): Buffer => decodeTransfer(raw, part.encoding === null ? null : latin1(part.encoding));

/** A text part's body as text (its charset, else UTF-8 or windows-1258). */
export const bodyText = (raw: Buffer, part: MimePart): string => decodeText(decodedBody(raw, part), charsetOf(part));
