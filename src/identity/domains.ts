import { transaction, type Db, type Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { generateDkimKeyPair } from './dkim-keys.js';
import { UserError } from '../shared/errors.js';
import { normalizeDomain } from './address.js';
import type { PasswordSource } from './directory-passwords.js';

export interface Domain {
  id: number;
  name: string;
  dkimSelector: string | null;
  dkimPrivateKey: string | null;
  dkimPublicKey: string | null;
  /** where its accounts' passwords are checked */
  passwordSource: PasswordSource;
  createdAt: Date;
}

interface DomainRow {
  id: number;
  name: string;
  dkim_selector: string | null;
  dkim_private_key: string | null;
  dkim_public_key: string | null;
  password_source: PasswordSource;
  created_at: Date;
}

const toDomain = (r: DomainRow): Domain => ({
  id: r.id,
  name: r.name,
  dkimSelector: r.dkim_selector,
  dkimPrivateKey: r.dkim_private_key,
  dkimPublicKey: r.dkim_public_key,
  passwordSource: r.password_source,
  createdAt: r.created_at,
});

export interface DkimKeyInput {
  selector: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export async function addDomain(db: Queryable, name: string, dkim: DkimKeyInput): Promise<Domain> {
  const ascii = normalizeDomain(name);
  const { rows } = await db.query<DomainRow>(
    `INSERT INTO domains (name, dkim_selector, dkim_private_key, dkim_public_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    [ascii, dkim.selector, dkim.privateKeyPem, dkim.publicKeyPem],
  );
  if (!rows[0]) throw new UserError('domain-exists', `the domain ${ascii} already exists`);
  return toDomain(rows[0]);
}

export async function listDomains(db: Queryable): Promise<Domain[]> {
  const { rows } = await db.query<DomainRow>('SELECT * FROM domains ORDER BY name');
  return rows.map(toDomain);
}

export async function findDomain(db: Queryable, name: string): Promise<Domain | undefined> {
  const { rows } = await db.query<DomainRow>('SELECT * FROM domains WHERE name = $1', [normalizeDomain(name)]);
  return rows[0] ? toDomain(rows[0]) : undefined;
}

export async function getDomain(db: Queryable, name: string): Promise<Domain> {
  const domain = await findDomain(db, name);
  if (!domain) throw new UserError('no-such-domain', `the domain ${name} is not a local domain here (add it with: hopthu domain add ${name})`);
  return domain;
}

export async function isLocalDomain(db: Queryable, asciiName: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM domains WHERE name = $1', [asciiName]);
  return (rowCount ?? 0) > 0;
}

/** Where the domain's passwords are checked from now on: here, or by the directory (provisioning.ldap). */
export async function setPasswordSource(db: Queryable, domainId: number, source: PasswordSource): Promise<void> {
  await db.query('UPDATE domains SET password_source = $2 WHERE id = $1', [domainId, source]);
}

/** Who adds a domain, for its audit event: the actor, where from, and details of the channel (API role, console). */
export interface DomainAddedBy {
  actor: string;
  source: string;
  data?: Record<string, unknown>;
}

/**
 * Adds a local domain with a new DKIM key (generated before the transaction: RSA key
 * generation is slow) and its `domain.add` audit event, which commit together.
 */
export async function addDomainWithNewKey(db: Db, name: string, by: DomainAddedBy): Promise<Domain> {
  const ascii = normalizeDomain(name);
  const key = await generateDkimKeyPair(ascii);
  return transaction(db, async (client) => {
    const d = await addDomain(client, ascii, { selector: key.selector, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem });
    await appendAudit(client, { actor: by.actor, action: 'domain.add', target: d.name, source: by.source, data: { after: { name: d.name, dkimSelector: key.selector }, ...by.data } });
    return d;
  });
}
