import type { Db, Queryable } from '../store/db.js';
import type { PoolClient } from 'pg';
import type { BlobStore } from '../store/blob-store.js';
import { heldBlobsWritten, heldParameters, insertHeldContents } from '../store/inline-blob-store.js';
import { canonicalFlags, KEYWORD_LIMITS, sortFlags } from './flags.js';
import { describedSearchFields, summaryOfSearch } from './parsed.js';
import { parseMessage, type ParsedMessage, type SearchFields } from './mime/index.js';
import { assertWithinQuota, hasQuota, type QuotaLimits } from './quota.js';
import { callMailFunction, mailTransaction, retryingConflicts } from './tx.js';
import { BlobVanishedError } from '../store/blob-refs.js';
import { MAX_FLAGS_IN_CHANGE, type MailboxChange } from './notify.js';
import { UserError } from '../shared/errors.js';
import { storedFolderName } from './mailbox-names.js';

/** up to this size, an appended message is parsed without first asking whether its blob has a description */
const PARSE_WITHOUT_ASKING_BYTES = 256 * 1024;

export interface ClientMessage {
  /** the message written to the blob store (BlobStore.put), or held for this append (`bytes`) */
  blobHash: string;
  size: number;
  /** a small blob held, not yet written (store/inline-blob-store.ts `hold`): written by the append's own statement */
  bytes?: Buffer;
  flags?: readonly string[];
  /** RFC 9051 §6.3.12: the date-time the client gave; now when it gave none */
  internalDate?: Date;
}

/**
 * The folder the messages go to: by id, or an account's own folder by name (INBOX in any
 * case), looked up by the append's own statement, so the append reads nothing first. A
 * name with no folder is a 'no-such-mailbox' refusal, and nothing is written.
 */
export type AppendTarget = { mailboxId: number } | { accountId: number; name: string };

export interface AppendResult {
  mailboxId: number;
  /** RFC 4315 §3 APPENDUID: the folder's UIDVALIDITY and the new UIDs, in the order given */
  uidValidity: number;
  uids: number[];
  changes: MailboxChange[];
}

/**
 * APPEND (RFC 9051 §6.3.12), and MULTIAPPEND (RFC 3502): all the messages or none. Blobs
 * not yet described are read and parsed before the transaction, so no lock waits on parsing.
 * Throws QuotaExceededError (NO [OVERQUOTA], RFC 9208 §4.3), 'bad-flag', 'noselect',
 * and BlobVanishedError when a blob was collected meanwhile (store it again and retry).
 */
