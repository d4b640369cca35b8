import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

/** RFC 6154 special-use folders every account gets, with the names clients expect. */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

export interface Mailbox {
  id: number;
  accountId: number;
  name: string;
  specialUse: SpecialUse | null;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  messageCount: number;
  unseenCount: number;
  totalBytes: number;
}

interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  special_use: SpecialUse | null;
  uidvalidity: number;
  uid_next: number;
  highest_modseq: number;
  message_count: number;
  unseen_count: number;
  total_bytes: number;
}

const toMailbox = (r: MailboxRow): Mailbox => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  specialUse: r.special_use,
  uidValidity: r.uidvalidity,
  uidNext: r.uid_next,
  highestModseq: r.highest_modseq,
  messageCount: r.message_count,
  unseenCount: r.unseen_count,
  totalBytes: r.total_bytes,
});

/**
 * RFC 3501 §2.3.1.1: UIDVALIDITY must change when UIDs could be reused; seconds since
 * the epoch, as most servers do, never repeat for a name that is deleted and made again.
 */
const newUidValidity = () => Math.floor(Date.now() / 1000);

export async function createDefaultMailboxes(db: Queryable, accountId: number): Promise<void> {
  for (const m of DEFAULT_MAILBOXES) {
    await db.query(
      `INSERT INTO mailboxes (account_id, name, special_use, uidvalidity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, name) DO NOTHING`,
      [accountId, m.name, m.specialUse, newUidValidity()],
    );
  }
}

export async function listMailboxes(db: Queryable, accountId: number): Promise<Mailbox[]> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT * FROM mailboxes WHERE account_id = $1 ORDER BY name <> 'INBOX', name`,
    [accountId],
  );
  return rows.map(toMailbox);
}

export async function findMailbox(db: Queryable, accountId: number, name: string): Promise<Mailbox | undefined> {
  // RFC 3501 §5.1: INBOX is case-insensitive
  const canonical = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
  const { rows } = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2', [accountId, canonical]);
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

export async function findSpecialMailbox(db: Queryable, accountId: number, use: SpecialUse): Promise<Mailbox | undefined> {
  const { rows } = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND special_use = $2 ORDER BY id LIMIT 1', [accountId, use]);
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

/** The mailbox by name, or the account's default folders made first when the account has none yet. */
export async function getMailbox(db: Queryable, accountId: number, name: string): Promise<Mailbox> {
  let mailbox = await findMailbox(db, accountId, name);
  if (!mailbox && DEFAULT_MAILBOXES.some((m) => m.name === name)) {
    await createDefaultMailboxes(db, accountId);
    mailbox = await findMailbox(db, accountId, name);
  }
  if (!mailbox) throw new UserError('no-such-mailbox', `there is no folder "${name}"`);
  return mailbox;
}
