import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import type { Db } from '../../store/db.js';
import { transaction } from '../../store/db.js';
import type { BlobStore } from '../../store/blob-store.js';
import { BLOB_GC_LOCK } from '../../store/blob-refs.js';
import { MboxrdQuoter, separatorLine } from './mboxrd.js';
import { tarStream, type TarEntry } from './tar.js';

export const ARCHIVE_FORMAT = 'hopthu-account-archive/1';
const PAGE = 500;

export interface ArchiveFile {
  path: string;
  /** SHA-256 of the .tar.gz file, lower-case hex */
  sha256: string;
  fileBytes: number;
  messages: number;
  messageBytes: number;
}

export interface ArchivedAccount {
  id: number;
  address: string;
  displayName: string;
  kind: string;
}

interface FolderRow { id: number; name: string; special_use: string | null; uidvalidity: number; subscribed: boolean }
interface MessageRow { mailbox_id: number; uid: number; flags: string[]; internal_date: Date; size: number; blob_hash: string; from_text: string | null }

/** A folder name as a file name any tool accepts: diacritics dropped, đ → d, the rest as "_". */
function fileNameOf(index: number, folder: string): string {
  const ascii = folder.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `folders/${String(index + 1).padStart(3, '0')}-${ascii.slice(0, 60)}.mbox`;
}

async function write(out: WriteStream, chunks: readonly Buffer[]): Promise<number> {
  let n = 0;
  for (const c of chunks) {
    n += c.length;
    if (c.length && !out.write(c)) await once(out, 'drain');
  }
  return n;
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/** fsync, so that a rename that follows cannot leave an empty or short file after a crash. */
async function syncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes the account's messages with id <= `lastMessageId` into `target` (a .tar.gz):
 * one mboxrd file per folder, `messages.jsonl` (folder, UID, flags, internal date, size,
 * SHA-256, and where the message sits in its mbox file) and `manifest.json`, all read in
 * one snapshot while the blob collector waits. Each message is streamed from the blob
 * store and checked against its SHA-256 on the way. The pieces are staged beside the
 * target, packed into `target.partial`, fsynced and renamed into place: `target` is either
 * absent or complete.
 */
export async function writeArchiveFile(db: Db, blobs: BlobStore, target: string, account: ArchivedAccount, lastMessageId: number, now: Date): Promise<ArchiveFile> {
  const staging = path.join(path.dirname(target), `.staging-${path.basename(target).replace(/\.tar\.gz$/, '')}`);
  try {
    return await writeStaged(db, blobs, target, staging, account, lastMessageId, now);
  } catch (err) {
    // nothing is recorded yet: what was half written goes, and the next run starts again
    await rm(staging, { recursive: true, force: true });
    await rm(`${target}.partial`, { force: true });
    throw err;
  }
}

async function writeStaged(db: Db, blobs: BlobStore, target: string, staging: string, account: ArchivedAccount, lastMessageId: number, now: Date): Promise<ArchiveFile> {
  const dir = path.dirname(target);
  const stem = path.basename(target).replace(/\.tar\.gz$/, '');
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, 'folders'), { recursive: true, mode: 0o750 });

  const summary = await transaction(
    db,
    (client) => stageMessages(client, blobs, staging, account.id, lastMessageId),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
  const manifest = {
    format: ARCHIVE_FORMAT,
    createdAt: now.toISOString(),
    account: { address: account.address, displayName: account.displayName, kind: account.kind },
    mbox: 'mboxrd (RFC 4155): lines matching /^>*From / carry one extra ">"; messages.jsonl gives each message\'s offset and length in its file',
    messages: summary.messages,
    messageBytes: summary.messageBytes,
    folders: summary.folders,
  };
  await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o640 });

  // the top folder inside the tar is the file's own name, when it fits a ustar prefix
  const top = Buffer.byteLength(stem) <= 150 && /^[\x21-\x7e]+$/.test(stem) ? stem : 'mailbox';
  const entries: TarEntry[] = ['manifest.json', 'messages.jsonl', ...summary.folders.map((f) => f.file)].map((name) => ({
    name: `${top}/${name}`, source: path.join(staging, name), mtime: now,
  }));
  const partial = `${target}.partial`;
  const hash = createHash('sha256');
  let fileBytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      fileBytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(tarStream(entries)), createGzip(), measure, createWriteStream(partial, { mode: 0o640 }));
  await syncPath(partial);
  await rename(partial, target);
  await syncPath(dir);
  await rm(staging, { recursive: true, force: true });
  return { path: target, sha256: hash.digest('hex'), fileBytes, messages: summary.messages, messageBytes: summary.messageBytes };
}

