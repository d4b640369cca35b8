import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';

/** What holds a local address: one of these at most, never two. */
export type AddressOwner = 'account' | 'alias' | 'group';

/** the two-key advisory locks (a key space apart from one-key locks such as the audit chain's) of addresses */
const ADDRESS_LOCK_SPACE = 4_242_007;

const described: Record<AddressOwner, string> = { account: 'an account', alias: 'an alias', group: 'a distribution group' };

/**
 * Refuses an address that an account, an alias or a distribution group already uses: a
 * local address delivers in exactly one way. `creating` is the kind being made, whose
 * own table reports its duplicates itself ("the alias ... already exists"). Inside a
 * transaction, a lock on the address keeps two concurrent creations in different tables
 * from both passing.
 */
export async function assertAddressFree(db: Queryable, address: string, creating: AddressOwner): Promise<void> {
  // its own statement: a statement's snapshot is taken before it waits, and the check must see what the lock's holder committed
  await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2::text))', [ADDRESS_LOCK_SPACE, address]);
  const { rows } = await db.query<{ owner: AddressOwner | null }>(
    `SELECT CASE WHEN $2 <> 'account' AND EXISTS (SELECT 1 FROM accounts WHERE address = $1) THEN 'account'
                 WHEN $2 <> 'alias' AND EXISTS (SELECT 1 FROM aliases WHERE address = $1) THEN 'alias'
                 WHEN $2 <> 'group' AND EXISTS (SELECT 1 FROM distribution_groups WHERE address = $1) THEN 'group' END AS owner`,
    [address, creating],
  );
  const owner = rows[0]?.owner;
  if (owner) throw new UserError('address-taken', `${address} is already ${described[owner]}`);
}
