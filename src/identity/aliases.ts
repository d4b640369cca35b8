import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { parseAddress, normalizeAddress } from './address.js';
import { getDomain } from './domains.js';
import { assertAddressFree } from './address-owner.js';

export interface Alias {
  id: number;
  address: string;
  targets: string[];
}

export async function addAlias(db: Queryable, address: string, targets: string[]): Promise<Alias> {
  const parsed = parseAddress(address);
  const dom = await getDomain(db, parsed.domain);
  if (targets.length === 0) throw new UserError('alias-without-target', `an alias needs at least one target address`);
  const normalizedTargets = [...new Set(targets.map(normalizeAddress))];
  if (normalizedTargets.includes(parsed.address)) throw new UserError('alias-loop', `${parsed.address} cannot point at itself`);
  await assertAddressFree(db, parsed.address, 'alias');
  const { rows } = await db.query<Alias>(
    `INSERT INTO aliases (domain_id, address, targets) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO NOTHING RETURNING id, address, targets`,
    [dom.id, parsed.address, normalizedTargets],
  );
  if (!rows[0]) throw new UserError('alias-exists', `the alias ${parsed.address} already exists`);
  return rows[0];
}

export async function listAliases(db: Queryable, domain?: string): Promise<Alias[]> {
  const { rows } = domain
    ? await db.query<Alias>('SELECT a.id, a.address, a.targets FROM aliases a JOIN domains d ON d.id = a.domain_id WHERE d.name = $1 ORDER BY a.address', [domain])
    : await db.query<Alias>('SELECT id, address, targets FROM aliases ORDER BY address');
  return rows;
}

export async function findAlias(db: Queryable, address: string): Promise<Alias | undefined> {
  const { rows } = await db.query<Alias>('SELECT id, address, targets FROM aliases WHERE address = $1', [address]);
  return rows[0];
}

export async function removeAlias(db: Queryable, address: string): Promise<Alias> {
  const normalized = normalizeAddress(address);
  const { rows } = await db.query<Alias>('DELETE FROM aliases WHERE address = $1 RETURNING id, address, targets', [normalized]);
  if (!rows[0]) throw new UserError('no-such-alias', `there is no alias ${normalized}`);
  return rows[0];
}
