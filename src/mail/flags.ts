import { UserError } from '../shared/errors.js';

/** RFC 9051 §2.3.2: the system flags a client may store. \Recent (RFC 3501) is not storable. */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

/** Limits on keywords, so one client cannot bloat every mailbox row */
export const KEYWORD_LIMITS = {
  /** characters in one keyword */
  maxLength: 128,
  /** distinct keywords a mailbox keeps (its FLAGS list) */
  maxPerMailbox: 512,
} as const;

/**
 * RFC 9051 §9: flag-keyword = atom; ATOM-CHAR is any CHAR except atom-specials
 * ( "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]" ).
 */
const ATOM = /^[\x21\x23-\x27\x2b-\x5b\x5e-\x7a\x7c\x7e]+$/;

const systemByLower = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

export const isSystemFlag = (flag: string): flag is SystemFlag => systemByLower.get(flag.toLowerCase()) === flag;

export class FlagError extends UserError {
  override name = 'FlagError';
}

/**
 * Flags as the client wrote them, to the spelling the mailbox stores: system flags in
 * their canonical case, and each keyword in the spelling the mailbox already knows
 * (keywords compare case-insensitively, as Dovecot does: KEYWORD daxuly finds DaXuLy).
 * Returns the flags sorted and without duplicates, and the keywords new to the mailbox.
 */
export function canonicalFlags(input: readonly string[], known: readonly string[]): { flags: string[]; added: string[] } {
  const knownByLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out = new Set<string>();
  const added: string[] = [];
  for (const raw of input) {
    if (raw.startsWith('\\')) {
      const system = systemByLower.get(raw.toLowerCase());
      // RFC 9051 §2.3.2: \Recent cannot be altered by the client; other \-flags are not defined
      if (!system) throw new FlagError('bad-flag', `${raw} is not a flag that can be stored`);
      out.add(system);
      continue;
    }
    if (!ATOM.test(raw) || raw.length > KEYWORD_LIMITS.maxLength) {
      throw new FlagError('bad-flag', `"${raw}" is not a valid keyword`);
    }
    const lower = raw.toLowerCase();
    let spelled = knownByLower.get(lower);
    if (!spelled) {
      spelled = raw;
      knownByLower.set(lower, raw);
      added.push(raw);
    }
    out.add(spelled);
  }
  if (known.length + added.length > KEYWORD_LIMITS.maxPerMailbox && added.length > 0) {
    throw new FlagError('too-many-keywords', `a folder can hold at most ${KEYWORD_LIMITS.maxPerMailbox} different keywords`);
  }
  return { flags: sortFlags([...out]), added };
}

/** System flags first in RFC order, then keywords by code point: a stable order to store and compare. */
export function sortFlags(flags: readonly string[]): string[] {
  const rank = (f: string) => {
    const i = (SYSTEM_FLAGS as readonly string[]).indexOf(f);
    return i < 0 ? SYSTEM_FLAGS.length : i;
  };
  return [...flags].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
