import type { Redis } from 'ioredis';

/** A change in a mailbox, published so IMAP sessions in any process learn of it. */
export type MailboxChange =
  | { type: 'exists'; mailboxId: number; uid: number; modseq: number }
  | { type: 'flags'; mailboxId: number; uids: number[]; modseq: number }
  | { type: 'expunge'; mailboxId: number; uids: number[]; modseq: number };

export const mailboxChannel = (prefix: string, mailboxId: number) => `${prefix}:mailbox:${mailboxId}`;

export async function publishMailboxChange(redis: Redis, prefix: string, change: MailboxChange): Promise<void> {
  await redis.publish(mailboxChannel(prefix, change.mailboxId), JSON.stringify(change));
}
