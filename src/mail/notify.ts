import type { Redis } from 'ioredis';

/**
 * A change in a mailbox, published so IMAP sessions in any process learn of it. The
 * store's functions return these instead of publishing, so the caller publishes only
 * after COMMIT (a session must never hear of a change it cannot yet read).
 */
export type MailboxChange =
  /** messages were added; `uid` is the highest UID added, `modseq` the MODSEQ they got */
  | { type: 'exists'; mailboxId: number; uid: number; modseq: number }
  /** flags of `uids` changed; they now carry MODSEQ `modseq` (RFC 7162 §3.1.4) */
  | { type: 'flags'; mailboxId: number; uids: number[]; modseq: number }
  /** `uids` were expunged (or moved away) at MODSEQ `modseq` (RFC 7162 §3.2.10 VANISHED) */
  | { type: 'expunge'; mailboxId: number; uids: number[]; modseq: number }
  /** the folder is gone: sessions that have it selected should end the selection */
  | { type: 'deleted'; mailboxId: number }
  /** the folder now has another name (its UIDs and UIDVALIDITY are unchanged) */
  | { type: 'renamed'; mailboxId: number; name: string };

export const mailboxChannel = (prefix: string, mailboxId: number) => `${prefix}:mailbox:${mailboxId}`;

export async function publishMailboxChange(redis: Redis, prefix: string, change: MailboxChange): Promise<void> {
  await redis.publish(mailboxChannel(prefix, change.mailboxId), JSON.stringify(change));
}

/**
 * Publishes after COMMIT, in order. A lost notification loses no data (a session also
 * reads changes on its next command), so callers may log a rejection and go on.
 */
export async function publishMailboxChanges(redis: Redis, prefix: string, changes: readonly MailboxChange[]): Promise<void> {
  if (changes.length === 1) return publishMailboxChange(redis, prefix, changes[0]!);
  if (changes.length === 0) return;
  // one write and one round trip for the lot; Redis runs a pipeline's commands in order
  const pipeline = redis.pipeline();
  for (const change of changes) pipeline.publish(mailboxChannel(prefix, change.mailboxId), JSON.stringify(change));
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
}
