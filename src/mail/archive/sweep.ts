import type { Queryable } from '../../store/db.js';
import { activeHoldsCovering, type LegalHold } from '../legal-hold.js';
import type { MailboxChange } from '../notify.js';
import { archiveAccount, type ArchiveContext, type ArchiveOutcome } from './account-archive.js';

export interface ArchiveSweep {
  archived: ArchiveOutcome[];
  /** due, but a legal hold stands over them: left as they are */
  held: { address: string; holds: LegalHold[] }[];
  failed: { address: string; error: string }[];
  changes: MailboxChange[];
}

/**
 * The disabled accounts whose domain's `disabled_account_days` (or `defaultDays`; 0 keeps
 * them for ever) have passed since they were disabled and that were not archived since,
 * and those whose archive is written but whose messages are still to be removed.
 */
export async function accountsDueForArchive(db: Queryable, defaultDays: number, now: Date): Promise<{ id: number; address: string }[]> {
  const { rows } = await db.query<{ id: number; address: string }>(
    `SELECT a.id, a.address FROM accounts a LEFT JOIN domain_retention r ON r.domain_id = a.domain_id
      WHERE a.status = 'disabled' AND a.disabled_at IS NOT NULL
        AND (EXISTS (SELECT 1 FROM account_archives x WHERE x.account_id = a.id AND x.removed_at IS NULL)
             OR (COALESCE(r.disabled_account_days, $1) > 0
                 AND a.disabled_at < $2::timestamptz - make_interval(days => COALESCE(r.disabled_account_days, $1))
                 AND NOT EXISTS (SELECT 1 FROM account_archives x WHERE x.account_id = a.id AND x.created_at >= a.disabled_at)))
      ORDER BY a.disabled_at, a.id`,
    [defaultDays, now],
  );
  return rows;
}

/**
 * Archives every account due (see `accountsDueForArchive`), one after the other; an
 * account under a legal hold is left alone, and one that fails does not stop the others.
 */
export async function archiveDepartedAccounts(ctx: ArchiveContext, defaultDays: number, now = new Date()): Promise<ArchiveSweep> {
  const sweep: ArchiveSweep = { archived: [], held: [], failed: [], changes: [] };
  for (const account of await accountsDueForArchive(ctx.db, defaultDays, now)) {
    const holds = await activeHoldsCovering(ctx.db, account.id);
    if (holds.length) {
      sweep.held.push({ address: account.address, holds });
      continue;
    }
    try {
      const outcome = await archiveAccount(ctx, account.id, 'system', { now });
      sweep.archived.push(outcome);
      sweep.changes.push(...outcome.changes);
    } catch (err) {
      sweep.failed.push({ address: account.address, error: (err as Error).message });
    }
  }
  return sweep;
}
