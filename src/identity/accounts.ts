import { revokeSessionsOf } from './web-sessions.js';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { parseAddress } from './address.js';
import { getDomain } from './domains.js';
import { assertAddressFree } from './address-owner.js';

export type AccountStatus = 'active' | 'disabled';
/** a person; an agency mailbox read by several staff; a system mailbox (postmaster, abuse, noreply) */
export type AccountKind = 'person' | 'agency' | 'system';

export interface Account {
  id: number;
  domainId: number;
  address: string;
  displayName: string;
  status: AccountStatus;
  kind: AccountKind;
  agencyId: number | null;
  title: string;
  /** the directory's stable id (entryUUID / objectGUID), when provisioned from one */
  externalId: string | null;
  quotaBytes: number;
  createdAt: Date;
}

export interface AccountRow {
  id: number;
  domain_id: number;
  address: string;
  display_name: string;
  password_hash: string | null;
  status: AccountStatus;
  kind: AccountKind;
  agency_id: number | null;
  title: string;
  external_id: string | null;
  quota_bytes: number;
  created_at: Date;
}

export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  domainId: r.domain_id,
  address: r.address,
  displayName: r.display_name,
  status: r.status,
  kind: r.kind,
  agencyId: r.agency_id,
  title: r.title,
  externalId: r.external_id,
  quotaBytes: r.quota_bytes,
  createdAt: r.created_at,
});

export interface NewAccount {
  address: string;
  displayName?: string;
  passwordHash?: string | null;
  quotaBytes: number;
  kind?: AccountKind;
  agencyId?: number | null;
  title?: string;
  externalId?: string | null;
}

export async function addAccount(db: Queryable, input: NewAccount): Promise<Account> {
  const { address, domain } = parseAddress(input.address);
  const dom = await getDomain(db, domain);
  await assertAddressFree(db, address, 'account');
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO accounts (domain_id, address, display_name, password_hash, quota_bytes, kind, agency_id, title, external_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (address) DO NOTHING RETURNING *`,
    [
      dom.id, address, (input.displayName ?? '').normalize('NFC').trim(), input.passwordHash ?? null, input.quotaBytes,
      input.kind ?? 'person', input.agencyId ?? null, (input.title ?? '').normalize('NFC').trim(), input.externalId ?? null,
    ],
  );
  if (!rows[0]) throw new UserError('account-exists', `the account ${address} already exists`);
  return toAccount(rows[0]);
}

export async function findAccount(db: Queryable, address: string): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE address = $1', [address]);
  return rows[0] ? toAccount(rows[0]) : undefined;
}

export async function getAccount(db: Queryable, address: string): Promise<Account> {
  const normalized = parseAddress(address).address;
  const account = await findAccount(db, normalized);
  if (!account) throw new UserError('no-such-account', `there is no account ${normalized}`);
  return account;
}

export async function getAccountById(db: Queryable, id: number): Promise<Account> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
  if (!rows[0]) throw new UserError('no-such-account', `there is no account with id ${id}`);
  return toAccount(rows[0]);
}

/** The stored hash, for authentication only; never leaves the identity module's callers. */
export async function passwordHashOf(db: Queryable, address: string): Promise<{ account: Account; hash: string | null } | undefined> {
  const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE address = $1', [address]);
  return rows[0] ? { account: toAccount(rows[0]), hash: rows[0].password_hash } : undefined;
}

export async function listAccounts(db: Queryable, domain?: string): Promise<Account[]> {
  const { rows } = domain
    ? await db.query<AccountRow>('SELECT a.* FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE d.name = $1 ORDER BY a.address', [domain])
    : await db.query<AccountRow>('SELECT * FROM accounts ORDER BY address');
  return rows.map(toAccount);
}

export async function setPasswordHash(db: Queryable, accountId: number, hash: string): Promise<void> {
  await db.query('UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1', [accountId, hash]);
}

export async function setAccountStatus(db: Queryable, accountId: number, status: AccountStatus): Promise<void> {
  await db.query(
    `UPDATE accounts SET status = $2, updated_at = now(),
       disabled_at = CASE WHEN $2 = 'disabled' THEN coalesce(disabled_at, now()) END WHERE id = $1`,
    [accountId, status],
  );
  if (status === 'disabled') await revokeSessionsOf(db, [accountId]);
}

export interface AccountChange {
  displayName?: string;
  title?: string;
  agencyId?: number | null;
  quotaBytes?: number;
}

/** Changes an account's profile fields; what is absent stays as it was. */
export async function updateAccount(db: Queryable, accountId: number, change: AccountChange): Promise<Account> {
  const current = await getAccountById(db, accountId);
  const { rows } = await db.query<AccountRow>(
    `UPDATE accounts SET display_name = $2, title = $3, agency_id = $4, quota_bytes = $5, updated_at = now() WHERE id = $1 RETURNING *`,
    [
      accountId,
      change.displayName === undefined ? current.displayName : change.displayName.normalize('NFC').trim(),
      change.title === undefined ? current.title : change.title.normalize('NFC').trim(),
      change.agencyId === undefined ? current.agencyId : change.agencyId,
      change.quotaBytes ?? current.quotaBytes,
    ],
  );
  return toAccount(rows[0]!);
}
