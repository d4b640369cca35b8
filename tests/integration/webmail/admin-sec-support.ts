import type { Db } from '../../../src/store/db.js';
import type { Config } from '../../../src/config/index.js';
import type { Account } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';
import { addTestAccount } from '../../support/fixtures.js';

export const OFFICER_PASSWORD = 'Núi Con Voi xanh biếc 2026';

/** An account with an administrative role (or none: a plain member of staff). */
export async function officer(
  db: Db,
  config: Readonly<Config>,
  address: string,
  role?: 'superadmin' | 'auditor' | 'domain-admin' | 'agency-admin',
  scope: { domainId?: number; agencyId?: number } = {},
): Promise<Account> {
  const account = await addTestAccount(db, config, address, { password: OFFICER_PASSWORD, name: address.split('@')[0]! });
  if (role) await grantRole(db, { accountId: account.id, role, ...scope, grantedBy: 'test' });
  return account;
}

const decode = (s: string) =>
  s.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

/** The body rows of the table with this class, each as its cells' text. */
export function tableRows(page: string, tableClass: string): string[][] {
  const table = new RegExp(`<table class="list ${tableClass}"[^>]*>([\\s\\S]*?)</table>`).exec(page);
  if (!table) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1]!)));
}

/** The text of the page's error or notice paragraph. */
export const message = (page: string, kind: 'error' | 'notice') => decode(new RegExp(`<(?:p|div) class="${kind}[^"]*"[^>]*>([\\s\\S]*?)</(?:p|div)>`).exec(page)?.[1] ?? '');

/** Today's date (YYYY-MM-DD) in a time zone, with days added. */
export function dayIn(timeZone: string, addDays = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + addDays * 86_400_000));
}
