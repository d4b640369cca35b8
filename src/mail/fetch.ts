import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Envelope, ParsedMessage } from './mime/index.js';
import { sortFlags } from './flags.js';
import { ensureParsed } from './parsed.js';
import { rangeArrays, type UidSet } from './uid-set.js';
import { callMailFunction } from './tx.js';

export interface FetchedMessage {
  uid: number;
  flags: string[];
  internalDate: Date;
  size: number;
  modseq: number;
  blobHash: string;
  /** the MIME description (ENVELOPE, BODYSTRUCTURE, section offsets); with `parsed: true` */
  parsed?: ParsedMessage;
  /** the top-level ENVELOPE fields; with `parsed: true`, or `envelope: true` when `imapEnvelope` is absent */
  envelope?: Envelope;
  /** the ENVELOPE as IMAP FETCH sends it, when one was kept for the blob (storeImapEnvelopes); with `parsed` or `envelope` */
  imapEnvelope?: Buffer;
}

export interface FetchOptions {
  /** include the blob's parsed description */
  parsed?: boolean;
  /** include the envelope only: as IMAP sends it when kept, else the envelope of the description (a fraction of it; FETCH ENVELOPE of a big folder) */
  envelope?: boolean;
  /** the blob store, to parse blobs stored before they were described (lazily, once) */
  blobs?: BlobStore;
  /** RFC 7162 §3.1.4.1 CHANGEDSINCE: only messages whose MODSEQ is greater */
  changedSince?: number;
}

interface Row {
  uid: number;
  flags: string[];
  internal_date: Date;
  size: number;
  modseq: number;
  blob_hash: string;
  parsed?: ParsedMessage | null;
  envelope?: Envelope | null;
  imap_envelope?: Buffer | null;
}

/** The stored facts FETCH needs for the messages in `uids`, ascending by UID. */
export async function fetchMessages(db: Queryable, mailboxId: number, uids: UidSet, options: FetchOptions = {}): Promise<FetchedMessage[]> {
  const { lo, hi } = rangeArrays(uids);
  // the description is read only where it is needed: a kept ENVELOPE spares decompressing it
  const description = options.parsed ? 'parsed' : options.envelope ? 'envelope' : 'none';
  const rows = await callMailFunction<Row>(db, 'SELECT * FROM mail_fetch($1, $2, $3, $4, $5)', [mailboxId, lo, hi, options.changedSince ?? null, description]);
  const out: FetchedMessage[] = [];
  for (const r of rows) {
    const message: FetchedMessage = {
      uid: r.uid,
      flags: sortFlags(r.flags),
      internalDate: r.internal_date,
      size: r.size,
      modseq: r.modseq,
      blobHash: r.blob_hash,
    };
    if (r.imap_envelope) message.imapEnvelope = r.imap_envelope;
    if (options.parsed || (options.envelope && !r.imap_envelope)) await addDescription(db, message, r, options);
    out.push(message);
  }
  return out;
}

/** sets `parsed` and/or `envelope`, parsing a blob stored before it was described */
async function addDescription(db: Queryable, message: FetchedMessage, r: Row, options: FetchOptions): Promise<void> {
  let parsed = r.parsed ?? undefined;
  let envelope = r.envelope ?? parsed?.root.envelope;
  if (!envelope && options.blobs) {
    parsed = (await ensureParsed(db, options.blobs, r.blob_hash)).parsed;
    envelope = parsed.root.envelope;
  }
  if (parsed && options.parsed) message.parsed = parsed;
  if (envelope) message.envelope = envelope;
}

/**
 * Keeps the ENVELOPEs an IMAP session rendered (`imapEnvelope` of later fetches), where
 * none is kept yet. Rows another transaction holds are skipped (a later FETCH keeps
 * theirs), so this never waits on delivery or on another session doing the same.
 */
export async function storeImapEnvelopes(db: Queryable, rendered: ReadonlyMap<string, Buffer>): Promise<void> {
  if (rendered.size === 0) return;
  await db.query(
    `WITH e AS (SELECT * FROM unnest($1::text[], $2::bytea[]) e(hash, bytes)),
          locked AS (SELECT b.hash FROM blobs b JOIN e ON e.hash = b.hash WHERE b.imap_envelope IS NULL ORDER BY b.hash FOR NO KEY UPDATE OF b SKIP LOCKED)
     UPDATE blobs b SET imap_envelope = e.bytes FROM e, locked WHERE b.hash = locked.hash AND e.hash = locked.hash`,
    [[...rendered.keys()], [...rendered.values()]],
  );
}
