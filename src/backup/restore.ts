import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { transaction } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import { UserError } from '../shared/errors.js';
import { appendAudit } from '../audit/audit-log.js';
import { quoteIdent } from './catalog.js';
import { BACKUP_FORMAT, blobPathIn, type BackupManifest } from './manifest.js';

const INSERT_ROWS = 500;

export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) throw new UserError('not-a-backup', `${dir} holds no manifest.json: it is not a complete hopthu backup`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new UserError('not-a-backup', `${dir} is a backup of format "${manifest.format}", this hopthu reads ${BACKUP_FORMAT}`);
  return manifest;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Rebuilds a server from a backup into an empty database (migrated to the backup's
 * version) and a blob store: verifies every table file and blob first, then loads the
 * tables in one transaction, parents before children, and moves every sequence past
 * what was restored. Nothing is written when a check fails.
 */
export async function restoreFrom(db: Db, blobs: BlobStore, dir: string, actor: string): Promise<{ rows: number; blobs: number }> {
  const manifest = readManifest(dir);
  for (const t of manifest.tables) {
    if ((await sha256OfFile(path.join(dir, t.file))) !== t.sha256) throw new UserError('backup-damaged', `${t.file} does not match its checksum in manifest.json`);
  }
  const { rows: version } = await db.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
  if (version[0]!.v !== manifest.schemaVersion) {
    throw new UserError('backup-version', `the backup is of schema version ${manifest.schemaVersion}, this database is at ${version[0]!.v}: restore with the hopthu release that made the backup`);
  }
  // a new server's migrations seed a few rows (the audit chain head); what makes a server is these
  for (const table of ['domains', 'accounts', 'mailboxes', 'messages', 'spool', 'audit_events']) {
    const { rows } = await db.query(`SELECT 1 FROM ${quoteIdent(table)} LIMIT 1`);
    if (rows.length) throw new UserError('restore-not-empty', `the database already holds data (table ${table}); restore into a new, empty one`);
  }

  // blobs first: a row is never restored without its body
  let restoredBlobs = 0;
  const blobTable = manifest.tables.find((t) => t.name === 'blobs');
  if (blobTable) {
    for await (const line of createInterface({ input: createReadStream(path.join(dir, blobTable.file)), crlfDelay: Infinity })) {
      if (!line) continue;
      const { hash } = JSON.parse(line) as { hash: string };
      const file = blobPathIn(dir, hash);
      if (!existsSync(file)) continue; // unreferenced at backup time and already collected
      const stored = await blobs.put(createReadStream(file) as AsyncIterable<Buffer>);
      if (stored.hash !== hash) throw new UserError('backup-damaged', `blob ${hash} in the backup does not match its content`);
      restoredBlobs++;
    }
  }

  let restoredRows = 0;
  await transaction(db, async (client) => {
    for (const t of manifest.tables) {
      if (t.name === 'schema_migrations') continue;
      const cols = t.columns.map(quoteIdent).join(', ');
      // a restored row replaces one a migration seeded (the audit chain head)
      const others = t.columns.filter((c) => !t.primaryKey.includes(c));
      const onConflict = t.primaryKey.length
        ? ` ON CONFLICT (${t.primaryKey.map(quoteIdent).join(', ')}) DO ${others.length ? `UPDATE SET ${others.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}` : 'NOTHING'}`
        : '';
      const insert = `INSERT INTO ${quoteIdent(t.name)} (${cols}) OVERRIDING SYSTEM VALUE
                      SELECT ${cols} FROM json_populate_recordset(NULL::${quoteIdent(t.name)}, $1::json)${onConflict}`;
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(insert, [`[${batch.join(',')}]`]);
        restoredRows += batch.length;
        batch = [];
      };
      for await (const line of createInterface({ input: createReadStream(path.join(dir, t.file)), crlfDelay: Infinity })) {
        if (!line) continue;
        batch.push(line);
        if (batch.length >= INSERT_ROWS) await flush();
      }
      await flush();
      for (const column of t.identity) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quoteIdent(column)}) FROM ${quoteIdent(t.name)}), 0) + 1, false)`,
          [t.name, column],
        );
      }
    }
    for (const s of manifest.sequences) await client.query('SELECT setval($1::regclass, $2, $3)', [quoteIdent(s.name), s.lastValue, s.isCalled]);
    await appendAudit(client, { actor, action: 'backup.restore', source: 'cli', data: { createdAt: manifest.createdAt, rows: restoredRows, blobs: restoredBlobs } });
  });
  return { rows: restoredRows, blobs: restoredBlobs };
}
