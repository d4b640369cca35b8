import type { Queryable } from '../store/db.js';

/** One table of hopthu's schema as a backup sees it. */
export interface TableInfo {
  name: string;
  /** columns a row is written and read back with (generated columns are made again, not restored) */
  columns: string[];
  /** identity columns, whose sequences are moved past the restored values */
  identity: string[];
  /** a column referencing the table's own `id` (a tree, e.g. agencies.parent_id): parents are written first */
  selfReference: string | null;
  /** primary key columns: rows are written in their order, and a restored row replaces one a migration seeded */
  primaryKey: string[];
}

/**
 * Order a foreign key does not show: an audit anchor's insert trigger checks that the
 * event it names is there, so anchors come after the events.
 */
const CHECKED_BY_TRIGGER: Record<string, string[]> = { audit_anchors: ['audit_events'] };

/**
 * The tables of the public schema in an order where every table comes after the tables
 * its foreign keys point at, so a restore can insert them one after the other.
 */
export async function backupTables(db: Queryable): Promise<TableInfo[]> {
  const { rows: tables } = await db.query<{ name: string; columns: string[]; identity: string[]; primary_key: string[] }>(
    `SELECT c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '') AS columns,
            COALESCE(array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attidentity <> ''), '{}') AS identity,
            COALESCE((SELECT array_agg(pa.attname::text ORDER BY array_position(k.conkey, pa.attnum))
                        FROM pg_constraint k JOIN pg_attribute pa ON pa.attrelid = k.conrelid AND pa.attnum = ANY (k.conkey)
                       WHERE k.conrelid = c.oid AND k.contype = 'p'), '{}') AS primary_key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        -- the bytes of small blobs (store/inline-blob-store.ts) are copied as blob files, like every blob
        AND c.relname <> 'blob_contents'
      GROUP BY c.oid, c.relname ORDER BY c.relname`,
  );
  const { rows: refs } = await db.query<{ child: string; parent: string; column: string }>(
    `SELECT cl.relname AS child, pl.relname AS parent, a.attname AS column
       FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND n.nspname = 'public'`,
  );
  const dependsOn = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  const selfRefs = new Map<string, string>();
  for (const r of refs) {
    if (r.child === r.parent) selfRefs.set(r.child, r.column);
    else dependsOn.get(r.child)?.add(r.parent);
  }
  for (const [child, parents] of Object.entries(CHECKED_BY_TRIGGER)) for (const p of parents) if (dependsOn.has(p)) dependsOn.get(child)?.add(p);
  // Kahn's algorithm; names sorted at each step, so the order is the same every time
  const ordered: TableInfo[] = [];
  const done = new Set<string>();
  while (done.size < tables.length) {
    const ready = tables.filter((t) => !done.has(t.name) && [...dependsOn.get(t.name)!].every((p) => done.has(p)));
    if (ready.length === 0) throw new Error(`the schema's foreign keys form a cycle among ${tables.filter((t) => !done.has(t.name)).map((t) => t.name).join(', ')}`);
    for (const t of ready) {
      done.add(t.name);
      ordered.push({ name: t.name, columns: t.columns, identity: t.identity, selfReference: selfRefs.get(t.name) ?? null, primaryKey: t.primary_key });
    }
  }
  return ordered;
}

/** Standalone sequences (not owned by an identity column), with their current value. */
export async function standaloneSequences(db: Queryable): Promise<Array<{ name: string; lastValue: number; isCalled: boolean }>> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'S'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
      ORDER BY c.relname`,
  );
  const out: Array<{ name: string; lastValue: number; isCalled: boolean }> = [];
  for (const { name } of rows) {
    const { rows: v } = await db.query<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM ${quoteIdent(name)}`);
    out.push({ name, lastValue: v[0]!.last_value, isCalled: v[0]!.is_called });
  }
  return out;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
