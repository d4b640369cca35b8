import type { Queryable } from '../store/db.js';
import type { BlobStore, StoredBlob } from '../store/blob-store.js';
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
  /** the blob's parsed description, stored with its row when the row is new (saves delivery an update) */
  parsed?: ParsedMessage;
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
export async function insertSpool(db: Queryable, req: SpoolRequest): Promise<InsertedSpool> {
  return (await insertSpools(db, [req]))[0]!;
}

export interface InsertedSpool {
  id: number;
  /** the row's received_at (the transaction's time) */
  receivedAt: Date;
  /** the blob row was made now (not counted up): see ensureBlobFile */
  newBlobRow: boolean;
}

/**
 * insertSpool for several messages at once, in one statement: the ids come from the
 * spool's sequence first so each request's recipients join its own row; requests of
 * the same content count the blob up once by their number.
 */
export async function insertSpools(db: Queryable, reqs: readonly SpoolRequest[]): Promise<InsertedSpool[]> {
  const blobs = new Map<string, { size: number; count: number; parsed: string | null }>();
  for (const r of reqs) {
    const seen = blobs.get(r.blob.hash);
    blobs.set(r.blob.hash, { size: r.blob.size, count: (seen?.count ?? 0) + 1, parsed: seen?.parsed ?? (r.parsed ? JSON.stringify(r.parsed) : null) });
  }
  const rcpts = reqs.flatMap((req, i) => uniqueRecipients(req.recipients).map((r) => ({ ord: i + 1, ...r })));
  const column = <T>(pick: (r: SpoolRequest) => T) => reqs.map(pick);
  const { rows } = await db.query<{ ord: number; id: number; inserted: boolean; received_at: Date }>(
    `WITH blob AS (
       INSERT INTO blobs (hash, size, refcount, parsed)
       SELECT hash, size, refcount, parsed::jsonb FROM unnest($1::text[], $2::bigint[], $3::int[], $19::text[]) AS b(hash, size, refcount, parsed)
       ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + EXCLUDED.refcount
       RETURNING hash, (xmax = 0) AS inserted, parsed IS NOT NULL AS described
     ), backlogged AS (
       -- a new row with its description waits for its search text like any described blob (mail/parsed.ts)
       INSERT INTO search_backlog (hash) SELECT hash FROM blob WHERE inserted AND described ON CONFLICT DO NOTHING
     ), ids AS (
       SELECT ord, nextval(pg_get_serial_sequence('spool', 'id')) AS id FROM generate_series(1, cardinality($4::text[])) AS ord
     ), row AS (
       INSERT INTO spool (id, blob_hash, size, mail_from, source, account_id, client_ip, helo, envelope_id, dsn_ret, expires_at, session_id)
       OVERRIDING SYSTEM VALUE
       SELECT ids.id, r.blob_hash, r.size, r.mail_from, r.source, r.account_id, r.client_ip, r.helo, r.envelope_id, r.dsn_ret, r.expires_at, r.session_id
         FROM unnest($4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::text[])
              WITH ORDINALITY AS r(blob_hash, size, mail_from, source, account_id, client_ip, helo, envelope_id, dsn_ret, expires_at, session_id, ord)
         JOIN ids USING (ord)
     ), rcpts AS (
       INSERT INTO spool_recipients (spool_id, recipient, route, notify)
       SELECT ids.id, x.address, x.route, x.notify
         FROM unnest($15::int[], $16::text[], $17::text[], $18::text[]) AS x(ord, address, route, notify) JOIN ids USING (ord)
     )
     SELECT ids.ord, ids.id, blob.inserted, now() AS received_at
       FROM ids JOIN unnest($4::text[]) WITH ORDINALITY AS h(hash, ord) USING (ord) JOIN blob ON blob.hash = h.hash`,
    [
      [...blobs.keys()], [...blobs.values()].map((b) => b.size), [...blobs.values()].map((b) => b.count),
      column((r) => r.blob.hash), column((r) => r.blob.size), column((r) => r.mailFrom), column((r) => r.source), column((r) => r.accountId ?? null),
      column((r) => r.clientIp ?? null), column((r) => r.helo ?? null), column((r) => r.envelopeId ?? null), column((r) => r.dsnRet ?? null),
      column((r) => r.expiresAt), column((r) => r.sessionId ?? null),
      rcpts.map((r) => r.ord), rcpts.map((r) => r.address), rcpts.map((r) => r.route), rcpts.map((r) => r.notify ?? null),
      [...blobs.values()].map((b) => b.parsed),
    ],
  );
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  return reqs.map((_, i) => {
    const row = byOrd.get(i + 1)!;
    return { id: Number(row.id), receivedAt: row.received_at, newBlobRow: row.inserted };
  });
}

