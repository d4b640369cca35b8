import type { Queryable } from '../store/db.js';
import { toAccount, type Account, type AccountKind, type AccountRow, type AccountStatus } from './accounts.js';
import type { Alias } from './aliases.js';

/**
 * Filtered listings in pages, for the admin API and console. Paging is by key (the
 * address): a page starts after the last address of the one before, so an item added or
 * removed meanwhile never makes another appear twice or not at all.
 */
export interface PageRequest {
  /** the last key of the previous page */
  after?: string;
  limit: number;
}

export interface AccountFilter {
  domainId?: number;
  /** accounts in one of these agencies (an agency subtree, an agency admin's scope) */
  agencyIds?: readonly number[];
  kind?: AccountKind;
  status?: AccountStatus;
  /** a piece of the address or display name, any case */
  text?: string;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listAccountsPage(db: Queryable, filter: AccountFilter, page: PageRequest): Promise<Account[]> {
  const { rows } = await db.query<AccountRow>(
    `SELECT * FROM accounts
      WHERE ($1::bigint IS NULL OR domain_id = $1)
        AND ($2::bigint[] IS NULL OR agency_id = ANY($2))
        AND ($3::text IS NULL OR kind = $3)
        AND ($4::text IS NULL OR status = $4)
        AND ($5::text IS NULL OR address ILIKE $5 OR display_name ILIKE $5)
        AND ($6::text IS NULL OR address > $6)
      ORDER BY address LIMIT $7`,
    [
      filter.domainId ?? null,
      filter.agencyIds ? [...filter.agencyIds] : null,
      filter.kind ?? null,
      filter.status ?? null,
      filter.text ? likePattern(filter.text.normalize('NFC')) : null,
      page.after ?? null,
      page.limit,
    ],
  );
  return rows.map(toAccount);
}

export async function listAliasesPage(db: Queryable, filter: { domainId?: number }, page: PageRequest): Promise<Alias[]> {
  const { rows } = await db.query<Alias>(
    `SELECT id, address, targets FROM aliases
      WHERE ($1::bigint IS NULL OR domain_id = $1) AND ($2::text IS NULL OR address > $2)
      ORDER BY address LIMIT $3`,
    [filter.domainId ?? null, page.after ?? null, page.limit],
  );
  return rows;
}
