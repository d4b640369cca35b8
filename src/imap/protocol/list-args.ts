import type { ArgParser } from './arg-parser.js';
import { decodeMailboxName } from './mailbox-name.js';

/**
 * LIST (RFC 9051 §6.3.9 with LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE
 * RFC 6154), LSUB (RFC 3501 §6.3.9) and STATUS (RFC 9051 §6.3.11, RFC 7162 §3.1.7).
 */

export const STATUS_ITEMS = ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'RECENT', 'HIGHESTMODSEQ'] as const;
/** RFC 9208 §4.2.2: DELETED-STORAGE, with QUOTA=RES-STORAGE (read apart, so the base list stays as RFC 9051 has it) */
export type StatusItem = (typeof STATUS_ITEMS)[number] | 'DELETED-STORAGE';

const SELECTION_OPTIONS = ['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE'] as const;
const RETURN_OPTIONS = ['SUBSCRIBED', 'CHILDREN', 'STATUS', 'SPECIAL-USE'] as const;

export interface ListArgs {
  /** decoded; "" for none */
  reference: string;
  /** decoded, wildcards "*" and "%" kept; "" asks for the hierarchy delimiter */
  patterns: string[];
  selection: { subscribed: boolean; remote: boolean; recursiveMatch: boolean; specialUse: boolean };
  returns: { subscribed: boolean; children: boolean; specialUse: boolean; status: StatusItem[] | null };
  /** RFC 5258 §3: selection options, several patterns or RETURN were given (the extended form) */
  extended: boolean;
}

export interface LsubArgs {
  reference: string;
  pattern: string;
}

export interface StatusArgs {
  mailbox: string;
  items: StatusItem[];
}

function reference(p: ArgParser): string {
  const t = p.peek();
  const bytes = p.astring('a reference name');
  return p.convert(t!, () => decodeMailboxName(bytes, { utf8: p.utf8, pattern: true }));
}

/** RFC 5258 §6: list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts] */
export function parseListArgs(p: ArgParser): ListArgs {
  const selection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const returns: ListArgs['returns'] = { subscribed: false, children: false, specialUse: false, status: null };
  let extended = false;
  if (p.isOpen()) {
    extended = true;
    const start = p.peek();
    p.list('the LIST selection options', () => {
      const o = p.keyword('a LIST selection option', SELECTION_OPTIONS);
      if (o === 'SUBSCRIBED') selection.subscribed = true;
      else if (o === 'REMOTE') selection.remote = true;
      else if (o === 'RECURSIVEMATCH') selection.recursiveMatch = true;
      else selection.specialUse = true;
    });
    // RFC 5258 §3: RECURSIVEMATCH alone (or only with REMOTE) is BAD
    if (selection.recursiveMatch && !selection.subscribed && !selection.specialUse) {
      p.failAt(start, 'RECURSIVEMATCH needs another selection option such as SUBSCRIBED (RFC 5258 section 3)');
    }
  }
  const ref = reference(p);
  let patterns: string[];
  if (p.isOpen()) {
    extended = true;
    patterns = p.list('the mailbox patterns', () => p.listMailbox(), 1);
  } else {
    patterns = [p.listMailbox()];
  }
  if (p.tryKeyword('RETURN')) {
    extended = true;
    p.list('the LIST return options', () => {
      const t = p.peek();
      const o = p.keyword('a LIST return option', RETURN_OPTIONS);
      if (o === 'SUBSCRIBED') returns.subscribed = true;
      else if (o === 'CHILDREN') returns.children = true;
      else if (o === 'SPECIAL-USE') returns.specialUse = true;
      else {
        // RFC 5819 §2: "STATUS" SP "(" status-att *(SP status-att) ")"
        if (returns.status) p.failAt(t, 'STATUS given twice in RETURN');
        returns.status = statusItems(p);
      }
    });
  }
  p.end();
  return { reference: ref, patterns, selection, returns, extended };
}

/** RFC 3501 §6.3.9: LSUB reference mailbox-pattern */
export function parseLsubArgs(p: ArgParser): LsubArgs {
  const ref = reference(p);
  const pattern = p.listMailbox();
  p.end();
  return { reference: ref, pattern };
}

function statusItems(p: ArgParser): StatusItem[] {
  return p.list(
    'the status items',
    (): StatusItem => {
      if (p.peekKeyword() === 'DELETED-STORAGE') {
        p.word('DELETED-STORAGE');
        return 'DELETED-STORAGE';
      }
      return p.keyword('a status item', STATUS_ITEMS);
    },
    1,
  );
}

/** RFC 9051 §6.3.11: status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")" */
export function parseStatusArgs(p: ArgParser): StatusArgs {
  const mailbox = p.mailbox();
  const items = statusItems(p);
  p.end();
  return { mailbox, items };
}
