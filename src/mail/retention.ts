import type { Db, Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { appendAudit } from '../audit/audit-log.js';
import { expungeMessages } from './expunge.js';
import type { MailboxChange } from './notify.js';
import { uidSetOf } from './uid-set.js';

export interface RetentionDefaults {
  /** days a message stays in Trash before it is removed; 0 keeps it */
  trashDays: number;
  /** the same for Junk */
  junkDays: number;
  /** days a disabled account is kept before it is archived (src/mail/archive); 0 keeps it */
  disabledAccountDays: number;
}

export interface DomainRetention {
  trashDays: number | null;
  junkDays: number | null;
  disabledAccountDays: number | null;
}

/** Sets a domain's own retention; null returns a value to the configured default, an absent disabledAccountDays keeps it. */
export async function setDomainRetention(db: Queryable, domainId: number, r: Omit<DomainRetention, 'disabledAccountDays'> & { disabledAccountDays?: number | null }): Promise<void> {
  for (const days of [r.trashDays, r.junkDays, r.disabledAccountDays ?? null]) {
    if (days !== null && (!Number.isInteger(days) || days < 0)) throw new UserError('bad-retention', `retention days must be a whole number >= 0, not ${days}`);
  }
  await db.query(
    `INSERT INTO domain_retention (domain_id, trash_days, junk_days, disabled_account_days) VALUES ($1, $2, $3, $4)
     ON CONFLICT (domain_id) DO UPDATE
       SET trash_days = EXCLUDED.trash_days, junk_days = EXCLUDED.junk_days,
           disabled_account_days = CASE WHEN $5 THEN EXCLUDED.disabled_account_days ELSE domain_retention.disabled_account_days END`,
    [domainId, r.trashDays, r.junkDays, r.disabledAccountDays ?? null, r.disabledAccountDays !== undefined],
  );
}

export async function domainRetention(db: Queryable, domainId: number): Promise<DomainRetention> {
  const { rows } = await db.query<{ trash_days: number | null; junk_days: number | null; disabled_account_days: number | null }>(
    'SELECT * FROM domain_retention WHERE domain_id = $1',
    [domainId],
  );
  return { trashDays: rows[0]?.trash_days ?? null, junkDays: rows[0]?.junk_days ?? null, disabledAccountDays: rows[0]?.disabled_account_days ?? null };
}

export interface RetentionRun {
  mailboxes: number;
  messages: number;
  changes: MailboxChange[];
}

/**
 * Empties Trash and Junk of what has been there longer than its domain's retention
 * (counted from when each message came into the folder). Removal is an expunge like any
 * other (clients see EXPUNGE/VANISHED), and a legal hold still keeps what it covers.
 */
export async function applyRetention(db: Db, defaults: Omit<RetentionDefaults, 'disabledAccountDays'>, now = new Date()): Promise<RetentionRun> {
  const { rows } = await db.query<{ mailbox_id: number; uids: number[] }>(
    `WITH due AS (
       SELECT mb.id AS mailbox_id,
              CASE mb.special_use WHEN '\\Trash' THEN COALESCE(r.trash_days, $1) ELSE COALESCE(r.junk_days, $2) END AS days
         FROM mailboxes mb JOIN accounts a ON a.id = mb.account_id LEFT JOIN domain_retention r ON r.domain_id = a.domain_id
        WHERE mb.special_use IN ('\\Trash', '\\Junk'))
     SELECT due.mailbox_id, array_agg(m.uid ORDER BY m.uid) AS uids
       FROM due JOIN messages m ON m.mailbox_id = due.mailbox_id
      WHERE due.days > 0 AND m.saved_at < $3::timestamptz - make_interval(days => due.days)
      GROUP BY due.mailbox_id`,
    [defaults.trashDays, defaults.junkDays, now],
  );
  const run: RetentionRun = { mailboxes: 0, messages: 0, changes: [] };
  for (const row of rows) {
    const result = await expungeMessages(db, row.mailbox_id, uidSetOf(row.uids), { deletedOnly: false });
    if (result.uids.length === 0) continue;
    run.mailboxes++;
    run.messages += result.uids.length;
    run.changes.push(...result.changes);
  }
  if (run.messages) await appendAudit(db, { actor: 'system', action: 'retention.run', data: { mailboxes: run.mailboxes, messages: run.messages } });
  return run;
}
