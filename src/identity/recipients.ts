import type { Queryable } from '../store/db.js';
import { DELIVERY_LIMITS } from '../shared/limits.js';
import { parseAddress } from './address.js';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { findAlias } from './aliases.js';

export type RecipientClass =
  | { kind: 'account'; address: string; account: Account }
  | { kind: 'alias'; address: string }
  | { kind: 'unknown-local'; address: string }
  | { kind: 'remote'; address: string; domain: string };

/** What an RCPT TO address is to us, in one query. Throws UserError for an address that cannot be parsed. */
export async function classifyRecipient(db: Queryable, input: string): Promise<RecipientClass> {
  const { address, domain } = parseAddress(input);
  const { rows } = await db.query<Partial<AccountRow> & { local: boolean; alias: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM domains WHERE name = $2) AS local,
            EXISTS (SELECT 1 FROM aliases WHERE address = $1) AS alias, a.*
       FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.address = $1`,
    [address, domain],
  );
  const row = rows[0]!;
  if (!row.local) return { kind: 'remote', address, domain };
  if (row.id !== null && row.id !== undefined) return { kind: 'account', address, account: toAccount(row as AccountRow) };
  if (row.alias) return { kind: 'alias', address };
  return { kind: 'unknown-local', address };
}

export interface Expansion {
  /** local accounts that receive a copy, each once */
  accounts: Account[];
  /** addresses on other servers an alias forwards to */
  remote: string[];
  /** local addresses that resolved to nothing (a dangling alias target) */
  unknown: string[];
}

/** Expands aliases (recursively, loop-safe) into the accounts and remote addresses that receive a message. */
export async function expandRecipient(db: Queryable, address: string): Promise<Expansion> {
  const out: Expansion = { accounts: [], remote: [], unknown: [] };
  const seen = new Set<string>();
  const walk = async (addr: string, depth: number) => {
    if (seen.has(addr) || depth > DELIVERY_LIMITS.maxAliasDepth) return;
    seen.add(addr);
    const c = await classifyRecipient(db, addr);
    if (c.kind === 'account') {
      if (!out.accounts.some((a) => a.id === c.account.id)) out.accounts.push(c.account);
    } else if (c.kind === 'remote') {
      out.remote.push(c.address);
    } else if (c.kind === 'unknown-local') {
      out.unknown.push(c.address);
    } else {
      const alias = await findAlias(db, c.address);
      for (const target of alias?.targets ?? []) await walk(target, depth + 1);
    }
  };
  await walk(parseAddress(address).address, 0);
  return out;
}

/** May this account use `address` as envelope sender or From? Its own address, or an alias that delivers to it. */
export async function maySendAs(db: Queryable, account: Account, input: string): Promise<boolean> {
  let address: string;
  try {
    address = parseAddress(input).address;
  } catch {
    return false;
  }
  if (address === account.address) return true;
  const alias = await findAlias(db, address);
  if (!alias) return false;
  const expansion = await expandRecipient(db, address);
  return expansion.accounts.some((a) => a.id === account.id);
}
