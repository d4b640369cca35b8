import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { backupTo } from '../../../src/backup/backup.js';
import { restoreFrom } from '../../../src/backup/restore.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';
import type { RunningServer } from '../../../src/cli/server.js';

let source: TestEnv;
let target: TestEnv;
let server: RunningServer;
let restoredDb: Db;
let restoredBlobs: FileBlobStore;
const dirs: string[] = [];
const ACCOUNTS = 8;

interface Row { address: string; folder: string; uid: number; flags: string[]; blob_hash: string; size: number; internal_date: string; subject: string | null }
const messages = async (db: Db): Promise<Map<string, Row>> => {
  const { rows } = await db.query<Row>(
    `SELECT a.address, mb.name AS folder, m.uid, m.flags, m.blob_hash, m.size, m.internal_date::text, m.subject
       FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id JOIN accounts a ON a.id = mb.account_id`,
  );
  return new Map(rows.map((r) => [`${r.address}/${r.folder}/${r.uid}`, r]));
};
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'hopthu-backup-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  source = await createTestEnv();
  target = await createTestEnv();
  server = await source.start({}, ['smtp', 'worker']);
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  for (let i = 0; i < ACCOUNTS; i++) await addTestAccount(db, server.runtime.config, `nv${i}@yenbai.gov.vn`);
  restoredDb = createPool(target.databaseUrl, 4);
  await migrate(restoredDb);
  restoredBlobs = await new FileBlobStore(path.join(target.dir, 'blobs')).init();
}, 120_000);

afterAll(async () => {
  await restoredDb?.end();
  await source?.stop();
  await target?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('backs up a server while mail flows in, and a restore holds every message of the snapshot, byte for byte', { timeout: 240_000 }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, pool: true, maxConnections: 4, tls: { rejectUnauthorized: false } });
    let sending = true;
    let sent = 0;
    const load = (async () => {
      while (sending) {
        const n = sent++;
        await transport.sendMail({
          from: 'vanphong@example.test', to: `nv${n % ACCOUNTS}@yenbai.gov.vn`,
          subject: `Công văn số ${n}`, text: `Nội dung công văn số ${n}: ${'Ủy ban nhân dân tỉnh. '.repeat(20)}`,
        });
      }
    })();
    // some mail in the mailboxes before the backup starts
    await eventually(async () => ((await messages(server.runtime.db)).size >= 20 ? true : undefined), 60_000, '20 delivered messages');
    const before = await messages(server.runtime.db);
    const dir = tmp();
    const { manifest } = await backupTo(server.runtime.db, server.runtime.blobs, path.join(dir, 'b'));
    const sentDuringBackup = sent;
    sending = false;
    await load;
    transport.close();
    const after = await messages(server.runtime.db);
    expect(sentDuringBackup).toBeGreaterThan(before.size);

    const result = await restoreFrom(restoredDb, restoredBlobs, path.join(dir, 'b'), 'cli:test');
    expect(result.blobs).toBe(manifest.blobs.count);
    const restored = await messages(restoredDb);
    // everything delivered before the backup began is there; nothing is there that never existed
    for (const key of before.keys()) expect(restored.has(key), key).toBe(true);
    expect(restored.size).toBeLessThanOrEqual(after.size);
    for (const [key, row] of restored) {
      expect(after.get(key), key).toEqual(row);
      const [original, copy] = await Promise.all([server.runtime.blobs.read(row.blob_hash), restoredBlobs.read(row.blob_hash)]);
      expect(copy.equals(original)).toBe(true);
    }
    // the audit log arrives whole: the chain verifies, the restore is its last event
    expect((await verifyAuditChain(restoredDb)).ok).toBe(true);
    const last = await restoredDb.query<{ action: string }>('SELECT action FROM audit_events ORDER BY id DESC LIMIT 1');
    expect(last.rows[0]!.action).toBe('backup.restore');
    // sequences moved on: a new folder gets a fresh UIDVALIDITY and id
    const { rows: ids } = await restoredDb.query<{ id: number; uidvalidity: number }>(
      "INSERT INTO mailboxes (account_id, name) SELECT id, 'Mới' FROM accounts LIMIT 1 RETURNING id, uidvalidity",
    );
    const { rows: maxima } = await restoredDb.query<{ id: number; uidvalidity: number }>("SELECT max(id) AS id, max(uidvalidity) FILTER (WHERE name <> 'Mới') AS uidvalidity FROM mailboxes");
    expect(ids[0]!.id).toBe(maxima[0]!.id);
    expect(ids[0]!.uidvalidity).toBeGreaterThan(maxima[0]!.uidvalidity);
  });

  it('refuses to restore into a database that holds data, and a backup whose files were changed', async () => {
    const dir = tmp();
    await backupTo(server.runtime.db, server.runtime.blobs, path.join(dir, 'b'));
    await expect(restoreFrom(restoredDb, restoredBlobs, path.join(dir, 'b'), 'cli:test')).rejects.toMatchObject({ code: 'restore-not-empty' });
    const file = path.join(dir, 'b', 'tables', 'accounts.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('nv1@', 'xx1@'));
    await expect(restoreFrom(restoredDb, restoredBlobs, path.join(dir, 'b'), 'cli:test')).rejects.toMatchObject({ code: 'backup-damaged' });
    await expect(backupTo(server.runtime.db, server.runtime.blobs, path.join(dir, 'b'))).rejects.toMatchObject({ code: 'backup-dir-not-empty' });
    expect(readdirSync(path.join(dir, 'b'))).toContain('manifest.json');
  });
});
