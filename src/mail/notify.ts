import type { Redis } from 'ioredis';

/**
 * A change in a mailbox, published so IMAP sessions in any process learn of it. The
 * store's functions return these instead of publishing, so the caller publishes only
 * after COMMIT (a session must never hear of a change it cannot yet read). Each change
 * raises the folder's MODSEQ by one and no two changes share a MODSEQ: a session that
 * heard of every MODSEQ after its own applies them without reading the store.
 */
export type MailboxChange =
  /**
   * messages were added; `uid` is the highest UID added, `modseq` the MODSEQ they got (the
   * folder's HIGHESTMODSEQ right after: every change raises it by one). With `uids` (every
   * UID added, ascending) and `flags` (their flags, sortFlags order), a selected session
   * whose view is at `modseq - 1` takes the change in without reading the store.
   */
  | { type: 'exists'; mailboxId: number; uid: number; modseq: number; uids?: number[]; flags?: string[][] }
  /**
   * flags of `uids` changed; they now carry MODSEQ `modseq` (RFC 7162 §3.1.4). `flags`, when
   * present, is each one's flags now (sortFlags order), as for 'exists'.
   */
  | { type: 'flags'; mailboxId: number; uids: number[]; modseq: number; flags?: string[][] }
  /** `uids` were expunged (or moved away) at MODSEQ `modseq` (RFC 7162 §3.2.10 VANISHED) */
  | { type: 'expunge'; mailboxId: number; uids: number[]; modseq: number }
  /** the folder is gone: sessions that have it selected should end the selection */
  | { type: 'deleted'; mailboxId: number }
  /** the folder now has another name (its UIDs and UIDVALIDITY are unchanged) */
  | { type: 'renamed'; mailboxId: number; name: string };

/**
 * A change names each message's flags only up to this many messages: past it, the sessions
 * read the change from the store (one statement) rather than parse a large notification.
 */
export const MAX_FLAGS_IN_CHANGE = 1000;

export const mailboxChannel = (prefix: string, mailboxId: number) => `${prefix}:mailbox:${mailboxId}`;

/**
 * A change as published: JSON, led by the publishing process's `origin` when it gave one
 * (imap/mailbox-events.ts: a process that told its own sessions already skips its echo
 * without parsing it).
 */
export const changeMessage = (change: MailboxChange, origin?: string) => JSON.stringify(origin ? { origin, ...change } : change);

/** Resolves to how many subscribers heard it (PUBLISH's count). */
export async function publishMailboxChange(redis: Redis, prefix: string, change: MailboxChange, origin?: string): Promise<number> {
  return redis.publish(mailboxChannel(prefix, change.mailboxId), changeMessage(change, origin));
}

/**
 * Publishes after COMMIT, in order; resolves to how many subscribers heard each. A lost
 * notification loses no data (a session also reads changes on its next command), so
 * callers may log a rejection and go on.
 */
export async function publishMailboxChanges(redis: Redis, prefix: string, changes: readonly MailboxChange[], origin?: string): Promise<number[]> {
  if (changes.length === 1) return [await publishMailboxChange(redis, prefix, changes[0]!, origin)];
  if (changes.length === 0) return [];
  // one write and one round trip for the lot; Redis runs a pipeline's commands in order
  const pipeline = redis.pipeline();
  for (const change of changes) pipeline.publish(mailboxChannel(prefix, change.mailboxId), changeMessage(change, origin));
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.map(([, receivers]) => Number(receivers));
}