export async function appendFromClient(
  db: Db,
  blobs: BlobStore,
  input: AppendTarget & {
    quota: QuotaLimits | null;
    messages: readonly ClientMessage[];
    /** more work that must commit with the append or not at all (an import's progress) */
    alsoInTransaction?: (client: PoolClient) => Promise<void>;
  },
): Promise<AppendResult> {
  if (input.messages.length === 0) throw new UserError('bad-append', 'nothing to append');
  // a small message is parsed at once (cheaper than asking whether it was before: it
  // rarely was); a large one only when the store has no description of it yet
  const large = input.messages.filter((m) => m.size > PARSE_WITHOUT_ASKING_BYTES).map((m) => m.blobHash);
  const known: Map<string, SearchFields> = large.length ? await describedSearchFields(db, large) : new Map();
  const described = new Map<string, ParsedMessage>();
  for (const m of input.messages) {
    if (known.has(m.blobHash) || described.has(m.blobHash)) continue;
    const parsed = parseMessage(m.bytes ?? (await blobs.read(m.blobHash)));
    described.set(m.blobHash, parsed);
    known.set(m.blobHash, parsed.search);
  }
  const bytes = input.messages.reduce((n, m) => n + m.size, 0);
  // valid flags, one spelling of each keyword across the command; the folder's spelling
  // of the keywords it knows is settled in the call
  const keywords: string[] = [];
  const flags = input.messages.map((m) => {
    const c = canonicalFlags(m.flags ?? [], keywords);
    keywords.push(...c.added);
    return c.flags;
  });
  const refs = new Map<string, { hash: string; size: number; count: number; parsed: ParsedMessage | null }>();
  const held = new Map<string, Buffer>();
  for (const m of input.messages) {
    if (m.bytes) held.set(m.blobHash, m.bytes);
    const ref = refs.get(m.blobHash);
    if (ref) ref.count++;
    else refs.set(m.blobHash, { hash: m.blobHash, size: m.size, count: 1, parsed: described.get(m.blobHash) ?? null });
  }
  const sorted = [...refs.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const summaries = input.messages.map((m) => summaryOfSearch(known.get(m.blobHash)!));
  const limits = hasQuota(input.quota) ? input.quota : null;
  const byName = 'name' in input;
  const params = [
    byName ? input.accountId : input.mailboxId,
    limits?.quotaBytes ?? null,
    limits?.quotaMessages ?? null,
    flags.map((f) => f.join(' ')),
    input.messages.map((m) => m.internalDate ?? new Date()),
    input.messages.map((m) => m.size),
    input.messages.map((m) => m.blobHash),
    summaries.map((s) => s.subject),
    summaries.map((s) => s.from),
    summaries.map((s) => s.to),
    summaries.map((s) => s.date),
    summaries.map((s) => s.messageId),
    sorted.map((r) => r.hash),
    sorted.map((r) => r.size),
    sorted.map((r) => r.count),
    sorted.map((r) => (r.parsed ? JSON.stringify(r.parsed) : null)),
    KEYWORD_LIMITS.maxPerMailbox,
    ...(held.size ? heldParameters(held) : []),
    ...(byName ? [storedFolderName(input.name)] : []),
  ];
  // held bytes are written by the same statement, so one commit makes them and the messages durable
  const sql = APPEND_SQL[`${byName ? 'name' : 'id'}${held.size ? '+held' : ''}` as const];
  // one call of mail_append (migration 027): the folder stays locked only while PostgreSQL
  // runs it. An import commits its progress with the messages, so it calls it in its transaction.
  const append = async (q: Queryable): Promise<AppendResult> => {
    let row: AppendedRow;
    try {
      row = (await callMailFunction<AppendedRow>(q, sql, params))[0]!;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'HM004' || !limits) throw err;
      // RFC 9208 §4.3 OVERQUOTA: the function gave the usage it found, quota.ts the sentence
      const [used, messages] = String((err as Error).message).split(' ').map(Number);
      assertWithinQuota({ bytes: used!, messages: messages! }, limits, bytes, input.messages.length);
      throw err;
    }
    const uids = input.messages.map((_, i) => row.first + i);
    // store/blob-refs.ts: a blob row made anew must find its content (the collector may have
    // just removed it), unless this statement wrote it; if not, the messages go again and the caller stores the blob anew
    const written = new Set(row.stored ?? []);
    for (const hash of row.fresh ?? []) {
      if (written.has(hash) || (await blobs.has(hash))) continue;
      await callMailFunction(q, 'SELECT * FROM mail_expunge($1, $2, $3, false)', [row.mailbox_id, uids, uids]);
      throw new BlobVanishedError(hash);
    }
    const stored = row.flags.map((f) => sortFlags(f ? f.split(' ') : []));
    const change: MailboxChange = { type: 'exists', mailboxId: row.mailbox_id, uid: uids[uids.length - 1]!, modseq: row.modseq };
    // the new messages' flags ride along, so selected sessions need not read them (notify.ts)
    if (uids.length <= MAX_FLAGS_IN_CHANGE) Object.assign(change, { uids, flags: stored });
    return { mailboxId: row.mailbox_id, uidValidity: row.uidvalidity, uids, changes: [change] };
  };
  const also = input.alsoInTransaction;
  const result = also
    ? await mailTransaction(db, async (client) => {
        const appended = await append(client);
        await also(client);
        return appended;
      })
    : await retryingConflicts(() => append(db));
  // the held bytes are written now: remembered, as delivery's are, for the devices that fetch the message next
  heldBlobsWritten(blobs, held);
  return result;
}

/**
 * One call of mail_append, lateral to the folder's id: $1 is the id, or the account's id
 * with the folder's name last ($18, or $21 after held bytes). A name with no folder gives
 * the function a null id, which it refuses (HM001), so the held bytes' insert is undone too.
 * With held bytes, the CTE before the call writes them ($18 hashes, $19 bytes, $20 lengths).
 */
function appendSql(byName: boolean, held: boolean): string {
  const args = Array.from({ length: 16 }, (_, i) => `$${i + 2}`).join(', ');
  const folder = byName ? `(SELECT id FROM mailboxes WHERE account_id = $1 AND name = ${held ? '$21' : '$18'}::text)` : '$1::bigint';
  const call = `SELECT a.*, m.id AS mailbox_id${held ? ', ARRAY(SELECT hash FROM held_contents) AS stored' : ''}
  FROM (SELECT ${folder} AS id) m CROSS JOIN LATERAL mail_append(m.id, ${args}) a`;
  return held ? `WITH ${insertHeldContents('$18', '$19', '$20')}\n${call}` : call;
}
const APPEND_SQL: Record<'id' | 'id+held' | 'name' | 'name+held', string> = {
  id: appendSql(false, false),
  'id+held': appendSql(false, true),
  name: appendSql(true, false),
  'name+held': appendSql(true, true),
};

interface AppendedRow {
  mailbox_id: number;
  uidvalidity: number;
  first: number;
  modseq: number;
  /** each message's flags as stored, joined by spaces */
  flags: string[];
  fresh: string[] | null;
  /** APPEND_HELD_SQL: the held blobs whose bytes this statement wrote */
  stored?: string[];
}
