import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { findMailbox } from './mailboxes.js';

/** RFC 9051 §6.3.11 STATUS items (RECENT is always 0: \Recent is not kept). */
export interface MailboxStatus {
  messages: number;
  unseen: number;
  uidNext: number;
  uidValidity: number;
  /** RFC 7162 §3.1.2.1 */
  highestModseq: number;
  /** RFC 9051 §6.3.11 SIZE (RFC 8438): octets of all messages */
  size: number;
  /** RFC 9051 §6.3.11 DELETED: messages flagged \Deleted */
  deleted: number;
  /** RFC 9208 §4.2.2 DELETED-STORAGE: octets of the messages flagged \Deleted */
  deletedBytes: number;
}

interface Row {
  message_count: number;
  unseen_count: number;
  uid_next: number;
  uidvalidity: number;
  highest_modseq: number;
  total_bytes: number;
  noselect: boolean;
  name: string;
  deleted: number;
  deleted_bytes: number;
}

/** Counters come from the folder row (kept by every change); DELETED is counted. */
export async function mailboxStatus(db: Queryable, mailboxId: number): Promise<MailboxStatus> {
  const { rows } = await db.query<Row>(
    `SELECT mb.*, d.deleted, d.deleted_bytes
       FROM mailboxes mb,
            LATERAL (SELECT count(*)::int AS deleted, COALESCE(sum(m.size), 0)::bigint AS deleted_bytes
                       FROM messages m WHERE m.mailbox_id = mb.id AND '\\Deleted' = ANY (m.flags)) d
      WHERE mb.id = $1`,
    [mailboxId],
  );
  const r = rows[0];
  if (!r) throw new UserError('no-such-mailbox', 'the folder no longer exists');
  // RFC 9051 §6.3.11: STATUS of a \Noselect name fails like SELECT
  if (r.noselect) throw new UserError('noselect', `"${r.name}" is only a level in the folder tree and holds no messages`);
  return {
    messages: r.message_count,
    unseen: r.unseen_count,
    uidNext: r.uid_next,
    uidValidity: r.uidvalidity,
    highestModseq: r.highest_modseq,
    size: r.total_bytes,
    deleted: r.deleted,
    deletedBytes: Number(r.deleted_bytes),
  };
}

export async function mailboxStatusByName(db: Queryable, accountId: number, name: string): Promise<MailboxStatus> {
  const mailbox = await findMailbox(db, accountId, name);
  if (!mailbox) throw new UserError('no-such-mailbox', `there is no folder "${name}"`);
  return mailboxStatus(db, mailbox.id);
}
