import { ValueSyntaxError } from './errors.js';
import { ATOM } from './grammar.js';

/** RFC 9051 §2.3.2 system flags, in the case the protocol spells them */
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '\\Recent'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

const byUpper = new Map<string, SystemFlag>(SYSTEM_FLAGS.map((f) => [f.toUpperCase(), f]));

export const isSystemFlag = (flag: string): flag is SystemFlag => byUpper.get(flag.toUpperCase()) === flag;

/**
 * RFC 9051 §9: flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" /
 * flag-keyword / flag-extension; flag-keyword = atom; flag-extension = "\" atom.
 * System flags come back in their canonical case; keywords and extensions as sent.
 */
export function normalizeFlag(text: string): string {
  if (text.startsWith('\\')) {
    const system = byUpper.get(text.toUpperCase());
    if (system) return system;
    if (ATOM.test(text.slice(1))) return text;
  } else if (ATOM.test(text)) {
    return text;
  }
  throw new ValueSyntaxError(`"${text}" is not a flag (a keyword atom, or "\\" and an atom)`);
}
