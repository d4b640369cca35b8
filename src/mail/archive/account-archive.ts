import { createReadStream, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Queryable } from '../../store/db.js';
import { transaction } from '../../store/db.js';
import type { BlobStore } from '../../store/blob-store.js';
import { appendAudit } from '../../audit/audit-log.js';
import { UserError } from '../../shared/errors.js';
import { expungeMessages } from '../expunge.js';
import { activeHoldsCovering, type LegalHold } from '../legal-hold.js';
import type { MailboxChange } from '../notify.js';
import { uidSetOf } from '../uid-set.js';
import { writeArchiveFile } from './write-file.js';

/**
 * Archiving a departed account, in two steps that a crash can fall between:
 *  1. `writeAccountArchive`: the mail goes into a .tar.gz under <dataDir>/archive/<domain>/,
 *     fsynced, and only then is the archive recorded in account_archives (audited);
 *  2. `removeArchivedMessages`: the file is checked against its recorded SHA-256 and the
 *     messages it covers are expunged through the mail store's normal path (blob
 *     references released), then the row is marked removed (audited).
 * A run that died in step 1 leaves no record and starts again; one that died in step 2
 * leaves a pending record that the next run finishes. A legal hold over the account stops
 * both steps while it stands.
 */

export interface ArchiveContext {
  db: Db;
  blobs: BlobStore;
  dataDir: string;
}

export interface AccountArchive {
  id: number;
  accountId: number;
  path: string;
  sha256: string;
  messages: number;
  messageBytes: number;
  fileBytes: number;
  lastMessageId: number;
  createdBy: string;
  createdAt: Date;
  /** when the archived messages left the live store; null while that is still to do */
  removedAt: Date | null;
}

interface ArchiveRow {
  id: number; account_id: number; path: string; sha256: string; messages: number; message_bytes: number; file_bytes: number;
  last_message_id: number; created_by: string; created_at: Date; removed_at: Date | null;
}

const toArchive = (r: ArchiveRow): AccountArchive => ({
  id: r.id, accountId: r.account_id, path: r.path, sha256: r.sha256, messages: r.messages, messageBytes: r.message_bytes,
  fileBytes: r.file_bytes, lastMessageId: r.last_message_id, createdBy: r.created_by, createdAt: r.created_at, removedAt: r.removed_at,
});

interface Subject {
  id: number;
  address: string;
  displayName: string;
  kind: string;
  status: string;
  domain: string;
  disabledAt: Date | null;
}

async function subjectById(db: Queryable, accountId: number): Promise<Subject> {
  const { rows } = await db.query<{ id: number; address: string; display_name: string; kind: string; status: string; domain: string; disabled_at: Date | null }>(
    'SELECT a.id, a.address, a.display_name, a.kind, a.status, d.name AS domain, a.disabled_at FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE a.id = $1',
    [accountId],
  );
  const r = rows[0];
  if (!r) throw new UserError('no-such-account', `there is no account with id ${accountId}`);
  return { id: r.id, address: r.address, displayName: r.display_name, kind: r.kind, status: r.status, domain: r.domain, disabledAt: r.disabled_at };
}

/** The account's archives, newest first. */
export async function archivesOf(db: Queryable, accountId: number): Promise<AccountArchive[]> {
  const { rows } = await db.query<ArchiveRow>('SELECT * FROM account_archives WHERE account_id = $1 ORDER BY created_at DESC, id DESC', [accountId]);
  return rows.map(toArchive);
}

async function pendingArchive(db: Queryable, accountId: number): Promise<AccountArchive | undefined> {
  const { rows } = await db.query<ArchiveRow>('SELECT * FROM account_archives WHERE account_id = $1 AND removed_at IS NULL', [accountId]);
  return rows[0] ? toArchive(rows[0]) : undefined;
}

