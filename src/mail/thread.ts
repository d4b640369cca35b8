import type { Queryable } from '../store/db.js';
import { unicodeCasemap } from './collation.js';
import type { SearchKey } from './search-query.js';
import { loadSortRows, sentDate, type SortOptions, type SortRow } from './sort.js';

/** RFC 5256 §3 threading algorithms */
export const THREAD_ALGORITHMS = ['REFERENCES', 'ORDEREDSUBJECT'] as const;
export type ThreadAlgorithm = (typeof THREAD_ALGORITHMS)[number];

/** A thread tree: a message (by UID), or a dummy (uid null) standing for a missing parent. */
export interface ThreadNode {
  uid: number | null;
  children: ThreadNode[];
}

interface Container {
  row: SortRow | null;
  parent: Container | null;
  children: Container[];
}

/** "same base subject": compared case-insensitively (RFC 5051 i;unicode-casemap equality) */
const subjectKey = (subject: string): string => unicodeCasemap(subject);

/** the sent date a container sorts by: its own, or (a dummy) its first child's, which is sorted first */
function dateOf(c: Container): [number, number] {
  const row = c.row ?? c.children[0]?.row ?? null;
  return row ? [sentDate(row), row.uid] : [0, 0];
}

/** RFC 5256 §2.2: by sent date; equal dates keep mailbox order */
function byDate(a: Container, b: Container): number {
  const [da, ua] = dateOf(a);
  const [db, ub] = dateOf(b);
  return da - db || ua - ub;
}

function isAncestor(a: Container, b: Container): boolean {
  for (let p: Container | null = b; p; p = p.parent) if (p === a) return true;
  return false;
}

function unlink(c: Container): void {
  if (!c.parent) return;
  const siblings = c.parent.children;
  siblings.splice(siblings.indexOf(c), 1);
  c.parent = null;
}

function link(parent: Container, child: Container): void {
  unlink(child);
  child.parent = parent;
  parent.children.push(child);
}

const toNode = (c: Container): ThreadNode => ({ uid: c.row?.uid ?? null, children: c.children.map(toNode) });

/** THREAD=REFERENCES (RFC 5256 §3, REFERENCES steps 1-6), pure. `rows` in mailbox order. */
export function threadByReferences(rows: readonly SortRow[]): ThreadNode[] {
  const byId = new Map<string, Container>();
  const containers: Container[] = [];
  const container = (row: SortRow | null): Container => {
    const c: Container = { row, parent: null, children: [] };
    containers.push(c);
    return c;
  };
  for (const row of rows) {
    // step 1.A: a message without a Message-ID, or with one an earlier message has, gets a unique one
    let own = row.messageId === null ? undefined : byId.get(row.messageId);
    if (own?.row) own = undefined;
    if (own) own.row = row;
    else {
      own = container(row);
      if (row.messageId !== null && !byId.has(row.messageId)) byId.set(row.messageId, own);
    }
    // link the references in order, each the parent of the next; an existing parent is kept, no loops
    let previous: Container | null = null;
    for (const id of row.refs) {
      let ref = byId.get(id);
      if (!ref) {
        ref = container(null);
        byId.set(id, ref);
      }
      if (ref === own) continue;
      if (previous && !ref.parent && !isAncestor(ref, previous)) link(previous, ref);
      previous = ref;
    }
    // step 1.B: the last reference is the message's parent (replacing a parent step 1.A guessed), unless that loops
    if (previous === null) unlink(own);
    else if (!isAncestor(own, previous)) link(previous, own);
  }

  // step 2: the messages without a parent form the root set
  // step 3: prune dummies: none without children; promote the children of others, but not to the
  // root unless there is only one
  const prune = (list: Container[], atRoot: boolean): Container[] => {
    const out: Container[] = [];
    for (const c of list) {
      c.children = prune(c.children, false);
      if (c.row === null && (c.children.length === 0 || !atRoot || c.children.length === 1)) {
        for (const child of c.children) child.parent = atRoot ? null : c.parent;
        out.push(...c.children);
        continue;
      }
      out.push(c);
    }
    return out;
  };
  let roots = prune(
    containers.filter((c) => c.parent === null),
    true,
  );

  // step 4: sort the root set by sent date (a dummy by its first child's)
  for (const r of roots) if (r.row === null) r.children.sort(byDate);
  roots.sort(byDate);

  // step 5: gather roots with the same base subject
  const subjectOf = (c: Container): string => (c.row ?? c.children[0]?.row ?? null)?.baseSubject ?? '';
  const table = new Map<string, Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    if (s === '') continue;
    const key = subjectKey(s);
    const t = table.get(key);
    // a dummy, or a non-reply over a reply, takes the entry
    if (!t || (t.row !== null && (c.row === null || (t.row.reply && !c.row.reply)))) table.set(key, c);
  }
  const replaced = new Map<Container, Container>();
  const dropped = new Set<Container>();
  for (const c of roots) {
    const s = subjectOf(c);
    if (s === '') continue;
    const key = subjectKey(s);
    const t = table.get(key) as Container;
    if (t === c) continue;
    if (t.row === null && c.row === null) {
      // both dummies: the children become siblings
      for (const child of [...c.children]) link(t, child);
    } else if (t.row === null || (c.row?.reply && !t.row.reply)) {
      link(t, c);
    } else {
      // two non-replies (or two replies): a new dummy holds both
      const dummy: Container = { row: null, parent: null, children: [] };
      replaced.set(t, dummy);
      link(dummy, t);
      link(dummy, c);
      table.set(key, dummy);
    }
    dropped.add(c);
  }
  const current = (c: Container): Container => {
    let r = c;
    while (replaced.has(r)) r = replaced.get(r) as Container;
    return r;
  };
  roots = roots.filter((c) => !dropped.has(c)).map(current);

  // step 6: sort every set of siblings by sent date, the deepest first
  const sortDeep = (list: Container[]): void => {
    for (const c of list) sortDeep(c.children);
    list.sort(byDate);
  };
  sortDeep(roots);
  return roots.map(toNode);
}

/**
 * THREAD=ORDEREDSUBJECT (RFC 5256 §3), pure: messages grouped by base subject; in each group
 * the earliest is the parent of the others; threads in the order of their first message.
 */
export function threadByOrderedSubject(rows: readonly SortRow[]): ThreadNode[] {
  const groups = new Map<string, SortRow[]>();
  for (const row of rows) {
    const key = subjectKey(row.baseSubject);
    const g = groups.get(key);
    if (g) g.push(row);
    else groups.set(key, [row]);
  }
  const byRowDate = (a: SortRow, b: SortRow) => sentDate(a) - sentDate(b) || a.uid - b.uid;
  const threads = [...groups.values()].map((g) => g.sort(byRowDate));
  threads.sort((a, b) => byRowDate(a[0] as SortRow, b[0] as SortRow));
  return threads.map(([first, ...rest]) => ({ uid: (first as SortRow).uid, children: rest.map((r) => ({ uid: r.uid, children: [] })) }));
}

/** THREAD / UID THREAD over one folder: the threads of the messages that match `query`. */
export async function threadMailbox(db: Queryable, mailboxId: number, algorithm: ThreadAlgorithm, query: SearchKey, options: SortOptions): Promise<ThreadNode[]> {
  const rows = await loadSortRows(db, mailboxId, query, { ...options, withReferences: algorithm === 'REFERENCES' });
  return algorithm === 'REFERENCES' ? threadByReferences(rows) : threadByOrderedSubject(rows);
}
