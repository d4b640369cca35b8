import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import type { ParsedMessage } from './mime/index.js';

/** The header fields kept beside each message for listing, search and sort. */
export interface MessageSummary {
  subject: string | null;
  from: string | null;
  to: string | null;
  date: Date | null;
  messageId: string | null;
}

export interface AppendInput {
  mailboxId: number;
  blobHash: string;
  size: number;
  flags: readonly string[];
  internalDate: Date;
  summary: MessageSummary;
  /** makes the append idempotent: a second append with the same key to the same mailbox adds nothing */
  deliveryKey?: string;
}

export interface Appended {
  uid: number;
  modseq: number;
}

export class OverQuotaError extends UserError {
  constructor(readonly address: string, readonly quotaBytes: number) {
    super('over-quota', `the mailbox of ${address} is full`);
  }
}

/**
 * Adds a message to a mailbox inside the caller's transaction. The mailbox row is the
 * lock that orders UIDs: RFC 3501 §2.3.1.1 — UIDs strictly ascend and are never reused,
 * because uid_next only ever grows. Returns undefined when `deliveryKey` was delivered
 * to this mailbox before. The caller adds the blob reference and publishes the change.
 */
export async function appendMessage(db: Queryable, input: AppendInput): Promise<Appended | undefined> {
  const seen = input.flags.includes('\\Seen');
  const { rows } = await db.query<Appended>(
    `WITH dup AS (
       SELECT 1 FROM messages WHERE mailbox_id = $1 AND delivery_key = $2
     ), mb AS (
       UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1,
              message_count = message_count + 1, unseen_count = unseen_count + $3,
              total_bytes = total_bytes + $4
        WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM dup)
        RETURNING uid_next - 1 AS uid, highest_modseq AS modseq
     )
     INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash, delivery_key,
                           subject, from_text, to_text, sent_date, message_id)
     SELECT $1, mb.uid, mb.modseq, $5, $6, $4, $7, $2, $8, $9, $10, $11, $12 FROM mb
     RETURNING uid, modseq`,
    [
      input.mailboxId,
      input.deliveryKey ?? null,
      seen ? 0 : 1,
      input.size,
      [...new Set(input.flags)],
      input.internalDate,
      input.blobHash,
      input.summary.subject,
      input.summary.from,
      input.summary.to,
      input.summary.date,
      input.summary.messageId,
    ],
  );
  return rows[0];
}

/** Bytes the account's mailboxes hold: what its quota is measured against. */
export async function accountUsage(db: Queryable, accountId: number): Promise<number> {
  const { rows } = await db.query<{ used: number }>(
    'SELECT COALESCE(sum(total_bytes), 0)::bigint AS used FROM mailboxes WHERE account_id = $1',
    [accountId],
  );
  return rows[0]?.used ?? 0;
}

/**
 * Adds several messages to a mailbox in one statement, inside the caller's transaction:
 * one update of the mailbox row takes consecutive UIDs and one MODSEQ for them all (one
 * command, one MODSEQ: RFC 7162 §3.1), one insert writes the rows. For APPEND and
 * MULTIAPPEND (RFC 3502); `flags` must be validated already (flags.ts). The caller adds
 * the blob references and publishes the change.
 */
