import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { link, copyFile, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { BlobStoreError } from '../store/blob-store.js';
import { FileBlobStore } from '../store/file-blob-store.js';
import { InlineBlobStore } from '../store/inline-blob-store.js';
import { UserError } from '../shared/errors.js';
import { BLOB_GC_LOCK } from '../store/blob-refs.js';
import { backupTables, quoteIdent, standaloneSequences } from './catalog.js';
import { BACKUP_FORMAT, blobPathIn, type BackupManifest } from './manifest.js';

const FETCH_ROWS = 2000;

export interface BackupResult {
  manifest: BackupManifest;
  seconds: number;
}

/**
 * A consistent backup of a running server into `dir` (new or empty): every table as JSON
 * lines, read in one REPEATABLE READ snapshot, and every blob that snapshot references,
 * each checked against its SHA-256 name. The blob collector waits while a backup runs, so
 * no referenced blob disappears before it is copied. manifest.json is written last: a
 * directory without it is not a backup.
 */
export async function backupTo(db: Db, blobs: BlobStore, dir: string): Promise<BackupResult> {
  const started = Date.now();
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError('backup-dir-not-empty', `${dir} is not empty; back up into a new directory`);
  mkdirSync(path.join(dir, 'tables'), { recursive: true });
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // held until COMMIT: the collector (blob-refs.ts) skips its round meanwhile
    await client.query('SELECT pg_advisory_xact_lock_shared($1)', [BLOB_GC_LOCK]);
    const tables = await backupTables(client);
    const { rows: version } = await client.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      schemaVersion: version[0]!.v,
      tables: [],
      sequences: await standaloneSequences(client),
      blobs: { count: 0, bytes: 0 },
    };
    for (const table of tables) manifest.tables.push({ ...table, ...(await dumpTable(client, table, dir)) });

    await client.query(`DECLARE backup_blobs NO SCROLL CURSOR FOR SELECT hash, size, refcount FROM blobs ORDER BY hash`);
    for (;;) {
      const { rows } = await client.query<{ hash: string; size: number; refcount: number }>(`FETCH ${FETCH_ROWS} FROM backup_blobs`);
      if (rows.length === 0) break;
      for (const b of rows) {
        const copied = await copyBlob(blobs, b.hash, blobPathIn(dir, b.hash));
        // a blob nothing references may already be gone; one that something references may not
        if (!copied && b.refcount > 0) throw new Error(`blob ${b.hash} is referenced but missing from the blob store`);
        if (copied) {
          manifest.blobs.count++;
          manifest.blobs.bytes += b.size;
        }
      }
    }
    await client.query('COMMIT');
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    return { manifest, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** One table as JSON lines (PostgreSQL's own row_to_json), parents before children in a tree. */
async function dumpTable(client: import('pg').PoolClient, table: { name: string; columns: string[]; selfReference: string | null; primaryKey: string[] }, dir: string) {
  const file = `tables/${table.name}.jsonl`;
  const out = createWriteStream(path.join(dir, file), { mode: 0o600 });
  const hash = createHash('sha256');
  const t = quoteIdent(table.name);
  const cols = table.columns.map(quoteIdent).join(', ');
  const query = table.selfReference
    ? `WITH RECURSIVE depth(id, d) AS (
         SELECT id, 0 FROM ${t} WHERE ${quoteIdent(table.selfReference)} IS NULL
         UNION ALL SELECT c.id, depth.d + 1 FROM ${t} c JOIN depth ON c.${quoteIdent(table.selfReference)} = depth.id)
       SELECT row_to_json(r)::text AS line FROM (SELECT ${cols} FROM ${t} JOIN depth USING (id) ORDER BY depth.d, id) r`
    : `SELECT row_to_json(r)::text AS line FROM (SELECT ${cols} FROM ${t}${table.primaryKey.length ? ` ORDER BY ${table.primaryKey.map(quoteIdent).join(', ')}` : ''}) r`;
  await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR ${query}`);
  let rows = 0;
  try {
    for (;;) {
      const batch = await client.query<{ line: string }>(`FETCH ${FETCH_ROWS} FROM backup_rows`);
      if (batch.rows.length === 0) break;
      const text = batch.rows.map((r) => r.line).join('\n') + '\n';
      hash.update(text);
      rows += batch.rows.length;
      if (!out.write(text)) await once(out, 'drain');
    }
  } finally {
    await client.query('CLOSE backup_rows');
    out.end();
    await once(out, 'finish');
  }
  return { file, rows, sha256: hash.digest('hex') };
}

/**
 * Copies one blob, checking its content against its name: a hard link when the backup is
 * of the file store on the backup's file system, otherwise the bytes read through the store
 * (PostgreSQL for a small blob, S3).
 */
async function copyBlob(blobs: BlobStore, hash: string, to: string): Promise<boolean> {
  await mkdir(path.dirname(to), { recursive: true });
  const files = blobs instanceof InlineBlobStore ? blobs.larger : blobs;
  if (files instanceof FileBlobStore && existsSync(files.pathOf(hash))) {
    const from = files.pathOf(hash);
    await checkContent(createReadStream(from), hash);
    // blobs never change once written, so a link is as good as a copy while the source file lives
    await link(from, to).catch(() => copyFile(from, to));
    return true;
  }
  if (!(await blobs.has(hash))) return false;
  const out = createWriteStream(to, { mode: 0o600 });
  try {
    await checkContent(blobs.stream(hash), hash, out);
  } catch (err) {
    out.destroy();
    await unlink(to).catch(() => {});
    throw err instanceof BlobStoreError && err.code === 'blob-missing' ? new Error(`blob ${hash} vanished from the blob store during the backup`) : err;
  }
  return true;
}

/** Reads a blob through, writing it to `out` when given, and fails when its SHA-256 is not its name. */
async function checkContent(source: AsyncIterable<unknown>, expected: string, out?: import('node:fs').WriteStream) {
  const actual = createHash('sha256');
  for await (const chunk of source) {
    actual.update(chunk as Buffer);
    if (out && !out.write(chunk as Buffer)) await once(out, 'drain');
  }
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  if (actual.digest('hex') !== expected) throw new Error(`blob ${expected} does not match its content: the blob store is damaged`);
}
