import type { Queryable } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Envelope, ParsedMessage } from './mime/index.js';
import { sortFlags } from './flags.js';
import { ensureParsed } from './parsed.js';
import { rangeArrays, type UidSet } from './uid-set.js';

export interface FetchedMessage {
  uid: number;
  flags: string[];
  internalDate: Date;
  size: number;
  modseq: number;
  blobHash: string;
  /** the MIME description (ENVELOPE, BODYSTRUCTURE, section offsets); with `parsed: true` */
  parsed?: ParsedMessage;
  /** the top-level ENVELOPE fields; with `parsed: true` or `envelope: true` */
  envelope?: Envelope;
}

export interface FetchOptions {
  /** include the blob's parsed description */
  parsed?: boolean;
  /** include only the envelope of that description (a fraction of it; FETCH ENVELOPE of a big folder) */
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
}

/** The stored facts FETCH needs for the messages in `uids`, ascending by UID. */
export async function fetchMessages(db: Queryable, mailboxId: number, uids: UidSet, options: FetchOptions = {}): Promise<FetchedMessage[]> {
  const { lo, hi } = rangeArrays(uids);
  const description = options.parsed ? ', b.parsed' : options.envelope ? ", b.parsed->'root'->'envelope' AS envelope" : '';
  const { rows } = await db.query<Row>(
    `SELECT m.uid, m.flags, m.internal_date, m.size, m.modseq, m.blob_hash ${description}
       FROM unnest($2::bigint[], $3::bigint[]) r(lo, hi)
       JOIN messages m ON m.mailbox_id = $1 AND m.uid BETWEEN r.lo AND r.hi
       ${description ? 'JOIN blobs b ON b.hash = m.blob_hash' : ''}
      WHERE $4::bigint IS NULL OR m.modseq > $4
      ORDER BY m.uid`,
    [mailboxId, lo, hi, options.changedSince ?? null],
  );
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
    if (options.parsed || options.envelope) await addDescription(db, message, r, options);
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
