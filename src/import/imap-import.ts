import { ImapFlow, type ListResponse } from 'imapflow';
import type { Db, Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { findMailbox, getMailbox, findSpecialMailbox, type Mailbox } from '../mail/mailboxes.js';
import { createMailbox } from '../mail/mailbox-tree.js';
import { appendFromClient } from '../mail/imap-append.js';
import { canonicalFlags } from '../mail/flags.js';
import { mapFolder } from './folder-map.js';

export interface ImapSource {
  host: string;
  port: number;
  /** implicit TLS (imaps, 993); otherwise STARTTLS when the server offers it */
  secure: boolean;
  /** check the old server's certificate (off only for a server with a self-signed one) */
  tlsVerify: boolean;
  user: string;
  password: string;
}

export interface FolderProgress {
  folder: string;
  target: string;
  total: number;
  copied: number;
}

export interface AccountImport {
  accountId: number;
  source: ImapSource;
  /** called after every batch */
  onProgress?: (p: FolderProgress) => void;
}

export interface AccountImportResult {
  folders: Array<FolderProgress & { skipped?: string }>;
  copied: number;
}

/** messages fetched, stored and appended together; their progress commits with them */
const BATCH = 50;

/** `imaps://host:port/user`: names the old mailbox in import_state. */
export const sourceKey = (s: ImapSource) => `${s.secure ? 'imaps' : 'imap'}://${s.host}:${s.port}/${s.user}`;

/**
 * Copies every folder of one old IMAP mailbox into a hopthu account, keeping flags and
 * internal dates. Each batch of messages commits together with how far the folder has
 * been copied, so an interrupted import resumes exactly where it stopped, and a second
 * run copies only what arrived since (messages above the last UID copied). A folder whose
 * UIDVALIDITY changed on the old server is copied again, skipping messages already here.
 */
export async function importAccount(db: Db, blobs: BlobStore, log: Logger, job: AccountImport): Promise<AccountImportResult> {
  const client = new ImapFlow({
    host: job.source.host,
    port: job.source.port,
    secure: job.source.secure,
    auth: { user: job.source.user, pass: job.source.password },
    tls: { rejectUnauthorized: job.source.tlsVerify },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  const result: AccountImportResult = { folders: [], copied: 0 };
  try {
    const folders = (await client.list()).filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
    for (const folder of folders) {
      const progress = await importFolder(db, blobs, client, job, folder);
      result.folders.push(progress);
      result.copied += progress.copied;
      log.info({ account: job.accountId, folder: folder.path, copied: progress.copied }, 'imported folder');
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}

async function targetMailbox(db: Db, accountId: number, folder: ListResponse): Promise<Mailbox> {
  const target = mapFolder(folder.path, folder.delimiter ?? null, folder.specialUse ?? null);
  if (target.kind === 'inbox') return getMailbox(db, accountId, 'INBOX');
  if (target.kind === 'special') return (await findSpecialMailbox(db, accountId, target.use)) ?? getMailbox(db, accountId, target.name);
  return (await findMailbox(db, accountId, target.name)) ?? createMailbox(db, accountId, target.name);
}

async function importFolder(db: Db, blobs: BlobStore, client: ImapFlow, job: AccountImport, folder: ListResponse): Promise<FolderProgress> {
  const mailbox = await targetMailbox(db, job.accountId, folder);
  const source = sourceKey(job.source);
  const lock = await client.getMailboxLock(folder.path, { readOnly: true });
  try {
    const opened = client.mailbox;
    if (!opened) throw new Error(`cannot open ${folder.path} on ${job.source.host}`);
    const uidValidity = Number(opened.uidValidity);
    const state = await loadState(db, job.accountId, source, folder.path);
    const restarted = state !== undefined && state.uidvalidity !== uidValidity;
    let lastUid = state && !restarted ? state.last_uid : 0;
    const progress: FolderProgress = { folder: folder.path, target: mailbox.name, total: opened.exists, copied: 0 };
    if (opened.exists === 0) {
      await saveState(db, job.accountId, source, folder.path, uidValidity, lastUid, 0);
      return progress;
    }
    // UIDs above the last one copied; "n:*" always names the highest message, so filter
    const uids = ((await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || []).filter((u) => u > lastUid).sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      const messages: Array<{ blobHash: string; size: number; flags: string[]; internalDate: Date }> = [];
      for await (const msg of client.fetch(batch.join(','), { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
        if (!msg.source) continue;
        if (restarted && (await alreadyHere(db, mailbox.id, msg.source.length, msg.internalDate))) continue;
        const stored = await blobs.put([msg.source]);
        messages.push({ blobHash: stored.hash, size: stored.size, flags: importableFlags(msg.flags), internalDate: msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? Date.now()) });
      }
      lastUid = batch[batch.length - 1]!;
      const copiedNow = messages.length;
      const commit = (c: Queryable) => saveState(c, job.accountId, source, folder.path, uidValidity, lastUid, copiedNow);
      if (messages.length) await appendFromClient(db, blobs, { mailboxId: mailbox.id, quota: null, messages, alsoInTransaction: commit });
      else await commit(db);
      progress.copied += copiedNow;
      job.onProgress?.({ ...progress });
    }
    return progress;
  } finally {
    lock.release();
  }
}

/** The flags a hopthu folder can hold: system flags but \Recent (RFC 9051 §2.3.2) and valid keywords; others are dropped. */
function importableFlags(flags: Set<string> | undefined): string[] {
  const kept: string[] = [];
  for (const flag of flags ?? []) {
    try {
      kept.push(...canonicalFlags([flag], []).flags);
    } catch {
      // \Recent, or a keyword this server cannot hold
    }
  }
  return kept;
}

interface StateRow { uidvalidity: number; last_uid: number }

async function loadState(db: Queryable, accountId: number, source: string, folder: string): Promise<StateRow | undefined> {
  const { rows } = await db.query<StateRow>('SELECT uidvalidity, last_uid FROM import_state WHERE account_id = $1 AND source = $2 AND folder = $3', [accountId, source, folder]);
  return rows[0];
}

async function saveState(db: Queryable, accountId: number, source: string, folder: string, uidvalidity: number, lastUid: number, copied: number): Promise<void> {
  await db.query(
    `INSERT INTO import_state (account_id, source, folder, uidvalidity, last_uid, copied) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (account_id, source, folder) DO UPDATE
       SET uidvalidity = EXCLUDED.uidvalidity, last_uid = EXCLUDED.last_uid,
           copied = CASE WHEN import_state.uidvalidity = EXCLUDED.uidvalidity THEN import_state.copied + EXCLUDED.copied ELSE EXCLUDED.copied END,
           updated_at = now()`,
    [accountId, source, folder, uidvalidity, lastUid, copied],
  );
}

/** After a UIDVALIDITY change: is a message of this size and arrival time already in the folder? */
async function alreadyHere(db: Queryable, mailboxId: number, size: number, internalDate: Date | string | undefined): Promise<boolean> {
  if (!internalDate) return false;
  const { rowCount } = await db.query('SELECT 1 FROM messages WHERE mailbox_id = $1 AND size = $2 AND internal_date = $3 LIMIT 1', [mailboxId, size, internalDate]);
  return (rowCount ?? 0) > 0;
}
