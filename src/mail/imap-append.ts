import type { Db } from '../store/db.js';
import type { PoolClient } from 'pg';
import type { BlobStore } from '../store/blob-store.js';
import { appendMessages } from './append.js';
import { canonicalFlags, sortFlags } from './flags.js';
import { describedSearchFields, summaryOfSearch } from './parsed.js';
import { parseMessage, type ParsedMessage, type SearchFields } from './mime/index.js';
import { assertWithinQuota, hasQuota, type QuotaLimits } from './quota.js';
import { lockMailboxes, lockMailboxWithUsage, lockedOne, mailTransaction, type LockedMailbox } from './tx.js';
import { BlobVanishedError } from '../store/blob-refs.js';
import { MAX_FLAGS_IN_CHANGE, type MailboxChange } from './notify.js';
import { UserError } from '../shared/errors.js';

/** up to this size, an appended message is parsed without first asking whether its blob has a description */
const PARSE_WITHOUT_ASKING_BYTES = 256 * 1024;

export interface ClientMessage {
  /** the message already written to the blob store (BlobStore.put) */
  blobHash: string;
  size: number;
  flags?: readonly string[];
  /** RFC 9051 §6.3.12: the date-time the client gave; now when it gave none */
  internalDate?: Date;
}

export interface AppendResult {
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
  input: {
    mailboxId: number;
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
    const parsed = parseMessage(await blobs.read(m.blobHash));
    described.set(m.blobHash, parsed);
    known.set(m.blobHash, parsed.search);
  }
  return mailTransaction(db, async (client) => {
    const bytes = input.messages.reduce((n, m) => n + m.size, 0);
    let mailbox: LockedMailbox;
    if (hasQuota(input.quota)) {
      const locked = await lockMailboxWithUsage(client, input.mailboxId);
      assertWithinQuota(locked.usage, input.quota, bytes, input.messages.length);
      mailbox = locked;
    } else {
      mailbox = lockedOne(await lockMailboxes(client, [input.mailboxId]), input.mailboxId);
    }
    const keywords = [...mailbox.keywords];
    const flags = input.messages.map((m) => {
      const c = canonicalFlags(m.flags ?? [], keywords);
      keywords.push(...c.added);
      return c.flags;
    });
    const refs = new Map<string, { hash: string; size: number; count: number; parsed: ParsedMessage | null }>();
    for (const m of input.messages) {
      const ref = refs.get(m.blobHash);
      if (ref) ref.count++;
      else refs.set(m.blobHash, { hash: m.blobHash, size: m.size, count: 1, parsed: described.get(m.blobHash) ?? null });
    }
    const newKeywords = keywords.length > mailbox.keywords.length ? keywords : undefined;
    // the rows, their blob references (with the descriptions made above) and the folder's
    // new keywords: one statement while the folder is locked
    const { uids, modseq, freshBlobs } = await appendMessages(
      client,
      mailbox.id,
      input.messages.map((m, i) => ({
        blobHash: m.blobHash,
        size: m.size,
        flags: flags[i]!,
        internalDate: m.internalDate ?? new Date(),
        summary: summaryOfSearch(known.get(m.blobHash)!),
      })),
      { blobRefs: [...refs.values()], ...(newKeywords ? { keywords: newKeywords } : {}) },
    );
    // store/blob-refs.ts: a blob row made anew must find its file (the collector may have just removed it)
    for (const hash of freshBlobs) if (!(await blobs.has(hash))) throw new BlobVanishedError(hash);
    if (input.alsoInTransaction) await input.alsoInTransaction(client);
    const change: MailboxChange = { type: 'exists', mailboxId: mailbox.id, uid: uids[uids.length - 1]!, modseq };
    // the new messages' flags ride along, so selected sessions need not read them (notify.ts)
    if (uids.length <= MAX_FLAGS_IN_CHANGE) Object.assign(change, { uids, flags: flags.map((f) => sortFlags([...new Set(f)])) });
    const changes: MailboxChange[] = [change];
    return { uidValidity: mailbox.uidValidity, uids, changes };
  });
}
