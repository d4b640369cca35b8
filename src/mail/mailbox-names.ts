import { UserError } from '../shared/errors.js';

/** RFC 9051 §6.3.9: the hierarchy separator we announce in LIST */
export const SEPARATOR = '/';

export const MAILBOX_NAME_LIMITS = {
  /** characters in a whole name (Dovecot allows 255 per level; one bound is simpler) */
  maxLength: 500,
  /** levels of hierarchy */
  maxDepth: 16,
} as const;

/** C0 and C1 controls and DEL: RFC 5198 Net-Unicode forbids them (RFC 9051 §5.1) */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export class MailboxNameError extends UserError {
  override name = 'MailboxNameError';
  constructor(message: string) {
    super('bad-mailbox-name', message);
  }
}

/** RFC 9051 §5.1: INBOX is case-insensitive, also as the first level of a deeper name. */
export function canonicalInbox(name: string): string {
  const head = name.slice(0, 5);
  if (head.toUpperCase() === 'INBOX' && (name.length === 5 || name[5] === SEPARATOR)) return 'INBOX' + name.slice(5);
  return name;
}

export const isInbox = (name: string) => canonicalInbox(name) === 'INBOX';

/** A folder name as a client gave it, spelled as the store keeps names: NFC, and INBOX in capitals. */
export const storedFolderName = (name: string): string => canonicalInbox(name.normalize('NFC'));

/**
 * A name as the store keeps it: NFC, INBOX canonical, at most one trailing separator
 * dropped (RFC 9051 §6.3.4: "foo/" declares the intent to create names under "foo").
 * Throws MailboxNameError for names no mailbox may have.
 */
export function normalizeMailboxName(input: string): string {
  let name = input.normalize('NFC');
  if (name.endsWith(SEPARATOR)) name = name.slice(0, -1);
  if (name === '') throw new MailboxNameError('a folder name cannot be empty');
  if (name.length > MAILBOX_NAME_LIMITS.maxLength) throw new MailboxNameError(`a folder name is at most ${MAILBOX_NAME_LIMITS.maxLength} characters`);
  if (CONTROL.test(name)) throw new MailboxNameError('a folder name cannot contain control characters');
  // RFC 9051 §6.3.9: "*" and "%" are LIST wildcards; a name holding them could not be listed alone
  if (/[*%]/.test(name)) throw new MailboxNameError('a folder name cannot contain * or %');
  const levels = name.split(SEPARATOR);
  if (levels.some((l) => l === '')) throw new MailboxNameError(`a folder name cannot have an empty level ("${SEPARATOR}${SEPARATOR}" or a leading "${SEPARATOR}")`);
  if (levels.length > MAILBOX_NAME_LIMITS.maxDepth) throw new MailboxNameError(`folders nest at most ${MAILBOX_NAME_LIMITS.maxDepth} levels deep`);
  return canonicalInbox(name);
}

/** "a/b/c" → ["a", "a/b"] */
export function ancestorsOf(name: string): string[] {
  const levels = name.split(SEPARATOR);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join(SEPARATOR));
  return out;
}

export const isInside = (name: string, ancestor: string) => name.startsWith(ancestor + SEPARATOR);

/**
 * RFC 9051 §6.3.9: the reference and the pattern are joined, "*" matches any
 * characters and "%" any characters but the separator. INBOX matches case-insensitively.
 */
export function listPatternMatcher(reference: string, pattern: string): (name: string) => boolean {
  const full = storedFolderName(reference + pattern);
  let source = '^';
  for (const ch of full) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += `[^${SEPARATOR}]*`;
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(source + '$', 'su');
  return (name) => re.test(name);
}
