import type { Queryable } from '../store/db.js';
import type { MessageSummary } from './append.js';

export interface DeliveryInput {
  accountId: number;
  /** folder name, e.g. 'INBOX' or 'Sent' */
  folder: string;
  blobHash: string;
  size: number;
  flags: readonly string[];
  internalDate: Date;
  summary: MessageSummary;
  /** one copy per key per mailbox: a repeated delivery adds nothing */
  deliveryKey: string;
  /** refuse when the message would take the account over its quota */
  enforceQuota: boolean;
  /** deliver into this mailbox (found by getMailbox) instead of looking `folder` up */
  mailboxId?: number;
}

export type DeliveryResult =
  | { status: 'stored'; mailboxId: number; uid: number; modseq: number }
  | { status: 'duplicate' }
  | { status: 'over-quota' }
  | { status: 'no-mailbox' };

interface TargetRow {
  ord: number;
  mailbox_id: number | null;
  uid_next: number | null;
  highest_modseq: number | null;
  dup: boolean;
  quota_bytes: number;
  used: number;
}

/**
 * The delivery path, for any number of copies at once inside the caller's transaction:
 * one statement locks the target mailboxes (in id order, so concurrent deliveries never
 * deadlock each other) and reads their next UID and MODSEQ, the copies already there and
 * the accounts' usage; the decisions are made here; a second statement adds the
 * messages and moves the counters. The row locks order UIDs (RFC 3501 §2.3.1.1:
 * strictly ascending, never reused). Results come in the order of `inputs`.
 */
export async function deliverToMailboxes(db: Queryable, inputs: readonly DeliveryInput[]): Promise<DeliveryResult[]> {
  if (inputs.length === 0) return [];
  const { rows } = await db.query<TargetRow>(
    `WITH input AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS i(account_id, folder, mailbox_id, key, ord)
     ), target AS (
       SELECT i.ord, i.account_id, i.key, m.id AS mailbox_id
         FROM input i LEFT JOIN mailboxes m
           ON m.account_id = i.account_id AND NOT m.noselect AND CASE WHEN i.mailbox_id IS NULL THEN m.name = i.folder ELSE m.id = i.mailbox_id END
     ), locked AS (
       SELECT id, uid_next, highest_modseq FROM mailboxes WHERE id IN (SELECT mailbox_id FROM target) ORDER BY id FOR UPDATE
     )
     SELECT t.ord, t.mailbox_id, l.uid_next, l.highest_modseq,
            EXISTS (SELECT 1 FROM messages x WHERE x.mailbox_id = t.mailbox_id AND x.delivery_key = t.key) AS dup,
            a.quota_bytes, (SELECT COALESCE(sum(total_bytes), 0) FROM mailboxes WHERE account_id = t.account_id) AS used
       FROM target t LEFT JOIN locked l ON l.id = t.mailbox_id JOIN accounts a ON a.id = t.account_id`,
    [inputs.map((i) => i.accountId), inputs.map((i) => i.folder), inputs.map((i) => i.mailboxId ?? null), inputs.map((i) => i.deliveryKey)],
  );
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
  const next = new Map<number, { uid: number; modseq: number; count: number; unseen: number; bytes: number }>();
  const used = new Map<number, number>();
  const keys = new Set<string>();
  const stored: Array<{ input: DeliveryInput; mailboxId: number; uid: number; modseq: number }> = [];
  const results = inputs.map((input, i): DeliveryResult => {
    const row = byOrd.get(i + 1);
    if (!row || row.mailbox_id === null || row.uid_next === null || row.highest_modseq === null) return { status: 'no-mailbox' };
    const mailboxId = Number(row.mailbox_id);
    const key = `${mailboxId}\0${input.deliveryKey}`;
    if (row.dup || keys.has(key)) return { status: 'duplicate' };
    const usage = used.get(input.accountId) ?? Number(row.used);
    const quota = Number(row.quota_bytes);
    if (input.enforceQuota && quota > 0 && usage + input.size > quota) return { status: 'over-quota' };
    keys.add(key);
    used.set(input.accountId, usage + input.size);
    const counters = next.get(mailboxId) ?? { uid: Number(row.uid_next), modseq: Number(row.highest_modseq), count: 0, unseen: 0, bytes: 0 };
    next.set(mailboxId, counters);
    const uid = counters.uid++;
    const modseq = ++counters.modseq;
    counters.count++;
    counters.bytes += input.size;
    if (!input.flags.includes('\\Seen')) counters.unseen++;
    stored.push({ input, mailboxId, uid, modseq });
    return { status: 'stored', mailboxId, uid, modseq };
  });
  if (stored.length) await insertMessages(db, stored, next);
  return results;
}

async function insertMessages(
  db: Queryable,
  stored: ReadonlyArray<{ input: DeliveryInput; mailboxId: number; uid: number; modseq: number }>,
  counters: ReadonlyMap<number, { uid: number; modseq: number; count: number; unseen: number; bytes: number }>,
): Promise<void> {
  const col = <T>(pick: (s: (typeof stored)[number]) => T) => stored.map(pick);
  const boxes = [...counters.entries()];
  await db.query(
    `WITH boxes AS (
       UPDATE mailboxes m SET uid_next = b.uid_next, highest_modseq = b.modseq, message_count = m.message_count + b.count,
              unseen_count = m.unseen_count + b.unseen, total_bytes = m.total_bytes + b.bytes
         FROM unnest($14::bigint[], $15::bigint[], $16::bigint[], $17::int[], $18::int[], $19::bigint[]) AS b(id, uid_next, modseq, count, unseen, bytes)
        WHERE m.id = b.id
     )
     INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash, delivery_key,
                           subject, from_text, to_text, sent_date, message_id)
     SELECT mailbox_id, uid, modseq, ARRAY(SELECT jsonb_array_elements_text(flags)), internal_date, size, blob_hash, delivery_key,
            subject, from_text, to_text, sent_date, message_id
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::jsonb[], $5::timestamptz[], $6::bigint[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::text[])
            AS m(mailbox_id, uid, modseq, flags, internal_date, size, blob_hash, delivery_key, subject, from_text, to_text, sent_date, message_id)`,
    [
      col((s) => s.mailboxId), col((s) => s.uid), col((s) => s.modseq), col((s) => JSON.stringify([...new Set(s.input.flags)])),
      col((s) => s.input.internalDate), col((s) => s.input.size), col((s) => s.input.blobHash), col((s) => s.input.deliveryKey),
      col((s) => s.input.summary.subject), col((s) => s.input.summary.from), col((s) => s.input.summary.to), col((s) => s.input.summary.date),
      col((s) => s.input.summary.messageId),
      boxes.map(([id]) => id), boxes.map(([, c]) => c.uid), boxes.map(([, c]) => c.modseq), boxes.map(([, c]) => c.count),
      boxes.map(([, c]) => c.unseen), boxes.map(([, c]) => c.bytes),
    ],
  );
}
