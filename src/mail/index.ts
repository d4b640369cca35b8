/**
 * The mail store: what the IMAP server, webmail and delivery call. Every function that
 * changes a folder runs its own transaction (retried on deadlock) and returns the
 * MailboxChange list for the caller to publish after COMMIT (notify.ts). Errors are
 * UserError with a stable `code`; the IMAP layer maps them to response codes:
 *   no-such-mailbox → NO [NONEXISTENT]   already-exists → NO [ALREADYEXISTS]
 *   has-children → NO [HASCHILDREN]       cannot, noselect, bad-mailbox-name → NO [CANNOT]
 *   over-quota → NO [OVERQUOTA]          bad-special-use → NO [USEATTR]
 *   bad-flag, too-many-keywords, bad-search, bad-append → BAD or NO, as the command suits
 */
export * from './mailboxes.js';
export * from './mailbox-names.js';
export * from './mailbox-tree.js';
export * from './mailbox-list.js';
export * from './status.js';
export * from './snapshot.js';
export * from './fetch.js';
export * from './store-flags.js';
export * from './expunge.js';
export * from './copy-move.js';
export * from './imap-append.js';
// APPEND holds a small message for its own statement to write (store/inline-blob-store.ts)
export { holdBlob, type HeldBlob } from '../store/inline-blob-store.js';
export { BlobVanishedError } from '../store/blob-refs.js';
export * from './changes.js';
export * from './quota.js';
export * from './search-query.js';
export * from './search.js';
export * from './flags.js';
export * from './fold.js';
export * from './uid-set.js';
export * from './notify.js';
export * from './mailbox-grants.js';
export { accountUsage, OverQuotaError, type MessageSummary } from './append.js';
export { ensureParsed, summaryOf } from './parsed.js';
export { ensureSearchText, indexSearchBacklog } from './search-backlog.js';
export { baseSubject, type BaseSubject } from './base-subject.js';
export { COLLATIONS, type Collation } from './collation.js';
export { sortMailbox, type SortCriterion, type SortField } from './sort.js';
export { threadMailbox, THREAD_ALGORITHMS, type ThreadAlgorithm, type ThreadNode } from './thread.js';
