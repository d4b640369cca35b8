import type { Db, Queryable } from '../store/db.js';
import type { BlobStore, StoredBlob } from '../store/blob-store.js';
import type { DeliveryQueue } from './queue.js';
import type { Logger } from '../shared/logger.js';
import type { ParsedMessage } from '../mail/mime/index.js';

export type SpoolSource = 'mx' | 'submission' | 'bounce' | 'local';
export type RecipientRoute = 'local' | 'remote' | 'sent-copy';

export interface SpoolRecipientInput {
  address: string;
  route: RecipientRoute;
  /** RFC 3461 NOTIFY, e.g. 'FAILURE' or 'NEVER'; null is the default (failures) */
  notify?: string | null;
}

export interface SpoolRequest {
  blob: StoredBlob;
  /** '' for the null reverse-path */
  mailFrom: string;
  source: SpoolSource;
  accountId?: number | null;
  clientIp?: string | null;
  helo?: string | null;
  envelopeId?: string | null;
  dsnRet?: string | null;
  /** the SMTP (or webmail) session that handed it in, for the logs and hopthu trace */
  sessionId?: string | null;
  recipients: SpoolRecipientInput[];
  expiresAt: Date;
}

export interface SpoolRow {
  id: number;
  blobHash: string;
  size: number;
  mailFrom: string;
  source: SpoolSource;
  accountId: number | null;
  clientIp: string | null;
  helo: string | null;
  envelopeId: string | null;
  dsnRet: string | null;
  receivedAt: Date;
  expiresAt: Date;
  doneAt: Date | null;
  sessionId: string | null;
}

export interface SpoolRecipient {
  spoolId: number;
  recipient: string;
  route: RecipientRoute;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastCode: string | null;
  lastError: string | null;
  remoteMta: string | null;
  notify: string | null;
}

/**
 * Writes the blob reference, the spool row and its recipients in one statement (so
 * one transaction and one commit). When this returns, the message is the server's
 * responsibility: SMTP may answer 250.
 */
