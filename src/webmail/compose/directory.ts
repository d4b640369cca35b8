import type { Queryable } from '../../store/db.js';
import { fold } from '../../mail/fold.js';

/** One entry of the province's global address list: a person, an agency mailbox or a group. */
export interface DirectoryEntry {
  kind: 'person' | 'agency' | 'group';
  name: string;
  address: string;
  title: string;
  agencyId: number | null;
  agency: string | null;
}

export interface DirectoryPage {
  entries: DirectoryEntry[];
  /** how many entries match in all */
  total: number;
}

/**
 * The letters `fold` (src/mail/fold.ts) changes, and what it makes of them, for
 * PostgreSQL's translate(): every precomposed Latin letter with a diacritic (Vietnamese's
 * 134 among them), upper-case ASCII, then the combining marks, which translate() drops
 * because they have no counterpart. The database folds exactly as the search string is
 * folded, without a stored column or an extension.
 */
function foldingTable(): { from: string; to: string } {
  let from = '';
  let to = '';
  const ranges: Array<[number, number]> = [[0x41, 0x5a], [0xc0, 0x24f], [0x1e00, 0x1eff]];
  for (const [lo, hi] of ranges) {
    for (let cp = lo; cp <= hi; cp++) {
      const c = String.fromCodePoint(cp);
      const folded = fold(c);
      if (folded !== c && /^[a-z]$/.test(folded)) {
        from += c;
        to += folded;
      }
    }
  }
  for (let cp = 0x300; cp <= 0x36f; cp++) from += String.fromCodePoint(cp);
  return { from, to };
}

const FOLDING = foldingTable();

/** Vietnamese collation in the database when it has ICU's, else the folded text (base letters in order). */
const collations = new WeakMap<object, Promise<string | undefined>>();
function vietnameseCollation(db: Queryable): Promise<string | undefined> {
  let found = collations.get(db);
  if (!found) {
    found = db
      .query<{ collname: string }>(`SELECT collname FROM pg_collation WHERE collname IN ('vi-x-icu', 'vi-VN-x-icu') ORDER BY collname DESC LIMIT 1`)
      .then((r) => r.rows[0]?.collname);
    collations.set(db, found);
  }
  return found;
}

const likeWord = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Searches the global address list: every active person and agency mailbox and every
 * distribution group of the local domains. Each word of `text` must occur in the name or
 * the address, compared folded (case and diacritics ignored: "nguyen van an" finds
 * "Nguyễn Văn An"). `agencyIds` narrows to an agency subtree. Sorted by name in
 * Vietnamese order, a page at a time.
 */
export async function searchDirectory(db: Queryable, query: { text?: string; agencyIds?: readonly number[]; offset: number; limit: number }): Promise<DirectoryPage> {
  const words = fold(query.text ?? '').split(/[\s,;<>"]+/).filter(Boolean).slice(0, 8);
  const collation = await vietnameseCollation(db);
  const sortName = `COALESCE(NULLIF(e.name, ''), e.address)`;
  const order = collation ? `${sortName} COLLATE "${collation}"` : `translate(${sortName}, $2, $3)`;
  const { rows } = await db.query<{ kind: DirectoryEntry['kind']; name: string; address: string; title: string; agency_id: number | null; agency: string | null; total: number }>(
    `WITH entries AS (
       SELECT a.kind, a.display_name AS name, a.address, a.title, a.agency_id FROM accounts a
        WHERE a.status = 'active' AND a.kind IN ('person', 'agency')
       UNION ALL
       SELECT 'group', g.name, g.address, '', g.agency_id FROM distribution_groups g
     )
     SELECT e.kind, e.name, e.address, e.title, e.agency_id, ag.name AS agency, count(*) OVER ()::int AS total
       FROM entries e LEFT JOIN agencies ag ON ag.id = e.agency_id
      WHERE ($4::bigint[] IS NULL OR e.agency_id = ANY ($4))
        AND (SELECT bool_and(translate(lower(e.name || ' ' || e.address), $2, $3) LIKE w) FROM unnest($1::text[]) w) IS NOT FALSE
      ORDER BY ${order}, e.address
      LIMIT $5 OFFSET $6`,
    [words.map(likeWord), FOLDING.from, FOLDING.to, query.agencyIds ? [...query.agencyIds] : null, query.limit, query.offset],
  );
  return {
    total: rows[0]?.total ?? 0,
    entries: rows.map((r) => ({ kind: r.kind, name: r.name, address: r.address, title: r.title, agencyId: r.agency_id, agency: r.agency })),
  };
}
