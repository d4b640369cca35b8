import type { DelegationRights } from '../identity/delegations.js';
import { ImapBad } from './errors.js';

/**
 * RFC 4314 rights as strings of letters, canonical order "lrswipkxtea". The obsolete
 * RFC 2086 rights "c" and "d" (RFC 4314 §2.1.1) are macros here: "c" is the create class
 * {k, x} and "d" the delete class {t, e}; they are read as their members and added to
 * what the server answers.
 */
export const RIGHTS_ORDER = 'lrswipkxtea';

/** RFC 4314 §2.2: the capability names the rights RFC 2086 did not have */
export const RIGHTS_CAPABILITY = 'RIGHTS=texk';

/** the owner of a folder holds every right */
export const OWNER_RIGHTS = RIGHTS_ORDER;

/**
 * What a colleague can be given on a shared folder: lookup, read, flags, insert and
 * deleting messages. Posting (p), creating or deleting folders (k, x) and administering
 * the list (a) stay the owner's.
 */
export const GRANTABLE_RIGHTS = 'lrswite';

const OBSOLETE: Record<string, string> = { c: 'kx', d: 'te' };

/** The rights in canonical order, each once. */
export function canonicalRights(letters: string): string {
  return [...RIGHTS_ORDER].filter((r) => letters.includes(r)).join('');
}

/**
 * A rights string from a client: RFC 4314 §3.1 an unrecognized right MUST cause BAD and
 * MUST NOT be ignored; "c" and "d" stand for their classes (RFC 4314 §2.1.1).
 */
export function parseRights(letters: string): string {
  let out = '';
  for (const ch of letters) {
    if (RIGHTS_ORDER.includes(ch)) out += ch;
    else if (OBSOLETE[ch]) out += OBSOLETE[ch];
    else throw new ImapBad(`"${ch}" is not a right this server knows; rights are letters of "${RIGHTS_ORDER}" (and the obsolete "c" and "d"), RFC 4314 section 2.1`);
  }
  return canonicalRights(out);
}

/** RFC 4314 §2.1.1: a MYRIGHTS or ACL answer also carries "c" and "d" when a member of their class is held */
export function withObsoleteRights(rights: string): string {
  let out = canonicalRights(rights);
  for (const [macro, members] of Object.entries(OBSOLETE)) if ([...members].some((m) => out.includes(m))) out += macro;
  return out;
}

export const hasRight = (rights: string, right: string): boolean => rights.includes(right);

/**
 * An agency mailbox's delegation as rights (identity/delegations.ts): reading gives
 * lookup and read, read-only; a delegate who also sends as the mailbox handles its mail
 * too (flags, filing, deleting, Sent copies). Sending alone opens nothing over IMAP.
 */
export function delegationRights(d: DelegationRights): string {
  if (!d.canRead) return '';
  return d.canSend ? GRANTABLE_RIGHTS : 'lr';
}

/** RFC 4314 §4: setting or clearing \Seen needs "s", \Deleted "t", any other flag "w" */
export function rightForFlag(flag: string): 's' | 't' | 'w' {
  const f = flag.toLowerCase();
  return f === '\\seen' ? 's' : f === '\\deleted' ? 't' : 'w';
}

/** RFC 4314 §4: SELECT is read-write only with a right that changes the folder */
export const writesAllowed = (rights: string): boolean => [...'swite'].some((r) => rights.includes(r));
