import type { Db } from './db.js';
import { transaction } from './db.js';
import { migrations } from './migrations/index.js';

/** a fixed advisory-lock key, so two processes starting at once migrate one after the other */
const MIGRATION_LOCK = 4_242_001;

/** Applies the migrations not yet applied, each in its own transaction. Returns their names. */
export async function migrate(db: Db): Promise<string[]> {
  return transaction(db, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const done: string[] = [];
    // by version, whatever order the list was written in
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(`${String(m.version).padStart(3, '0')}-${m.name}`);
    }
    return done;
  });
}