export async function appendMessages(
  db: Queryable,
  mailboxId: number,
  inputs: readonly Omit<AppendInput, 'mailboxId' | 'deliveryKey'>[],
  also: AppendAlso = {},
): Promise<{ uids: number[]; modseq: number; freshBlobs: string[] }> {
  const unseen = inputs.filter((m) => !m.flags.includes('\\Seen')).length;
  const bytes = inputs.reduce((n, m) => n + m.size, 0);
  const column = <T>(f: (m: Omit<AppendInput, 'mailboxId' | 'deliveryKey'>) => T) => inputs.map(f);
  const refs = [...(also.blobRefs ?? [])].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  // the counters, the rows, the blob references and the folder's keywords in one statement
  // (round trips less per APPEND, while the folder's row is locked); RETURNING from the
  // mailbox update alone, so the answer is one row however many messages went in. The blob
  // rows come after the folder's (they read mb: tx.ts rules 1 and 3), in hash order.
  const { rows } = await db.query<{ first: number; modseq: number; fresh: string[] | null }>(
    `WITH mb AS (
       UPDATE mailboxes SET uid_next = uid_next + $2, highest_modseq = highest_modseq + 1,
              message_count = message_count + $2, unseen_count = unseen_count + $3, total_bytes = total_bytes + $4,
              keywords = COALESCE($18::text[], keywords)
        WHERE id = $1
        RETURNING uid_next - $2 AS first, highest_modseq AS modseq
     ), had AS (
       SELECT hash FROM blobs WHERE hash = ANY ($14::text[]) AND parsed IS NOT NULL
     ), refs AS (
       INSERT INTO blobs (hash, size, refcount, parsed)
       SELECT b.hash, b.size, b.n, b.parsed::jsonb
         FROM mb, unnest($14::text[], $15::bigint[], $16::int[], $17::text[]) WITH ORDINALITY b(hash, size, n, parsed, i)
        ORDER BY b.i
       ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + EXCLUDED.refcount, parsed = COALESCE(blobs.parsed, EXCLUDED.parsed)
       RETURNING hash, (xmax = 0) AS inserted, parsed IS NOT NULL AS described
     ), backlogged AS (
       -- parsed.ts storeDescription: a blob described just now goes on the search backlog
       INSERT INTO search_backlog (hash)
       SELECT r.hash FROM refs r, unnest($14::text[], $17::text[]) p(hash, parsed)
        WHERE p.hash = r.hash AND p.parsed IS NOT NULL AND r.described AND r.hash NOT IN (SELECT hash FROM had)
       ON CONFLICT DO NOTHING
     ), inserted AS (
       INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash,
                             subject, from_text, to_text, sent_date, message_id)
       SELECT $1, mb.first + x.i - 1, mb.modseq, string_to_array(x.flags, ' '), x.internal_date, x.size, x.blob_hash,
              x.subject, x.from_text, x.to_text, x.sent_date, x.message_id
         FROM mb, unnest($5::text[], $6::timestamptz[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::text[])
              WITH ORDINALITY x(flags, internal_date, size, blob_hash, subject, from_text, to_text, sent_date, message_id, i)
     )
     SELECT first, modseq, (SELECT array_agg(hash) FROM refs WHERE inserted) AS fresh FROM mb`,
    [
      mailboxId,
      inputs.length,
      unseen,
      bytes,
      column((m) => [...new Set(m.flags)].join(' ')),
      column((m) => m.internalDate),
      column((m) => m.size),
      column((m) => m.blobHash),
      column((m) => m.summary.subject),
      column((m) => m.summary.from),
      column((m) => m.summary.to),
      column((m) => m.summary.date),
      column((m) => m.summary.messageId),
      refs.map((r) => r.hash),
      refs.map((r) => r.size),
      refs.map((r) => r.count),
      refs.map((r) => (r.parsed ? JSON.stringify(r.parsed) : null)),
      also.keywords ?? null,
    ],
  );
  const { first, modseq, fresh } = rows[0]!;
  return { uids: inputs.map((_, i) => first + i), modseq, freshBlobs: fresh ?? [] };
}

/** What appendMessages may do in the same statement. */
export interface AppendAlso {
  /**
   * blob references to add (`count` per hash), with the description of a blob parsed just
   * now (kept only where the blob has none). The caller checks that each blob in
   * `freshBlobs` (rows made anew) still has its file (store/blob-refs.ts addBlobRef).
   */
  blobRefs?: readonly { hash: string; size: number; count: number; parsed: ParsedMessage | null }[];
  /** the folder's keywords now, when the messages bring new ones */
  keywords?: readonly string[];
}
