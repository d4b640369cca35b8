import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { transaction, type Queryable } from '../store/db.js';

/**
 * High-entropy secrets we generate (activation codes, recovery codes, app passwords):
 * shown once, stored only as SHA-256 (they need no slow hash), typed back by people, so
 * their alphabets avoid look-alikes and the comparison forgives case, spaces and dashes.
 */

/** Crockford's base32: no I, L, O, U; typed I/L read as 1 and O as 0 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `count` Crockford base32 characters, 5 random bits each */
export function randomBase32(count: number): string {
  const bytes = randomBytes(count);
  let out = '';
  for (let i = 0; i < count; i++) out += CROCKFORD[bytes[i]! & 31];
  return out;
}

/** `count` lower-case letters a-z, uniformly (bytes ≥ 234 are drawn again) */
export function randomLetters(count: number): string {
  let out = '';
  while (out.length < count) {
    for (const b of randomBytes(count * 2)) {
      if (b < 234 && out.length < count) out += String.fromCharCode(97 + (b % 26));
    }
  }
  return out;
}

/** "ABCDEFGHIJ" → "ABCDE-FGHIJ" */
export const groupCode = (code: string, size: number): string => code.match(new RegExp(`.{1,${size}}`, 'g'))!.join('-');

/** What a person typed, as the code was generated: upper case, no separators, I/L → 1, O → 0; undefined when it cannot be one */
export function canonicalBase32(input: string, length: number): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return code.length === length && [...code].every((c) => CROCKFORD.includes(c)) ? code : undefined;
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Runs `fn` in a new transaction when given the pool, or in the caller's when given a client. */
export function inTransaction<T>(db: Queryable, fn: (client: Queryable) => Promise<T>): Promise<T> {
  return db instanceof pg.Pool ? transaction(db, fn) : fn(db);
}

/** Who makes a change, for its audit event: an address, 'cli:<user>', 'api:<token>'; and from where. */
export interface ChangedBy {
  actor: string;
  source?: string;
}
