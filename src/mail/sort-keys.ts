import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { baseSubject } from './base-subject.js';
import type { SearchAddress, SearchFields } from './mime/index.js';
import { ensureParsed } from './parsed.js';

/** Bump when the extract changes: blobs with an older version are made again lazily. */
export const SORT_KEYS_VERSION = 1;

/** What SORT and THREAD compare for one blob (its blob_sort_keys row). */
export interface SortKeys {
  baseSubject: string;
  reply: boolean;
  fromKey: string;
  toKey: string;
  ccKey: string;
  displayFrom: string;
  displayTo: string;
  /** ms since the epoch, or null */
  sentAt: number | null;
  messageId: string | null;
  refs: string[];
}

/**
 * RFC 5256 §3: FROM, TO and CC sort on the addr-mailbox of the first address; for a group
 * that is the group's name (its start marker comes first). Absent: the empty string.
 */
function mailboxKey(list: readonly SearchAddress[]): string {
  const first = list[0];
  if (!first) return '';
  if (first.group !== null) return first.group;
  const at = first.address?.lastIndexOf('@') ?? -1;
  return first.address === null ? '' : at < 0 ? first.address : first.address.slice(0, at);
}

/** RFC 5957 §3: the display name of the first address; without one, the address itself */
function displayKey(list: readonly SearchAddress[]): string {
  const first = list[0];
  if (!first) return '';
  if (first.name !== null && first.name.trim() !== '') return first.name;
  return first.address ?? first.group ?? '';
}

/** The sort keys of a message from its parsed search fields (pure). */
export function sortKeysOf(s: SearchFields): SortKeys {
  const subject = baseSubject(s.subjects[0] ?? '');
  // RFC 5256 §2.2 REFERENCES step 1: the References ids, else the first In-Reply-To id
  const refs = s.references.length ? s.references : s.inReplyTo.slice(0, 1);
  return {
    baseSubject: subject.text,
    reply: subject.replyOrForward,
    fromKey: mailboxKey(s.from),
    toKey: mailboxKey(s.to),
    ccKey: mailboxKey(s.cc),
    displayFrom: displayKey(s.from),
    displayTo: displayKey(s.to),
    sentAt: s.sentAt,
    messageId: s.messageId,
    refs,
  };
}

/** PostgreSQL text cannot hold U+0000 */
const text = (v: string): string => v.replaceAll('\0', '');

/**
 * Makes (or makes again, for an older version) the sort keys of these blobs from their
 * parsed description; a blob is read only if it was never parsed. Returns how many it made.
 */
export async function makeSortKeys(db: Queryable, blobs: BlobStore, hashes: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ hash: string; search: SearchFields | null }>(
    `SELECT hash, parsed->'search' AS search FROM blobs WHERE hash = ANY ($1::text[])`,
    [[...new Set(hashes)]],
  );
  const batch = 500;
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const keys: SortKeys[] = [];
    for (const r of chunk) keys.push(sortKeysOf(r.search ?? (await ensureParsed(db, blobs, r.hash)).parsed.search));
    await db.query(
      `INSERT INTO blob_sort_keys (hash, version, base_subject, reply, from_key, to_key, cc_key, display_from, display_to, sent_at, message_id, refs)
       SELECT k.hash, $2, k.base_subject, k.reply, k.from_key, k.to_key, k.cc_key, k.display_from, k.display_to,
              to_timestamp(k.sent_at / 1000.0), k.message_id, ARRAY(SELECT jsonb_array_elements_text(k.refs))
         FROM jsonb_to_recordset($1::jsonb) AS k(hash text, base_subject text, reply boolean, from_key text, to_key text, cc_key text,
              display_from text, display_to text, sent_at double precision, message_id text, refs jsonb)
       ON CONFLICT (hash) DO UPDATE SET version = EXCLUDED.version, base_subject = EXCLUDED.base_subject, reply = EXCLUDED.reply,
              from_key = EXCLUDED.from_key, to_key = EXCLUDED.to_key, cc_key = EXCLUDED.cc_key, display_from = EXCLUDED.display_from,
              display_to = EXCLUDED.display_to, sent_at = EXCLUDED.sent_at, message_id = EXCLUDED.message_id, refs = EXCLUDED.refs`,
      [
        JSON.stringify(
          chunk.map((r, j) => {
            const k = keys[j] as SortKeys;
            return {
              hash: r.hash,
              base_subject: text(k.baseSubject),
              reply: k.reply,
              from_key: text(k.fromKey),
              to_key: text(k.toKey),
              cc_key: text(k.ccKey),
              display_from: text(k.displayFrom),
              display_to: text(k.displayTo),
              sent_at: k.sentAt,
              message_id: k.messageId === null ? null : text(k.messageId),
              refs: k.refs.map(text),
            };
          }),
        ),
        SORT_KEYS_VERSION,
      ],
    );
  }
  return rows.length;
}
