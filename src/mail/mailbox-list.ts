import type { Queryable } from '../store/db.js';
import { ancestorsOf, listPatternMatcher } from './mailbox-names.js';

export interface ListOptions {
  /** RFC 9051 §6.3.9 reference name, joined in front of each pattern */
  reference?: string;
  /** one pattern, or several (RFC 5258 §3) */
  patterns: readonly string[];
  /** RFC 5258 §3.1 SELECT (SUBSCRIBED): subscribed names, existing or not */
  subscribedOnly?: boolean;
  /** RFC 5258 §3.1 RECURSIVEMATCH: also names with a subscribed descendant (CHILDINFO) */
  recursiveMatch?: boolean;
  /** RFC 6154 §2 SELECT (SPECIAL-USE): only folders with a special use */
  specialUseOnly?: boolean;
  /** RFC 5258 §3.2 RETURN (SUBSCRIBED): mark subscribed names */
  returnSubscribed?: boolean;
  /** folders of other accounts this one sees under its names (the IMAP shared namespace), listed as its own */
  extra?: readonly ExtraListName[];
}

/** A name listed beside the account's own folders (a shared folder, or a level above it). */
export interface ExtraListName {
  name: string;
  noselect: boolean;
  specialUse: string | null;
}

export interface ListEntry {
  name: string;
  /** \Noselect, \NonExistent, \HasChildren/\HasNoChildren, \Subscribed, special use */
  attributes: string[];
  /** RFC 5258 §4 CHILDINFO: ["SUBSCRIBED"] for a name listed because of a subscribed descendant */
  childInfo?: ['SUBSCRIBED'];
}

interface Row {
  name: string;
  noselect: boolean;
  special_use: string | null;
  subscribed: boolean;
  exists: boolean;
}

/**
 * LIST (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154). An account has
 * at most a few hundred folders: the matching is done here on one query's rows.
 * Names are Unicode; the IMAP layer encodes them (modified UTF-7 or UTF-8).
 * LIST "" "" (the separator query) is the IMAP layer's to answer.
 */
export async function listMailboxNames(db: Queryable, accountId: number, options: ListOptions): Promise<ListEntry[]> {
  const { rows } = await db.query<Row>(
    `SELECT COALESCE(mb.name, s.name) AS name, COALESCE(mb.noselect, false) AS noselect, mb.special_use,
            s.name IS NOT NULL AS subscribed, mb.id IS NOT NULL AS exists
       FROM (SELECT * FROM mailboxes WHERE account_id = $1) mb
       FULL JOIN (SELECT name FROM mailbox_subscriptions WHERE account_id = $1) s ON s.name = mb.name`,
    [accountId],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const x of options.extra ?? []) {
    const row = byName.get(x.name);
    // a subscription of the name comes back as a row that does not exist; the shared folder makes it exist
    if (row) Object.assign(row, { exists: true, noselect: x.noselect, special_use: x.specialUse });
    else {
      const added: Row = { name: x.name, noselect: x.noselect, special_use: x.specialUse, subscribed: false, exists: true };
      rows.push(added);
      byName.set(x.name, added);
    }
  }
  const withChildren = new Set<string>();
  const withSubscribedChildren = new Set<string>();
  for (const r of rows) {
    for (const a of ancestorsOf(r.name)) {
      if (r.exists) withChildren.add(a);
      if (r.subscribed) withSubscribedChildren.add(a);
    }
  }
  const matchers = options.patterns.map((p) => listPatternMatcher(options.reference ?? '', p));
  const matches = (name: string) => matchers.some((m) => m(name));

  const candidates = new Set<string>();
  for (const r of rows) {
    if (options.subscribedOnly ? r.subscribed : r.exists) candidates.add(r.name);
  }
  // RFC 5258 §4: with RECURSIVEMATCH, a parent of a subscribed name is listed with CHILDINFO
  if (options.subscribedOnly && options.recursiveMatch) for (const a of withSubscribedChildren) candidates.add(a);

  const out: ListEntry[] = [];
  for (const name of candidates) {
    if (!matches(name)) continue;
    const r = byName.get(name);
    if (options.specialUseOnly && !r?.special_use) continue;
    const subscribed = r?.subscribed ?? false;
    const attributes: string[] = [];
    // RFC 5258 §3: \NonExistent implies \Noselect
    if (!r?.exists) attributes.push('\\NonExistent');
    else if (r.noselect) attributes.push('\\Noselect');
    // RFC 9051 §7.3.1: \HasChildren / \HasNoChildren
    attributes.push(withChildren.has(name) ? '\\HasChildren' : '\\HasNoChildren');
    if (subscribed && (options.subscribedOnly || options.returnSubscribed)) attributes.push('\\Subscribed');
    // RFC 6154 §2: special-use attributes are returned even when not asked for
    if (r?.special_use) attributes.push(r.special_use);
    const entry: ListEntry = { name, attributes };
    if (options.subscribedOnly && options.recursiveMatch && !subscribed && withSubscribedChildren.has(name)) entry.childInfo = ['SUBSCRIBED'];
    else if (options.subscribedOnly && !subscribed) continue;
    out.push(entry);
  }
  return out.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
