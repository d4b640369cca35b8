import type { Db, Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { toMailbox, SPECIAL_USES, type Mailbox, type MailboxRow } from './mailboxes.js';
import { ancestorsOf, isInbox, isInside, normalizeMailboxName } from './mailbox-names.js';
import { lockMailboxTree, mailTransaction } from './tx.js';
import { releaseMessageBlobRefs } from './message-blobs.js';
import { transferMessages } from './copy-move.js';
import { ALL_UIDS } from './uid-set.js';
import type { MailboxChange } from './notify.js';

/**
 * Creating, deleting and renaming folders. Decisions (RFC 9051 leaves the choice):
 * - a deleted folder that has children stays as a \Noselect level (§6.3.5);
 * - superior levels made by CREATE or RENAME are ordinary folders (§6.3.4);
 * - a renamed folder keeps its UIDVALIDITY: values come from one sequence and are never
 *   given twice, so no earlier folder of the new name can have had the same one (§2.3.1.1);
 * - subscriptions follow a renamed folder and its children; DELETE leaves them (§6.3.9).
 */

async function insertMailbox(db: Queryable, accountId: number, name: string, specialUse: string | null = null): Promise<Mailbox> {
  const { rows } = await db.query<MailboxRow>(
    'INSERT INTO mailboxes (account_id, name, special_use) VALUES ($1, $2, $3) RETURNING *',
    [accountId, name, specialUse],
  );
  return toMailbox(rows[0]!);
}

/** RFC 9051 §6.3.4: "the server SHOULD create any superior hierarchical names that are needed" */
async function createMissingAncestors(db: Queryable, accountId: number, name: string): Promise<void> {
  for (const ancestor of ancestorsOf(name)) {
    await db.query('INSERT INTO mailboxes (account_id, name) VALUES ($1, $2) ON CONFLICT (account_id, name) DO NOTHING', [accountId, ancestor]);
  }
}

async function lockByName(db: Queryable, accountId: number, name: string): Promise<MailboxRow | undefined> {
  const { rows } = await db.query<MailboxRow>('SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2 FOR UPDATE', [accountId, name]);
  return rows[0];
}

async function hasChildren(db: Queryable, accountId: number, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "SELECT 1 FROM mailboxes WHERE account_id = $1 AND starts_with(name, $2 || '/') LIMIT 1",
    [accountId, name],
  );
  return (rowCount ?? 0) > 0;
}

const alreadyExists = (name: string) => new UserError('already-exists', `a folder named "${name}" already exists`);
const noSuchMailbox = (name: string) => new UserError('no-such-mailbox', `there is no folder "${name}"`);

export async function createMailbox(db: Db, accountId: number, input: string, options: { specialUse?: string } = {}): Promise<Mailbox> {
  const name = normalizeMailboxName(input);
  // RFC 9051 §6.3.4: CREATE INBOX is an error (it always exists)
  if (isInbox(name)) throw alreadyExists('INBOX');
  const use = options.specialUse ?? null;
  // RFC 6154 §3: an attribute the server does not know is refused with [USEATTR]
  if (use !== null && !SPECIAL_USES.includes(use)) throw new UserError('bad-special-use', `${use} is not a special use this server knows`);
  return mailTransaction(db, async (client) => {
    await lockMailboxTree(client, accountId);
    const existing = await lockByName(client, accountId, name);
    if (existing && !existing.noselect) throw alreadyExists(name);
    await createMissingAncestors(client, accountId, name);
    if (!existing) return insertMailbox(client, accountId, name, use);
    // a \Noselect level becomes a folder: a new incarnation, so a new UIDVALIDITY
    const { rows } = await client.query<MailboxRow>(
      `UPDATE mailboxes SET noselect = false, uidvalidity = nextval('mailbox_uidvalidity'), special_use = $2
        WHERE id = $1 RETURNING *`,
      [existing.id, use],
    );
    return toMailbox(rows[0]!);
  });
}