export async function insertSpool(db: Queryable, req: SpoolRequest): Promise<{ id: number; newBlobRow: boolean }> {
  const seen = new Set<string>();
  const unique = req.recipients.filter((r) => {
    const key = `${r.route}\0${r.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const { rows } = await db.query<{ id: number; inserted: boolean }>(
    `WITH blob AS (
       INSERT INTO blobs (hash, size, refcount) VALUES ($1, $2, 1)
       ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + 1
       RETURNING (xmax = 0) AS inserted
     ), row AS (
       INSERT INTO spool (blob_hash, size, mail_from, source, account_id, client_ip, helo, envelope_id, dsn_ret, expires_at, session_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $14 FROM blob
       RETURNING id
     ), rcpts AS (
       INSERT INTO spool_recipients (spool_id, recipient, route, notify)
       SELECT row.id, r.address, r.route, r.notify FROM row, unnest($11::text[], $12::text[], $13::text[]) AS r(address, route, notify)
     )
     SELECT row.id, blob.inserted FROM row, blob`,
    [
      req.blob.hash, req.blob.size, req.mailFrom, req.source, req.accountId ?? null, req.clientIp ?? null, req.helo ?? null,
      req.envelopeId ?? null, req.dsnRet ?? null, req.expiresAt,
      unique.map((r) => r.address), unique.map((r) => r.route), unique.map((r) => r.notify ?? null), req.sessionId ?? null,
    ],
  );
  const row = rows[0]!;
  return { id: row.id, newBlobRow: row.inserted };
}

/**
 * A new blob row means the collector may just have removed an identical old blob's
 * file (see blob-refs.ts): the content is written again when it is missing.
 */
export async function ensureBlobFile(blobs: BlobStore, hash: string, newBlobRow: boolean, rewrite: () => Promise<StoredBlob>): Promise<void> {
  if (newBlobRow && !(await blobs.has(hash))) await rewrite();
}

/**
 * Accepts a message whose blob is already durable: commits the spool row, then asks
 * the queue for a job. A queue that is down does not fail the acceptance; the
 * reconciler finds the row.
 */
export async function acceptMessage(
  deps: { db: Db; blobs: BlobStore; queue: DeliveryQueue; log: Logger },
  req: SpoolRequest,
  rewriteBlob: () => Promise<StoredBlob>,
): Promise<number> {
  const { id, newBlobRow } = await insertSpool(deps.db, req);
  await ensureBlobFile(deps.blobs, req.blob.hash, newBlobRow, rewriteBlob);
  await deps.queue.add(id).catch((err: Error) => deps.log.warn({ err: err.message, spoolId: id }, 'queue unavailable; the reconciler will pick the message up'));
  return id;
}

interface SpoolDbRow {
  id: number; blob_hash: string; size: number; mail_from: string; source: SpoolSource; account_id: number | null;
  client_ip: string | null; helo: string | null; envelope_id: string | null; dsn_ret: string | null; session_id: string | null;
  received_at: Date; expires_at: Date; done_at: Date | null;
}

export interface LoadedSpool {
  spool: SpoolRow;
  recipients: SpoolRecipient[];
  /** the blob's parsed description, when one is stored (mail/parsed.ts) */
  parsed: ParsedMessage | null;
}

/** The row, its recipients and its blob's parsed description in one query: the worker's first read of every job. */
export async function loadSpoolWithRecipients(db: Queryable, id: number): Promise<LoadedSpool | undefined> {
  const { rows } = await db.query<SpoolDbRow & { parsed: ParsedMessage | null; recipients: Array<Omit<RecipientDbRow, 'next_attempt_at'> & { next_attempt_at: string }> }>(
    `SELECT s.*, b.parsed, COALESCE((SELECT json_agg(r ORDER BY r.recipient) FROM spool_recipients r WHERE r.spool_id = s.id), '[]') AS recipients
       FROM spool s LEFT JOIN blobs b ON b.hash = s.blob_hash WHERE s.id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    spool: toSpoolRow(r),
    recipients: r.recipients.map((x) => toRecipient({ ...x, next_attempt_at: new Date(x.next_attempt_at) })),
    parsed: r.parsed,
  };
}

function toSpoolRow(r: SpoolDbRow): SpoolRow {
  return {
    id: r.id, blobHash: r.blob_hash, size: r.size, mailFrom: r.mail_from, source: r.source, accountId: r.account_id,
    clientIp: r.client_ip, helo: r.helo, envelopeId: r.envelope_id, dsnRet: r.dsn_ret, receivedAt: r.received_at,
    expiresAt: r.expires_at, doneAt: r.done_at, sessionId: r.session_id,
  };
}

interface RecipientDbRow {
  spool_id: number; recipient: string; route: RecipientRoute; status: SpoolRecipient['status']; attempts: number;
  next_attempt_at: Date; last_code: string | null; last_error: string | null; remote_mta: string | null; notify: string | null;
}

const toRecipient = (r: RecipientDbRow): SpoolRecipient => ({
  spoolId: r.spool_id, recipient: r.recipient, route: r.route, status: r.status, attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at, lastCode: r.last_code, lastError: r.last_error, remoteMta: r.remote_mta, notify: r.notify,
});

export async function loadRecipients(db: Queryable, spoolId: number): Promise<SpoolRecipient[]> {
  const { rows } = await db.query<RecipientDbRow>('SELECT * FROM spool_recipients WHERE spool_id = $1 ORDER BY recipient', [spoolId]);
  return rows.map(toRecipient);
}

/** Locks one pending recipient row for this transaction; undefined when it is no longer pending or another worker holds it. */
export async function lockPendingRecipient(db: Queryable, spoolId: number, recipient: string, route: RecipientRoute): Promise<SpoolRecipient | undefined> {
  const { rows } = await db.query<RecipientDbRow>(
    `SELECT * FROM spool_recipients WHERE spool_id = $1 AND recipient = $2 AND route = $3 AND status = 'pending'
     FOR UPDATE SKIP LOCKED`,
    [spoolId, recipient, route],
  );
  return rows[0] ? toRecipient(rows[0]) : undefined;
}

export interface RecipientOutcome {
  status: 'delivered' | 'failed' | 'deferred';
  /** enhanced status code, e.g. '2.0.0', '4.2.2', '5.1.1' */
  code: string;
  message: string;
  remoteMta?: string;
}

export async function recordOutcome(db: Queryable, r: Pick<SpoolRecipient, 'spoolId' | 'recipient' | 'route'>, o: RecipientOutcome, nextAttemptAt?: Date): Promise<void> {
  await db.query(
    `UPDATE spool_recipients SET
       status = CASE WHEN $4 = 'deferred' THEN 'pending' ELSE $4 END,
       attempts = attempts + 1, last_code = $5, last_error = $6, remote_mta = COALESCE($7, remote_mta),
       next_attempt_at = COALESCE($8, next_attempt_at), updated_at = now()
     WHERE spool_id = $1 AND recipient = $2 AND route = $3`,
    [r.spoolId, r.recipient, r.route, o.status, o.code, o.message.slice(0, 1000), o.remoteMta ?? null, nextAttemptAt ?? null],
  );
}

/** Adds a recipient to a spool row that is already accepted (an alias forwarding elsewhere). */
export async function addRecipient(db: Queryable, spoolId: number, r: SpoolRecipientInput): Promise<void> {
  await db.query(
    `INSERT INTO spool_recipients (spool_id, recipient, route, notify) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [spoolId, r.address, r.route, r.notify ?? null],
  );
}

/** A recipient that failed and has not been reported to the sender yet. */
export interface UnreportedFailure {
  recipient: string;
  route: RecipientRoute;
  lastCode: string | null;
  lastError: string | null;
  remoteMta: string | null;
  notify: string | null;
}

/**
 * In one statement: marks the failed recipients not yet reported as reported (returning
 * them, for the caller's DSN in the same transaction) and closes the row when no
 * recipient is pending. `closed` true means the caller releases the row's blob reference.
 */
export async function reportAndClose(db: Queryable, spoolId: number): Promise<{ failed: UnreportedFailure[]; closed: boolean }> {
  const { rows } = await db.query<{ failed: UnreportedFailure[] | null; closed: boolean }>(
    `WITH failed AS (
       UPDATE spool_recipients SET reported = true
        WHERE spool_id = $1 AND status = 'failed' AND NOT reported
        RETURNING recipient, route, last_code AS "lastCode", last_error AS "lastError", remote_mta AS "remoteMta", notify
     ), closed AS (
       UPDATE spool SET done_at = now() WHERE id = $1 AND done_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM spool_recipients WHERE spool_id = $1 AND status = 'pending')
       RETURNING id
     )
     SELECT (SELECT json_agg(failed) FROM failed) AS failed, EXISTS (SELECT 1 FROM closed) AS closed`,
    [spoolId],
  );
  return { failed: rows[0]?.failed ?? [], closed: rows[0]?.closed ?? false };
}

/** The earliest time a pending recipient is due, or undefined when none is pending. */
export async function nextDue(db: Queryable, spoolId: number): Promise<Date | undefined> {
  const { rows } = await db.query<{ due: Date | null }>(
    `SELECT min(next_attempt_at) AS due FROM spool_recipients WHERE spool_id = $1 AND status = 'pending'`,
    [spoolId],
  );
  return rows[0]?.due ?? undefined;
}
