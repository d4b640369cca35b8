import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { parseMessage } from './mime/parse-structure.js';
import type { ParsedMessage, SearchAddress } from './mime/types.js';
import type { MessageSummary } from './append.js';

/**
 * The parsed description of a blob, made once per blob and kept beside it: a circular
 * delivered to 3,000 mailboxes is parsed once.
 */
export async function ensureParsed(db: Queryable, blobs: BlobStore, hash: string): Promise<{ parsed: ParsedMessage; summary: MessageSummary }> {
  const { rows } = await db.query<{ parsed: ParsedMessage | null }>('SELECT parsed FROM blobs WHERE hash = $1', [hash]);
  let parsed = rows[0]?.parsed ?? null;
  if (!parsed) {
    parsed = parseMessage(await blobs.read(hash));
    await db.query('UPDATE blobs SET parsed = $2 WHERE hash = $1 AND parsed IS NULL', [hash, parsed]);
  }
  return { parsed, summary: summaryOf(parsed) };
}

const addressText = (list: SearchAddress[]) =>
  list.map((a) => [a.name, a.address && `<${a.address}>`].filter(Boolean).join(' ')).join(', ') || null;

export function summaryOf(parsed: ParsedMessage): MessageSummary {
  const s = parsed.search;
  return {
    subject: s.subjects[0] ?? null,
    from: addressText(s.from),
    to: addressText(s.to),
    date: s.sentAt === null ? null : new Date(s.sentAt),
    messageId: s.messageId,
  };
}