export async function deleteMailbox(db: Db, accountId: number, input: string): Promise<{ changes: MailboxChange[] }> {
  const name = normalizeMailboxName(input);
  // RFC 9051 §6.3.5: "It is an error to attempt to delete INBOX"
  if (isInbox(name)) throw new UserError('cannot', 'INBOX cannot be deleted');
  return mailTransaction(db, async (client) => {
    await lockMailboxTree(client, accountId);
    const row = await lockByName(client, accountId, name);
    if (!row) throw noSuchMailbox(name);
    const children = await hasChildren(client, accountId, name);
    // RFC 9051 §6.3.5: deleting a \Noselect name that has inferior names is an error
    if (row.noselect && children) throw new UserError('has-children', `"${name}" has subfolders; delete them first`);
    // the messages first, while their folder still exists: a legal hold keeps them by folder and account
    const { rows } = await client.query<{ blob_hash: string }>('DELETE FROM messages WHERE mailbox_id = $1 RETURNING blob_hash', [row.id]);
    await client.query('DELETE FROM mailboxes WHERE id = $1', [row.id]); // expunge records go with it
    await releaseMessageBlobRefs(client, rows.map((r) => r.blob_hash));
    // RFC 9051 §6.3.5: with inferior names, the name stays with the \Noselect attribute
    if (children) {
      await client.query('INSERT INTO mailboxes (account_id, name, noselect) VALUES ($1, $2, true)', [accountId, name]);
    }
    return { changes: [{ type: 'deleted', mailboxId: row.id }] };
  });
}

export async function renameMailbox(db: Db, accountId: number, fromInput: string, toInput: string): Promise<{ mailbox: Mailbox; changes: MailboxChange[] }> {
  const from = normalizeMailboxName(fromInput);
  const to = normalizeMailboxName(toInput);
  // RFC 9051 §6.3.6: renaming to an existing name (INBOX always exists) is an error
  if (isInbox(to)) throw alreadyExists('INBOX');
  if (isInbox(from)) return renameInbox(db, accountId, to);
  // a folder cannot move inside itself
  if (isInside(to, from)) throw new UserError('cannot', `"${from}" cannot be moved inside itself`);
  return mailTransaction(db, async (client) => {
    await lockMailboxTree(client, accountId);
    const source = await lockByName(client, accountId, from);
    if (!source) throw noSuchMailbox(from);
    if (await lockByName(client, accountId, to)) throw alreadyExists(to);
    // RFC 9051 §6.3.6: superior names of the new name are made as for CREATE
    await createMissingAncestors(client, accountId, to);
    // RFC 9051 §6.3.6: "all inferior hierarchical names are also renamed"
    const { rows } = await client.query<{ id: number; name: string }>(
      `UPDATE mailboxes SET name = $3 || substr(name, char_length($2) + 1)
        WHERE account_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))
        RETURNING id, name`,
      [accountId, from, to],
    );
    await client.query(
      `WITH moved AS (
         DELETE FROM mailbox_subscriptions WHERE account_id = $1 AND (name = $2 OR starts_with(name, $2 || '/'))
         RETURNING name)
       INSERT INTO mailbox_subscriptions (account_id, name)
       SELECT $1, $3 || substr(name, char_length($2) + 1) FROM moved ON CONFLICT DO NOTHING`,
      [accountId, from, to],
    );
    const { rows: renamed } = await client.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [source.id]);
    return {
      mailbox: toMailbox(renamed[0]!),
      changes: rows.map((r): MailboxChange => ({ type: 'renamed', mailboxId: r.id, name: r.name })),
    };
  });
}

/**
 * RFC 9051 §6.3.6: renaming INBOX moves all its messages to a new folder of the new
 * name and leaves INBOX empty; INBOX's own subfolders stay where they are. INBOX keeps
 * its UIDVALIDITY and uid_next, so its UIDs are never reused.
 */
async function renameInbox(db: Db, accountId: number, to: string): Promise<{ mailbox: Mailbox; changes: MailboxChange[] }> {
  return mailTransaction(db, async (client) => {
    await lockMailboxTree(client, accountId);
    if (await lockByName(client, accountId, to)) throw alreadyExists(to);
    const inbox = await lockByName(client, accountId, 'INBOX');
    if (!inbox) throw noSuchMailbox('INBOX');
    await createMissingAncestors(client, accountId, to);
    const target = await insertMailbox(client, accountId, to);
    const moved = await transferMessages(client, null, { sourceMailboxId: inbox.id, uids: ALL_UIDS, targetMailboxId: target.id, move: true });
    const { rows } = await client.query<MailboxRow>('SELECT * FROM mailboxes WHERE id = $1', [target.id]);
    return { mailbox: toMailbox(rows[0]!), changes: moved.changes };
  });
}

/** RFC 9051 §6.3.7: a name may be subscribed whether or not a folder of that name exists. */
export async function subscribeMailbox(db: Queryable, accountId: number, input: string): Promise<void> {
  const name = normalizeMailboxName(input);
  await db.query('INSERT INTO mailbox_subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, name]);
}

/** RFC 9051 §6.3.8; unsubscribing a name that is not subscribed changes nothing and is not an error. */
export async function unsubscribeMailbox(db: Queryable, accountId: number, input: string): Promise<void> {
  const name = normalizeMailboxName(input);
  await db.query('DELETE FROM mailbox_subscriptions WHERE account_id = $1 AND name = $2', [accountId, name]);
}
