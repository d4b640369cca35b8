import { revokeSessionsOf } from './web-sessions.js';
import type { Queryable } from '../store/db.js';
import { toAccount, type AccountKind, type AccountRow, type AccountStatus, type Account } from './accounts.js';

/**
 * Account changes in bulk, for provisioning: one statement per batch instead of one
 * round trip per account, so thousands of accounts are made or changed in seconds.
 */

export interface BatchAccount {
  address: string;
  domainId: number;
  displayName: string;
  kind: AccountKind;
  agencyId: number | null;
  title: string;
  externalId: string | null;
  quotaBytes: number;
}

/**
 * Inserts the accounts whose address and external id are free (not an account, alias or
 * group); returns the ones made. Addresses must already be normalised (lower-case ASCII).
 */
export async function addAccountsBatch(db: Queryable, accounts: readonly BatchAccount[]): Promise<Account[]> {
  if (!accounts.length) return [];
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO accounts (domain_id, address, display_name, quota_bytes, kind, agency_id, title, external_id)
     SELECT n.domain_id, n.address, n.display_name, n.quota_bytes, n.kind, n.agency_id, n.title, n.external_id
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[])
            WITH ORDINALITY AS n(domain_id, address, display_name, quota_bytes, kind, agency_id, title, external_id, ord)
      WHERE NOT EXISTS (SELECT 1 FROM aliases WHERE aliases.address = n.address)
        AND NOT EXISTS (SELECT 1 FROM distribution_groups g WHERE g.address = n.address)
      ORDER BY n.ord
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      accounts.map((a) => a.domainId),
      accounts.map((a) => a.address),
      accounts.map((a) => a.displayName.normalize('NFC').trim()),
      accounts.map((a) => a.quotaBytes),
      accounts.map((a) => a.kind),
      accounts.map((a) => a.agencyId),
      accounts.map((a) => a.title.normalize('NFC').trim()),
      accounts.map((a) => a.externalId),
    ],
  );
  return rows.map(toAccount);
}

export interface ProfileChange {
  accountId: number;
  displayName: string;
  title: string;
  agencyId: number | null;
}

/** Sets name, title and agency of many accounts at once. */
export async function updateProfilesBatch(db: Queryable, changes: readonly ProfileChange[]): Promise<void> {
  if (!changes.length) return;
  await db.query(
    `UPDATE accounts a SET display_name = c.display_name, title = c.title, agency_id = c.agency_id, updated_at = now()
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS c(id, display_name, title, agency_id)
      WHERE a.id = c.id`,
    [changes.map((c) => c.accountId), changes.map((c) => c.displayName.normalize('NFC').trim()), changes.map((c) => c.title.normalize('NFC').trim()), changes.map((c) => c.agencyId)],
  );
}

/** Sets the status of many accounts; returns the ids whose status changed. */
export async function setStatusBatch(db: Queryable, accountIds: readonly number[], status: AccountStatus): Promise<number[]> {
  if (!accountIds.length) return [];
  const { rows } = await db.query<{ id: number }>(
    `UPDATE accounts SET status = $2, updated_at = now(),
       disabled_at = CASE WHEN $2 = 'disabled' THEN coalesce(disabled_at, now()) END
     WHERE id = ANY($1::bigint[]) AND status <> $2 RETURNING id`,
    [accountIds, status],
  );
  if (status === 'disabled') await revokeSessionsOf(db, rows.map((r) => r.id));
  return rows.map((r) => r.id);
}

/** Links accounts made by hand to their directory entry (only where no id is set yet); returns the linked ids. */
export async function setExternalIdsBatch(db: Queryable, links: ReadonlyArray<{ accountId: number; externalId: string }>): Promise<number[]> {
  if (!links.length) return [];
  const { rows } = await db.query<{ id: number }>(
    `UPDATE accounts a SET external_id = l.external_id, updated_at = now()
       FROM unnest($1::bigint[], $2::text[]) AS l(id, external_id)
      WHERE a.id = l.id AND a.external_id IS NULL RETURNING a.id`,
    [links.map((l) => l.accountId), links.map((l) => l.externalId)],
  );
  return rows.map((r) => r.id);
}

/** Every address in use locally: accounts, aliases and distribution groups. */
export async function addressesInUse(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ address: string }>(
    'SELECT address FROM accounts UNION ALL SELECT address FROM aliases UNION ALL SELECT address FROM distribution_groups',
  );
  return rows.map((r) => r.address);
}

/** Every account with the columns provisioning compares (all kinds, all statuses). */
export async function listAllAccounts(db: Queryable): Promise<Account[]> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts ORDER BY id');
  return rows.map(toAccount);
}

/** The accounts with these external ids (directory stable ids). */
export async function accountsByExternalIds(db: Queryable, externalIds: readonly string[]): Promise<Account[]> {
  if (!externalIds.length) return [];
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE external_id = ANY($1::text[])', [externalIds]);
  return rows.map(toAccount);
}

/** The accounts with these addresses (normalised). */
export async function accountsByAddresses(db: Queryable, addresses: readonly string[]): Promise<Account[]> {
  if (!addresses.length) return [];
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE address = ANY($1::text[]) ORDER BY address', [addresses]);
  return rows.map(toAccount);
}