/** RFC 5321 §4.1.2 lets a local part hold "/": it and "%" are percent-encoded, so each address keeps its own file name. */
const fileSafe = (address: string) => address.replace(/[%/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

/** <dataDir>/archive/<domain>/<address>-<YYYYMMDD>.tar.gz; "-2", "-3"... when an earlier archive took that name. */
async function archivePath(ctx: ArchiveContext, account: Subject, now: Date): Promise<string> {
  const dir = path.resolve(ctx.dataDir, 'archive', account.domain);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const { rows } = await ctx.db.query<{ path: string }>('SELECT path FROM account_archives WHERE account_id = $1', [account.id]);
  const taken = new Set(rows.map((r) => r.path));
  for (let n = 1; ; n++) {
    // a file nobody recorded is what a run that died before recording left: it is made again
    const candidate = path.join(dir, `${fileSafe(account.address)}-${day(now)}${n === 1 ? '' : `-${n}`}.tar.gz`);
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Step 1: writes the archive of every message the account has now and records it. The
 * account's folders are locked for a moment to fix "now": a message stored later has a
 * higher id and is neither archived nor removed.
 */
export async function writeAccountArchive(ctx: ArchiveContext, accountId: number, actor: string, options: { source?: string; now?: Date } = {}): Promise<AccountArchive> {
  const now = options.now ?? new Date();
  const account = await subjectById(ctx.db, accountId);
  const lastMessageId = await transaction(ctx.db, async (client) => {
    // tx.ts rule 1: the folders in id order; a store into them in flight commits first
    await client.query('SELECT id FROM mailboxes WHERE account_id = $1 ORDER BY id FOR NO KEY UPDATE', [accountId]);
    const { rows } = await client.query<{ last: number | null }>(
      'SELECT max(m.id) AS last FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE mb.account_id = $1',
      [accountId],
    );
    return Number(rows[0]?.last ?? 0);
  });
  const file = await writeArchiveFile(ctx.db, ctx.blobs, await archivePath(ctx, account, now), account, lastMessageId, now);
  return transaction(ctx.db, async (client) => {
    const { rows } = await client.query<ArchiveRow>(
      `INSERT INTO account_archives (account_id, path, sha256, messages, message_bytes, file_bytes, last_message_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [accountId, file.path, file.sha256, file.messages, file.messageBytes, file.fileBytes, lastMessageId, actor],
    );
    await appendAudit(client, {
      actor, action: 'account.archive', target: account.address, source: options.source,
      data: { file: file.path, sha256: file.sha256, messages: file.messages, messageBytes: file.messageBytes, fileBytes: file.fileBytes },
    });
    return toArchive(rows[0]!);
  });
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Removal {
  /** messages removed by this call */
  removed: number;
  changes: MailboxChange[];
  /** the holds that stopped the removal; empty when it went ahead */
  holds: LegalHold[];
}

/** UIDs per expunge: each batch is one transaction of the mail store */
const REMOVE_BATCH = 2000;

/**
 * Step 2: removes the messages an archive covers, once its file is where the record says
 * with the recorded SHA-256. Idempotent: what is already gone is simply not found again.
 */
export async function removeArchivedMessages(ctx: ArchiveContext, archive: AccountArchive, actor: string, source?: string): Promise<Removal> {
  const holds = await activeHoldsCovering(ctx.db, archive.accountId);
  if (holds.length) return { removed: 0, changes: [], holds };
  if (!existsSync(archive.path) || (await sha256Of(archive.path)) !== archive.sha256) {
    throw new UserError('archive-damaged', `the archive ${archive.path} is missing or no longer matches its recorded SHA-256 ${archive.sha256}; no message was removed`);
  }
  const account = await subjectById(ctx.db, archive.accountId);
  const { rows } = await ctx.db.query<{ mailbox_id: number; uids: number[] }>(
    `SELECT m.mailbox_id, array_agg(m.uid ORDER BY m.uid) AS uids
       FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id
      WHERE mb.account_id = $1 AND m.id <= $2 GROUP BY m.mailbox_id ORDER BY m.mailbox_id`,
    [archive.accountId, archive.lastMessageId],
  );
  const removal: Removal = { removed: 0, changes: [], holds: [] };
  for (const { mailbox_id, uids } of rows) {
    for (let i = 0; i < uids.length; i += REMOVE_BATCH) {
      const result = await expungeMessages(ctx.db, mailbox_id, uidSetOf(uids.slice(i, i + REMOVE_BATCH).map(Number)), { deletedOnly: false });
      removal.removed += result.uids.length;
      removal.changes.push(...result.changes);
    }
  }
  await transaction(ctx.db, async (client) => {
    await client.query('UPDATE account_archives SET removed_at = now() WHERE id = $1 AND removed_at IS NULL', [archive.id]);
    await appendAudit(client, {
      actor, action: 'account.archive.remove', target: account.address, source,
      data: { archive: archive.id, file: archive.path, removed: removal.removed },
    });
  });
  return removal;
}

/** Session-level advisory lock: one archiver per account across processes. */
const ACCOUNT_ARCHIVE_LOCK = 4_242_025;

async function withArchiveLock<T>(db: Db, accountId: number, fn: () => Promise<T>): Promise<T | undefined> {
  const client = await db.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [ACCOUNT_ARCHIVE_LOCK, accountId % 2_147_483_647]);
    if (!rows[0]?.got) return undefined;
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [ACCOUNT_ARCHIVE_LOCK, accountId % 2_147_483_647]);
    }
  } finally {
    client.release();
  }
}

export interface ArchiveOutcome {
  address: string;
  archive: AccountArchive;
  /** messages removed from the live store by this run */
  removed: number;
  changes: MailboxChange[];
  /** holds that stopped the removal (the archive is written; the removal waits) */
  holds: LegalHold[];
}

/**
 * Both steps for one account, or the rest of them when a run died between the two. The
 * account must be disabled and under no legal hold.
 */
export async function archiveAccount(ctx: ArchiveContext, accountId: number, actor: string, options: { source?: string; now?: Date } = {}): Promise<ArchiveOutcome> {
  const account = await subjectById(ctx.db, accountId);
  if (account.status !== 'disabled') {
    throw new UserError('account-active', `${account.address} is ${account.status}; only a disabled account is archived (hopthu account disable ${account.address} first)`);
  }
  const holds = await activeHoldsCovering(ctx.db, accountId);
  if (holds.length) {
    const list = holds.map((h) => `${h.id} (${h.reason}${h.accountId === null ? `, on agency ${h.subject}` : ''})`).join(', ');
    throw new UserError('account-held', `${account.address} is under legal hold ${list}; it is archived only once every hold over it is lifted`);
  }
  const outcome = await withArchiveLock(ctx.db, accountId, async () => {
    const pending = await pendingArchive(ctx.db, accountId);
    if (!pending) await refuseIfNothingNew(ctx.db, account);
    const archive = pending ?? (await writeAccountArchive(ctx, accountId, actor, options));
    const removal = await removeArchivedMessages(ctx, archive, actor, options.source);
    return { address: account.address, archive: { ...archive, removedAt: removal.holds.length ? null : new Date() }, ...removal };
  });
  if (!outcome) throw new UserError('archive-busy', `${account.address} is being archived by another process right now`);
  return outcome;
}

/** An account archived since it was disabled, with no message stored after that archive, has nothing to archive. */
async function refuseIfNothingNew(db: Queryable, account: Subject): Promise<void> {
  const { rows } = await db.query<ArchiveRow>(
    `SELECT x.* FROM account_archives x WHERE x.account_id = $1 AND x.created_at >= $2
        AND NOT EXISTS (SELECT 1 FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE mb.account_id = $1 AND m.id > x.last_message_id)
      ORDER BY x.created_at DESC LIMIT 1`,
    [account.id, account.disabledAt],
  );
  const done = rows[0];
  if (done) throw new UserError('already-archived', `${account.address} was archived on ${done.created_at.toISOString().slice(0, 10)} to ${done.path}, and no mail has come since`);
}
