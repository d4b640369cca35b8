import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { canonicalInbox, storedFolderName } from './mailbox-names.js';

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

/** RFC 6154 §2 attributes a folder may carry (CREATE-SPECIAL-USE takes these). */
export const SPECIAL_USES: readonly string[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'];

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
  /** RFC 9051 §6.3.5: a level of the tree kept for its children; it holds no messages */
  noselect: boolean;
  /** keywords used in this folder (for the FLAGS response), in the spelling first used */
  keywords: string[];
}

export interface MailboxRow {
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
  noselect: boolean;
  keywords: string[];
}

export const toMailbox = (r: MailboxRow): Mailbox => ({
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
  noselect: r.noselect,
  keywords: r.keywords,
});

/**
 * Makes the default folders the account lacks, subscribed. UIDVALIDITY comes from the
 * column default (the mailbox_uidvalidity sequence, migration 005): never repeated.
 */
export async function createDefaultMailboxes(db: Queryable, accountId: number): Promise<void> {
  for (const m of DEFAULT_MAILBOXES) {
    await db.query(
      `INSERT INTO mailboxes (account_id, name, special_use) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, name) DO NOTHING`,
      [accountId, m.name, m.specialUse],
    );
    await db.query('INSERT INTO mailbox_subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, m.name]);
  }
}

export async function listMailboxes(db: Queryable, accountId: number): Promise<Mailbox[]> {
  const { rows } = await db.query<MailboxRow>(
    `SELECT * FROM mailboxes WHERE account_id = $1 ORDER BY name <> 'INBOX', name`,
    [accountId],
  );
  return rows.map(toMailbox);
}

/** The folder by name, \Noselect levels included; INBOX in any case. */
export async function findMailbox(db: Queryable, accountId: number, name: string): Promise<Mailbox | undefined> {
  // RFC 9051 §5.1: INBOX is case-insensitive
  const canonical = storedFolderName(name);
  const { rows } = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2', [accountId, canonical]);
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

export async function findSpecialMailbox(db: Queryable, accountId: number, use: SpecialUse): Promise<Mailbox | undefined> {
  const { rows } = await db.query<MailboxRow>(
    'SELECT * FROM mailboxes WHERE account_id = $1 AND special_use = $2 AND NOT noselect ORDER BY id LIMIT 1',
    [accountId, use],
  );
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

export async function getMailboxById(db: Queryable, id: number): Promise<Mailbox | undefined> {
  const { rows } = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [id]);
  return rows[0] ? toMailbox(rows[0]) : undefined;
}

/**
 * A folder delivery can append to, by name. For a default folder that is missing, the
 * folder carrying its special use is taken (a user who renamed "Sent" still gets Sent
 * copies there, RFC 6154), else the default folder is made again. An account with no
 * folders at all gets all its default folders first.
 */
export async function getMailbox(db: Queryable, accountId: number, name: string): Promise<Mailbox> {
  const found = await findMailbox(db, accountId, name);
  if (found && !found.noselect) return found;
  const fallback = DEFAULT_MAILBOXES.find((m) => m.name === canonicalInbox(name));
  if (!fallback) throw new UserError('no-such-mailbox', `there is no folder "${name}"`);
  const { rowCount } = await db.query('SELECT 1 FROM mailboxes WHERE account_id = $1 LIMIT 1', [accountId]);
  if (rowCount === 0) await createDefaultMailboxes(db, accountId);
  if (fallback.specialUse) {
    const special = await findSpecialMailbox(db, accountId, fallback.specialUse);
    if (special) return special;
  }
  // a \Noselect level of that name becomes a real folder again, with a new UIDVALIDITY
  const { rows } = await db.query<MailboxRow>(
    `INSERT INTO mailboxes (account_id, name, special_use) VALUES ($1, $2, $3)
     ON CONFLICT (account_id, name) DO UPDATE
       SET noselect = false, uidvalidity = nextval('mailbox_uidvalidity'), special_use = COALESCE(mailboxes.special_use, EXCLUDED.special_use)
     WHERE mailboxes.noselect
     RETURNING *`,
    [accountId, fallback.name, fallback.specialUse],
  );
  if (rows[0]) return toMailbox(rows[0]);
  const again = await findMailbox(db, accountId, fallback.name); // made by a concurrent caller
  if (!again || again.noselect) throw new UserError('no-such-mailbox', `there is no folder "${name}"`);
  return again;
}
