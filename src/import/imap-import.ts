import { createHash } from 'node:crypto';
import { ImapFlow, type ListResponse } from 'imapflow';
import type { Db, Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { findMailbox, getMailbox, findSpecialMailbox, type Mailbox } from '../mail/mailboxes.js';
import { createMailbox } from '../mail/mailbox-tree.js';
import { appendFromClient } from '../mail/imap-append.js';
import { canonicalFlags } from '../mail/flags.js';
import { mapFolder } from './folder-map.js';
import { UserError } from '../shared/errors.js';
import { brokenConnection, connectFailure, isFolderRefusedByServer } from './source-errors.js';
import { decodeModifiedUtf7 } from '../imap/protocol/mailbox-name.js';

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
  /** hopthu's folder; '' for a skipped one */
  target: string;
  /** messages in the old folder */
  total: number;
  /** messages copied by this run */
  copied: number;
  /** the folder is finished (its last report) */
  done?: boolean;
  /** why the folder was not copied (the others still are) */
  skipped?: string;
}

export interface AccountImport {
  accountId: number;
  source: ImapSource;
  /** called after every batch, and once more when a folder is done */
  onProgress?: (p: FolderProgress) => void;
  /** bytes one batch may hold (32 MiB) */
  batchBytes?: number;
}

export interface AccountImportResult {
  folders: FolderProgress[];
  copied: number;
}

/** messages fetched, stored and appended together; their progress commits with them */
const BATCH = 50;
/** ...and the bytes of one batch (RFC822.SIZE), so a folder of scanned attachments is never all in memory at once */
const BATCH_BYTES = 32 * 1024 * 1024;

/** UIDs in order, cut into batches of at most BATCH messages and `maxBytes` (a larger message goes alone) */
export function batchesOf(messages: ReadonlyArray<{ uid: number; size: number }>, maxBytes = BATCH_BYTES): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (current.length && (current.length >= BATCH || bytes + m.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m.uid);
    bytes += m.size;
  }
  if (current.length) out.push(current);
  return out;
}

/** `imaps://host:port/user`: names the old mailbox in import_state. */
export const sourceKey = (s: ImapSource) => `${s.secure ? 'imaps' : 'imap'}://${s.host}:${s.port}/${s.user}`;

/**
 * Copies every folder of one old IMAP mailbox into a hopthu account, keeping flags and
 * internal dates. Each batch of messages commits together with how far the folder has
 * been copied, so an interrupted import resumes exactly where it stopped, and a second
 * run copies only what arrived since (messages above the last UID copied). A folder copied
 * from its start (UIDVALIDITY changed on the old server, or the same mailbox named by
 * another URL) skips the messages already here: same bytes, same internal date.
 */
