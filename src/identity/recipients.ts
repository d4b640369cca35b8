import type { Queryable } from '../store/db.js';
import { DELIVERY_LIMITS } from '../shared/limits.js';
import { parseAddress } from './address.js';
import { toAccount, type Account, type AccountRow } from './accounts.js';
import { findAlias } from './aliases.js';
import { groupMembers, toGroup, type Group, type GroupRow } from './groups.js';

export type RecipientClass =
  | { kind: 'account'; address: string; account: Account; /** bytes its folders hold now (quota usage) */ usedBytes: number }
  | { kind: 'alias'; address: string }
  | { kind: 'group'; address: string; group: Group }
  | { kind: 'unknown-local'; address: string }
  | { kind: 'remote'; address: string; domain: string };

/** What an RCPT TO address is to us, in one query. Throws UserError for an address that cannot be parsed. */
export async function classifyRecipient(db: Queryable, input: string): Promise<RecipientClass> {
  return (await classifyRecipients(db, [parseAddress(input)]))[0]!;
}

type ClassRow = Partial<AccountRow> & { local: boolean; alias: boolean; used_bytes: number; grp: (Omit<GroupRow, 'created_at'> & { created_at: string }) | null };

/** classifyRecipient for several parsed addresses in one query (RCPT TO of concurrent sessions), in their order. */
export async function classifyRecipients(db: Queryable, inputs: ReadonlyArray<{ address: string; domain: string }>): Promise<RecipientClass[]> {
  const { rows } = await db.query<ClassRow & { ord: number }>(
    `SELECT i.ord,
            EXISTS (SELECT 1 FROM domains WHERE name = i.domain) AS local,
            EXISTS (SELECT 1 FROM aliases WHERE address = i.address) AS alias,
            (SELECT to_jsonb(g) FROM distribution_groups g WHERE g.address = i.address) AS grp,
            (SELECT COALESCE(sum(m.total_bytes), 0)::bigint FROM mailboxes m WHERE m.account_id = a.id) AS used_bytes, a.*
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(address, domain, ord) LEFT JOIN accounts a ON a.address = i.address`,
    [inputs.map((i) => i.address), inputs.map((i) => i.domain)],
  );
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
  return inputs.map(({ address, domain }, k) => {
    const row = byOrd.get(k + 1)!;
    if (!row.local) return { kind: 'remote', address, domain };
    if (row.id !== null && row.id !== undefined) return { kind: 'account', address, account: toAccount(row as AccountRow), usedBytes: row.used_bytes };
    if (row.alias) return { kind: 'alias', address };
    if (row.grp) return { kind: 'group', address, group: toGroup({ ...row.grp, created_at: new Date(row.grp.created_at) }) };
    return { kind: 'unknown-local', address };
  });
}

export interface Expansion {
  /** local accounts that receive a copy, each once */
  accounts: Account[];
  /** addresses on other servers an alias forwards to */
  remote: string[];
  /** local addresses that resolved to nothing (a dangling alias target) */
  unknown: string[];
  /** distribution groups expanded on the way (their members are in `accounts`) */
  groups: string[];
}

/**
 * Expands aliases (recursively, loop-safe) and distribution groups (to their members at
 * this moment) into the accounts and remote addresses that receive a message.
 */
export async function expandRecipient(db: Queryable, address: string): Promise<Expansion> {
  const out: Expansion = { accounts: [], remote: [], unknown: [], groups: [] };
  const seen = new Set<string>();
  const accountIds = new Set<number>();
  const addAccount = (account: Account) => {
    if (accountIds.has(account.id)) return;
    accountIds.add(account.id);
    out.accounts.push(account);
  };
  const walk = async (addr: string, depth: number) => {
    if (seen.has(addr) || depth > DELIVERY_LIMITS.maxAliasDepth) return;
    seen.add(addr);
    const c = await classifyRecipient(db, addr);
    if (c.kind === 'account') {
      addAccount(c.account);
    } else if (c.kind === 'remote') {
      out.remote.push(c.address);
    } else if (c.kind === 'unknown-local') {
      out.unknown.push(c.address);
    } else if (c.kind === 'group') {
      // members are accounts only, so a group ends the walk: no loop can pass through it
      out.groups.push(c.address);
      for (const member of await groupMembers(db, c.group)) addAccount(member);
    } else {
      const alias = await findAlias(db, c.address);
      for (const target of alias?.targets ?? []) await walk(target, depth + 1);
    }
  };
  await walk(parseAddress(address).address, 0);
  return out;
}

/** Why an account may use an address as sender: its own, an alias that reaches it, or a delegation. */
export type SendAsGrant = { via: 'own' } | { via: 'alias' } | { via: 'delegation'; mailbox: Account };

/**
 * May this account use `address` as envelope sender or From, and why? Its own address
 * (no query), an alias that delivers to it, or an active agency mailbox delegated to it
 * with the right to send (one query for both, then the alias's expansion).
 */
export async function sendAsGrant(db: Queryable, account: Account, input: string): Promise<SendAsGrant | undefined> {
  let address: string;
  try {
    address = parseAddress(input).address;
  } catch {
    return undefined;
  }
  if (address === account.address) return { via: 'own' };
  const { rows } = await db.query<{ alias: boolean; mailbox: (Omit<AccountRow, 'created_at'> & { created_at: string }) | null }>(
    `SELECT EXISTS (SELECT 1 FROM aliases WHERE address = $1) AS alias,
            (SELECT to_jsonb(m) FROM accounts m JOIN delegations d ON d.mailbox_id = m.id
              WHERE m.address = $1 AND m.kind = 'agency' AND m.status = 'active' AND d.delegate_id = $2 AND d.can_send) AS mailbox`,
    [address, account.id],
  );
  const row = rows[0]!;
  if (row.mailbox) return { via: 'delegation', mailbox: toAccount({ ...row.mailbox, created_at: new Date(row.mailbox.created_at) }) };
  if (!row.alias) return undefined;
  const expansion = await expandRecipient(db, address);
  return expansion.accounts.some((a) => a.id === account.id) ? { via: 'alias' } : undefined;
}

/** May this account use `address` as envelope sender or From? See sendAsGrant. */
export async function maySendAs(db: Queryable, account: Account, input: string): Promise<boolean> {
  return (await sendAsGrant(db, account, input)) !== undefined;
}
