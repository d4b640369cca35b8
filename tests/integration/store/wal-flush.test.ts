import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/store/embedded-postgres.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { ASYNC_COMMIT, walFlushed } from '../../../src/store/wal-flush.js';

let root: string;
let pg: EmbeddedPostgres;
let db: Db;

// a cluster of its own, durable as a server's (the shared test cluster runs with fsync and synchronous_commit off)
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hopthu-test-wal-'));
  chmodSync(root, 0o755);
  pg = await startEmbeddedPostgres({ dir: path.join(root, 'pg'), log: silentLogger });
  db = createPool(pg.url, 6);
  await db.query('CREATE TABLE wal_flush_probe (n int)');
}, 60_000);

afterAll(async () => {
  await db?.end();
  await pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const lsnAtLeast = async (lsn: string) => (await db.query<{ ok: boolean }>('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS ok', [lsn])).rows[0]!.ok;

describe('commits without waiting for the fsync, made durable by a shared flush (store/wal-flush.ts)', () => {
  it('ASYNC_COMMIT turns synchronous_commit off for its own statement only', async () => {
    const { rows } = await db.query<{ during: string }>(`SELECT current_setting('synchronous_commit') AS during FROM ${ASYNC_COMMIT}`);
    expect(rows[0]!.during).toBe('off');
    // the connection goes back to the pool with the setting it had
    const after = await Promise.all(Array.from({ length: 6 }, () => db.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)));
    expect(after.map((r) => r.rows[0]!.s)).toEqual(Array(6).fill('on'));
  });

  it('walFlushed resolves once the WAL is on disk past a commit made before the call', async () => {
    await db.query(`INSERT INTO wal_flush_probe SELECT 1 FROM ${ASYNC_COMMIT}`);
    const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    await walFlushed(db);
    expect(await lsnAtLeast(rows[0]!.lsn)).toBe(true);
  });

  it('one flush serves every caller that asked while none was under way, and a caller never rides on a flush begun before it asked', async () => {
    const flushes: number[] = [];
    const query = db.query.bind(db);
    db.query = ((...args: Parameters<typeof db.query>) => {
      if (typeof args[0] === 'string' && args[0].includes('pg_logical_emit_message')) flushes.push(Date.now());
      return query(...args);
    }) as typeof db.query;
    try {
      // the first caller's flush begins at once; the 19 that ask while it is under way share the next one
      await Promise.all(Array.from({ length: 20 }, () => walFlushed(db)));
      expect(flushes).toHaveLength(2);
      const alone = walFlushed(db);
      await new Promise((r) => setImmediate(r));
      const later = Array.from({ length: 10 }, () => walFlushed(db));
      await Promise.all([alone, ...later]);
      expect(flushes).toHaveLength(4);
    } finally {
      db.query = query as typeof db.query;
    }
  });
});