/** Every folder's mbox file and messages.jsonl, from one snapshot. */
async function stageMessages(client: pg.PoolClient, blobs: BlobStore, staging: string, accountId: number, lastMessageId: number) {
  // held until COMMIT: no blob the snapshot references is collected meanwhile (blob-refs.ts)
  await client.query('SELECT pg_advisory_xact_lock_shared($1)', [BLOB_GC_LOCK]);
  const { rows: folderRows } = await client.query<FolderRow>(
    `SELECT mb.id, mb.name, mb.special_use, mb.uidvalidity,
            EXISTS (SELECT 1 FROM mailbox_subscriptions s WHERE s.account_id = mb.account_id AND s.name = mb.name) AS subscribed
       FROM mailboxes mb WHERE mb.account_id = $1 ORDER BY mb.name`,
    [accountId],
  );
  const folders = folderRows.map((f, i) => ({
    id: f.id, name: f.name, specialUse: f.special_use, uidValidity: f.uidvalidity, subscribed: f.subscribed, file: fileNameOf(i, f.name), messages: 0, bytes: 0,
  }));
  for (const f of folders) await writeFile(path.join(staging, f.file), '', { mode: 0o640 });
  const byId = new Map(folders.map((f) => [f.id, f]));
  const index = createWriteStream(path.join(staging, 'messages.jsonl'), { mode: 0o640 });
  let current: { id: number; out: WriteStream; offset: number } | undefined;
  let messages = 0;
  let messageBytes = 0;
  let after = { mailboxId: 0, uid: 0 };
  try {
    for (;;) {
      const { rows } = await client.query<MessageRow>(
        `SELECT m.mailbox_id, m.uid, m.flags, m.internal_date, m.size, m.blob_hash, m.from_text
           FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id
          WHERE mb.account_id = $1 AND m.id <= $2 AND (m.mailbox_id, m.uid) > ($3, $4)
          ORDER BY m.mailbox_id, m.uid LIMIT ${PAGE}`,
        [accountId, lastMessageId, after.mailboxId, after.uid],
      );
      if (rows.length === 0) break;
      for (const m of rows) {
        const folder = byId.get(m.mailbox_id)!;
        if (current?.id !== folder.id) {
          if (current) await close(current.out);
          current = { id: folder.id, out: createWriteStream(path.join(staging, folder.file), { flags: 'a', mode: 0o640 }), offset: 0 };
        }
        current.offset += await write(current.out, [separatorLine(m.from_text, m.internal_date)]);
        const offset = current.offset;
        const { length, endsWithLf } = await writeMessage(current.out, blobs, m);
        current.offset += length;
        // RFC 4155 §2: a message is followed by an empty line (and the next separator starts a line)
        current.offset += await write(current.out, [Buffer.from(endsWithLf ? '\n' : '\n\n')]);
        folder.messages++;
        folder.bytes += m.size;
        messages++;
        messageBytes += m.size;
        const line = { folder: folder.name, file: folder.file, uid: m.uid, flags: m.flags, internalDate: m.internal_date.toISOString(), size: m.size, sha256: m.blob_hash, offset, length };
        await write(index, [Buffer.from(JSON.stringify(line) + '\n')]);
      }
      const last = rows[rows.length - 1]!;
      after = { mailboxId: last.mailbox_id, uid: last.uid };
    }
  } finally {
    if (current) await close(current.out);
    await close(index);
  }
  return { messages, messageBytes, folders: folders.map(({ id: _id, ...f }) => f) };
}

/** One message, quoted, checked against its size and SHA-256; `length` is the quoted bytes written. */
async function writeMessage(out: WriteStream, blobs: BlobStore, m: MessageRow): Promise<{ length: number; endsWithLf: boolean }> {
  const quoter = new MboxrdQuoter();
  const actual = createHash('sha256');
  let size = 0;
  let written = 0;
  let last = 0x0a;
  for await (const chunk of blobs.stream(m.blob_hash)) {
    const buf = chunk as Buffer;
    if (buf.length === 0) continue;
    actual.update(buf);
    size += buf.length;
    last = buf[buf.length - 1]!;
    written += await write(out, quoter.push(buf));
  }
  written += await write(out, quoter.end());
  if (size !== m.size || actual.digest('hex') !== m.blob_hash) {
    throw new Error(`blob ${m.blob_hash} does not match its message (${size} bytes read, ${m.size} expected): the blob store is damaged; nothing was archived`);
  }
  return { length: written, endsWithLf: last === 0x0a };
}
