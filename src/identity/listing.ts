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
  /** a piece of the address or display name, any case, with or without diacritics ("nguyen" finds "Nguyễn") */
  text?: string;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Every precomposed Vietnamese letter with a diacritic (NFC, both cases, đ/Đ) and its
 * bare ASCII letter: the two arguments of SQL translate(), so a name compares without
 * its diacritics whatever the database's locale (lower() of a C-locale database only
 * knows ASCII).
 */
const FOLD = (() => {
  const marks = ['', '\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
  const bases = ['a', 'a\u0306', 'a\u0302', 'e', 'e\u0302', 'i', 'o', 'o\u0302', 'o\u031b', 'u', 'u\u031b', 'y'];
  let from = 'đĐ';
  let to = 'dd';
  for (const base of bases) {
    for (const mark of marks) {
      for (const cased of [base, base.toUpperCase()]) {
        const letter = (cased + mark).normalize('NFC');
        if (letter.length === 1 && !/[a-z]/i.test(letter)) {
          from += letter;
          to += base[0]!;
        }
      }
    }
  }
  return { from, to };
})();

/** The search text as the folded column compares it: NFD marks dropped, đ → d, lower case. */
export const foldForSearch = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

/** The filter as SQL over `accounts`, parameters $1 to $7 (`filterParams`). */
const FILTER_SQL = `($1::bigint IS NULL OR domain_id = $1)
        AND ($2::bigint[] IS NULL OR agency_id = ANY($2))
        AND ($3::text IS NULL OR kind = $3)
        AND ($4::text IS NULL OR status = $4)
        AND ($5::text IS NULL OR address ILIKE $5 OR lower(translate(display_name, $6, $7)) LIKE $5)`;

const filterParams = (filter: AccountFilter): unknown[] => [
  filter.domainId ?? null,
  filter.agencyIds ? [...filter.agencyIds] : null,
  filter.kind ?? null,
  filter.status ?? null,
  filter.text ? likePattern(foldForSearch(filter.text)) : null,
  FOLD.from,
  FOLD.to,
];

export async function listAccountsPage(db: Queryable, filter: AccountFilter, page: PageRequest): Promise<Account[]> {
  const { rows } = await db.query<AccountRow>(
    `SELECT * FROM accounts WHERE ${FILTER_SQL} AND ($8::text IS NULL OR address > $8) ORDER BY address LIMIT $9`,
    [...filterParams(filter), page.after ?? null, page.limit],
  );
  return rows.map(toAccount);
}

const hasVietnameseCollation = new WeakMap<object, Promise<boolean>>();

/** Names in Vietnamese order where the server has ICU's "vi" collation (embedded PostgreSQL does), else in the database's order. */
function nameOrder(db: Queryable): Promise<string> {
  let known = hasVietnameseCollation.get(db);
  if (!known) {
    known = db.query("SELECT 1 FROM pg_collation WHERE collname = 'vi-x-icu'").then((r) => (r.rowCount ?? 0) > 0, () => false);
    hasVietnameseCollation.set(db, known);
  }
  return known.then((vi) => (vi ? 'display_name COLLATE "vi-x-icu", address' : 'display_name, address'));
}

/**
 * A page of accounts by name (Vietnamese order), by number, with how many match in all:
 * for people browsing a list (the console) rather than a program walking it.
 */
export async function listAccountsByName(db: Queryable, filter: AccountFilter, page: { offset: number; limit: number }): Promise<{ accounts: Account[]; total: number }> {
  const params = filterParams(filter);
  const [rows, count] = await Promise.all([
    db.query<AccountRow>(`SELECT * FROM accounts WHERE ${FILTER_SQL} ORDER BY ${await nameOrder(db)} OFFSET $8 LIMIT $9`, [...params, page.offset, page.limit]),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM accounts WHERE ${FILTER_SQL}`, params),
  ]);
  return { accounts: rows.rows.map(toAccount), total: Number(count.rows[0]!.n) };
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
