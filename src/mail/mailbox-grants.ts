import type { Queryable } from '../store/db.js';
import { toMailbox, type Mailbox, type MailboxRow } from './mailboxes.js';

/**
 * Folders a person shares with colleagues (IMAP ACL, RFC 4314): one row per folder and
 * colleague, holding RFC 4314 §2.1 right letters. Checking who may be a grantee and
 * auditing the change are the caller's (the IMAP ACL commands).
 */
export interface MailboxGrant {
  mailboxId: number;
  granteeId: number;
  granteeAddress: string;
  rights: string;
}

/** A folder of another account shared with the grantee, with the owner's address. */
export interface SharedMailbox {
  mailbox: Mailbox;
  ownerId: number;
  ownerAddress: string;
  rights: string;
}

/** Sets the grantee's rights on the folder (a new grant or a replaced one); returns the rights before ('' when none). */
export async function setMailboxGrant(db: Queryable, g: { mailboxId: number; granteeId: number; rights: string; createdBy: string }): Promise<string> {
  const { rows } = await db.query<{ before: string | null }>(
    `WITH before AS (SELECT rights FROM mailbox_grants WHERE mailbox_id = $1 AND grantee_id = $2 FOR UPDATE),
          upsert AS (
            INSERT INTO mailbox_grants (mailbox_id, grantee_id, rights, created_by) VALUES ($1, $2, $3, $4)
            ON CONFLICT (mailbox_id, grantee_id) DO UPDATE SET rights = excluded.rights)
     SELECT (SELECT rights FROM before) AS before`,
    [g.mailboxId, g.granteeId, g.rights, g.createdBy],
  );
  return rows[0]?.before ?? '';
}

/** Withdraws the grantee's grant on the folder; returns the rights it gave ('' when there was none). */
export async function removeMailboxGrant(db: Queryable, mailboxId: number, granteeId: number): Promise<string> {
  const { rows } = await db.query<{ rights: string }>('DELETE FROM mailbox_grants WHERE mailbox_id = $1 AND grantee_id = $2 RETURNING rights', [mailboxId, granteeId]);
  return rows[0]?.rights ?? '';
}

/** Every grant on one folder, by grantee address. */
export async function grantsOnMailbox(db: Queryable, mailboxId: number): Promise<MailboxGrant[]> {
  const { rows } = await db.query<{ grantee_id: number; address: string; rights: string }>(
    `SELECT g.grantee_id, a.address, g.rights FROM mailbox_grants g JOIN accounts a ON a.id = g.grantee_id
      WHERE g.mailbox_id = $1 ORDER BY a.address`,
    [mailboxId],
  );
  return rows.map((r) => ({ mailboxId, granteeId: r.grantee_id, granteeAddress: r.address, rights: r.rights }));
}

/** The rights one account was granted on one folder ('' when none). */
export async function grantedRights(db: Queryable, mailboxId: number, granteeId: number): Promise<string> {
  const { rows } = await db.query<{ rights: string }>('SELECT rights FROM mailbox_grants WHERE mailbox_id = $1 AND grantee_id = $2', [mailboxId, granteeId]);
  return rows[0]?.rights ?? '';
}

/** The folders of active accounts shared with the grantee, \Noselect levels left out. */
export async function mailboxesSharedWith(db: Queryable, granteeId: number): Promise<SharedMailbox[]> {
  const { rows } = await db.query<MailboxRow & { owner_address: string; rights: string }>(
    `SELECT mb.*, a.address AS owner_address, g.rights
       FROM mailbox_grants g JOIN mailboxes mb ON mb.id = g.mailbox_id JOIN accounts a ON a.id = mb.account_id
      WHERE g.grantee_id = $1 AND a.status = 'active' AND NOT mb.noselect
      ORDER BY a.address, mb.name`,
    [granteeId],
  );
  return rows.map((r) => ({ mailbox: toMailbox(r), ownerId: r.account_id, ownerAddress: r.owner_address, rights: r.rights }));
}