export async function importAccount(db: Db, blobs: BlobStore, log: Logger, job: AccountImport): Promise<AccountImportResult> {
  const { source } = job;
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    auth: { user: source.user, pass: source.password },
    tls: { rejectUnauthorized: source.tlsVerify },
    logger: false,
    disableAutoIdle: true,
  });
  // once connected, imapflow reports a broken connection as an 'error' event as well as
  // failing the command in flight; unheard, the event would end the whole process
  client.on('error', (err: Error) => log.warn({ account: job.accountId, err: err.message }, 'old server connection failed'));
  try {
    await client.connect();
  } catch (err) {
    throw connectFailure(err, source);
  }
  const result: AccountImportResult = { folders: [], copied: 0 };
  const server = `${source.host}:${source.port}`;
  const personalPrefix = prefixName(client.namespaces?.personal[0]?.prefix ?? '');
  const report = (progress: FolderProgress) => {
    result.folders.push(progress);
    result.copied += progress.copied;
    job.onProgress?.({ ...progress, done: true });
  };
  try {
    for (const folder of await ownFolders(client, server)) {
      try {
        const progress = await importFolder(db, blobs, client, job, folder, personalPrefix);
        report(progress);
        log.info({ account: job.accountId, folder: folder.path, copied: progress.copied }, 'imported folder');
      } catch (err) {
        // hopthu cannot hold the folder's name, or the old server would not open it: skip that folder only
        if (client.usable && (err instanceof UserError || isFolderRefusedByServer(err))) {
          const reason = err instanceof UserError ? err.message : `${server} would not open it: ${(err as { responseText?: string }).responseText ?? (err as Error).message}`;
          report({ folder: folder.path, target: '', total: 0, copied: 0, skipped: reason });
          log.warn({ account: job.accountId, folder: folder.path, err: (err as Error).message }, 'skipped folder');
          continue;
        }
        throw client.usable ? err : brokenConnection(err, server, `copying "${folder.path}"`);
      }
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}

/**
 * imapflow hands namespace prefixes over as the server sent them: modified UTF-7 (RFC 3501
 * §5.1.3) unless UTF8=ACCEPT is on, while folder paths come decoded.
 */
function prefixName(prefix: string): string {
  try {
    return decodeModifiedUtf7(prefix);
  } catch {
    return prefix;
  }
}

/** RFC 6154 §2: \All and \Flagged folders show messages kept in other folders; copying them would copy those twice */
const VIEWS = new Set(['\\All', '\\Flagged']);

/**
 * The folders that hold this account's mail: selectable ones of the personal namespace
 * that are not views of other folders. RFC 2342: other users' folders and shared (public)
 * ones are not the account's, and copying them would give every account its own copy.
 */
async function ownFolders(client: ImapFlow, server: string): Promise<ListResponse[]> {
  const foreign = [...(client.namespaces?.other || []), ...(client.namespaces?.shared || [])].map((n) => prefixName(n.prefix)).filter((p) => p !== '');
  try {
    return (await client.list()).filter(
      (f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent') && !foreign.some((p) => f.path.startsWith(p)) && !(f.specialUse && VIEWS.has(f.specialUse)),
    );
  } catch (err) {
    throw client.usable ? err : brokenConnection(err, server, 'reading the folder list');
  }
}

async function targetMailbox(db: Db, accountId: number, folder: ListResponse, personalPrefix: string): Promise<Mailbox> {
  const target = mapFolder(folder.path, folder.delimiter ?? null, folder.specialUse ?? null, personalPrefix);
  if (target.kind === 'inbox') return getMailbox(db, accountId, 'INBOX');
  if (target.kind === 'special') return (await findSpecialMailbox(db, accountId, target.use)) ?? getMailbox(db, accountId, target.name);
  return (await findMailbox(db, accountId, target.name)) ?? createMailbox(db, accountId, target.name);
}

async function importFolder(db: Db, blobs: BlobStore, client: ImapFlow, job: AccountImport, folder: ListResponse, personalPrefix: string): Promise<FolderProgress> {
  const mailbox = await targetMailbox(db, job.accountId, folder, personalPrefix);
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
    // copying this old folder from its start (first run from this source, or a new UIDVALIDITY) into a folder
    // that already has mail: what is already here by content and arrival is not appended again
    const here = state === undefined || restarted ? await messagesAlreadyIn(db, mailbox.id) : new Set<string>();
    // UIDs above the last one copied, with their sizes; "n:*" always names the highest message, so filter
    const waiting: Array<{ uid: number; size: number }> = [];
    for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) if (m.uid > lastUid) waiting.push({ uid: m.uid, size: m.size ?? 0 });
    waiting.sort((a, b) => a.uid - b.uid);
    for (const batch of batchesOf(waiting, job.batchBytes)) {
      const messages: Array<{ blobHash: string; size: number; flags: string[]; internalDate: Date }> = [];
      for await (const msg of client.fetch(batch.join(','), { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
        if (!msg.source) continue;
        const internalDate = msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? Date.now());
        if (here.size && here.has(arrival(createHash('sha256').update(msg.source).digest('hex'), internalDate))) continue;
        const stored = await blobs.put([msg.source]);
        messages.push({ blobHash: stored.hash, size: stored.size, flags: importableFlags(msg.flags), internalDate });
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

const arrival = (blobHash: string, internalDate: Date) => `${blobHash} ${internalDate.getTime()}`;

/**
 * The messages of a hopthu folder by content (blob hash) and INTERNALDATE: read once per
 * old folder copied from its start, so a folder of any size costs one query.
 */
async function messagesAlreadyIn(db: Queryable, mailboxId: number): Promise<Set<string>> {
  const { rows } = await db.query<{ blob_hash: string; internal_date: Date }>('SELECT blob_hash, internal_date FROM messages WHERE mailbox_id = $1', [mailboxId]);
  return new Set(rows.map((r) => arrival(r.blob_hash, r.internal_date)));
}