function uniqueRecipients(recipients: readonly SpoolRecipientInput[]): SpoolRecipientInput[] {
  const seen = new Set<string>();
  return recipients.filter((r) => {
    const key = `${r.route}\0${r.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A new blob row means the collector may just have removed an identical old blob's
 * file (see blob-refs.ts): the content is written again when it is missing.
 */
export async function ensureBlobFile(blobs: BlobStore, hash: string, newBlobRow: boolean, rewrite: () => Promise<StoredBlob>): Promise<void> {
  if (newBlobRow && !(await blobs.has(hash))) await rewrite();
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

/** Rows with their recipients and their blob's parsed description, in one query: the worker's first read of the jobs that start together. */
export async function loadSpools(db: Queryable, ids: readonly number[]): Promise<Map<number, LoadedSpool>> {
  const { rows } = await db.query<SpoolDbRow & { parsed: ParsedMessage | null; recipients: Array<Omit<RecipientDbRow, 'next_attempt_at'> & { next_attempt_at: string }> }>(
    `SELECT s.*, b.parsed, COALESCE((SELECT json_agg(r ORDER BY r.recipient) FROM spool_recipients r WHERE r.spool_id = s.id), '[]') AS recipients
       FROM spool s LEFT JOIN blobs b ON b.hash = s.blob_hash WHERE s.id = ANY ($1::bigint[])`,
    [[...new Set(ids)]],
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        spool: toSpoolRow(r),
        recipients: r.recipients.map((x) => toRecipient({ ...x, next_attempt_at: new Date(x.next_attempt_at) })),
        parsed: r.parsed,
      },
    ]),
  );
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
  await recordOutcomes(db, [{ recipient: r, outcome: o, ...(nextAttemptAt ? { nextAttemptAt } : {}) }]);
}

/** The outcomes of several attempts in one statement (the rows are the caller's, locked). */
export async function recordOutcomes(
  db: Queryable,
  list: ReadonlyArray<{ recipient: Pick<SpoolRecipient, 'spoolId' | 'recipient' | 'route'>; outcome: RecipientOutcome; nextAttemptAt?: Date }>,
): Promise<void> {
  if (list.length === 0) return;
  const col = <T>(pick: (x: (typeof list)[number]) => T) => list.map(pick);
  await db.query(
    `UPDATE spool_recipients r SET
       status = CASE WHEN o.status = 'deferred' THEN 'pending' ELSE o.status END,
       attempts = r.attempts + 1, last_code = o.code, last_error = o.message, remote_mta = COALESCE(o.mta, r.remote_mta),
       next_attempt_at = COALESCE(o.next, r.next_attempt_at), updated_at = now()
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
            AS o(spool_id, recipient, route, status, code, message, mta, next)
      WHERE r.spool_id = o.spool_id AND r.recipient = o.recipient AND r.route = o.route`,
    [
      col((x) => x.recipient.spoolId), col((x) => x.recipient.recipient), col((x) => x.recipient.route), col((x) => x.outcome.status),
      col((x) => x.outcome.code), col((x) => x.outcome.message.slice(0, 1000)), col((x) => x.outcome.remoteMta ?? null), col((x) => x.nextAttemptAt ?? null),
    ],
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
 * In one statement, for each row by spool id: marks the failed recipients not yet reported as
 * reported (returning them, for the caller's DSN in the same transaction) and closes the row
 * when no recipient is pending. `closed` true means the caller releases the row's blob reference.
 */
export async function reportAndCloseMany(db: Queryable, spoolIds: readonly number[]): Promise<Map<number, { failed: UnreportedFailure[]; closed: boolean }>> {
  const { rows } = await db.query<{ failed: Array<UnreportedFailure & { spoolId: number }> | null; closed: number[] | null }>(
    `WITH failed AS (
       UPDATE spool_recipients SET reported = true
        WHERE spool_id = ANY ($1::bigint[]) AND status = 'failed' AND NOT reported
        RETURNING spool_id AS "spoolId", recipient, route, last_code AS "lastCode", last_error AS "lastError", remote_mta AS "remoteMta", notify
     ), closed AS (
       UPDATE spool s SET done_at = now() WHERE s.id = ANY ($1::bigint[]) AND s.done_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM spool_recipients WHERE spool_id = s.id AND status = 'pending')
       RETURNING s.id
     )
     SELECT (SELECT json_agg(failed) FROM failed) AS failed, (SELECT array_agg(id) FROM closed) AS closed`,
    [spoolIds],
  );
  const closed = new Set((rows[0]?.closed ?? []).map(Number));
  const out = new Map(spoolIds.map((id) => [id, { failed: [] as UnreportedFailure[], closed: closed.has(id) }]));
  for (const { spoolId, ...f } of rows[0]?.failed ?? []) out.get(Number(spoolId))?.failed.push(f);
  return out;
}

/** The earliest time a pending recipient is due, or undefined when none is pending. */
export async function nextDue(db: Queryable, spoolId: number): Promise<Date | undefined> {
  const { rows } = await db.query<{ due: Date | null }>(
    `SELECT min(next_attempt_at) AS due FROM spool_recipients WHERE spool_id = $1 AND status = 'pending'`,
    [spoolId],
  );
  return rows[0]?.due ?? undefined;
}
