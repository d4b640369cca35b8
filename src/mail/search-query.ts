import type { SystemFlag } from './flags.js';
import type { UidSet } from './uid-set.js';

/**
 * The SEARCH criteria (RFC 9051 §6.4.4, CONDSTORE RFC 7162 §3.1.5, WITHIN RFC 5032) as
 * data. The IMAP parser builds it: it decodes the CHARSET, turns sequence sets into UID
 * sets and RECENT/NEW/OLD into what the server keeps (no \Recent: RECENT is NOT ALL).
 * Strings are Unicode; text keys match substrings, folded (fold.ts) on both sides.
 */
export type SearchKey =
  | { key: 'all' }
  /** SEEN/UNSEEN, ANSWERED/UNANSWERED, FLAGGED/UNFLAGGED, DELETED/UNDELETED, DRAFT/UNDRAFT */
  | { key: 'flag'; flag: SystemFlag; set: boolean }
  /** KEYWORD/UNKEYWORD, case-insensitive */
  | { key: 'keyword'; keyword: string; set: boolean }
  /** BEFORE/ON/SINCE: INTERNALDATE's day in the server's time zone */
  | { key: 'internaldate'; op: DateOp; day: CalendarDay }
  /** SENTBEFORE/SENTON/SENTSINCE: the Date header's day as written, in its own zone */
  | { key: 'sentdate'; op: DateOp; day: CalendarDay }
  /** LARGER/SMALLER: RFC822.SIZE strictly greater / smaller */
  | { key: 'size'; op: 'larger' | 'smaller'; octets: number }
  | { key: 'uid'; uids: UidSet }
  /** FROM/TO/CC/BCC/SUBJECT: the decoded header field contains the string */
  | { key: 'from' | 'to' | 'cc' | 'bcc' | 'subject'; value: string }
  /** HEADER name value: a top-level field of that name contains the value; "" = the field is present */
  | { key: 'header'; field: string; value: string }
  /** BODY: the decoded text parts contain the string */
  | { key: 'body'; value: string }
  /** TEXT: a header or the body contains the string */
  | { key: 'text'; value: string }
  /** RFC 7162 §3.1.5 MODSEQ: the message's MODSEQ is at least this */
  | { key: 'modseq'; modseq: number }
  /** RFC 5032: INTERNALDATE within the last `seconds` (YOUNGER) or before that (OLDER) */
  | { key: 'younger' | 'older'; seconds: number }
  | { key: 'not'; query: SearchKey }
  | { key: 'or'; left: SearchKey; right: SearchKey }
  /** a parenthesised list, and the top-level list of criteria: all must match */
  | { key: 'and'; all: readonly SearchKey[] };

export type DateOp = 'before' | 'on' | 'since';

/** a calendar day; "4-Mar-2024" is { year: 2024, month: 3, day: 4 } (the IMAP parser's SearchDate fits) */
export interface CalendarDay {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

/** Does the query need the blobs' search text (and so a lazy backfill first)? */
export function needsSearchText(q: SearchKey): boolean {
  switch (q.key) {
    case 'from':
    case 'to':
    case 'cc':
    case 'bcc':
    case 'subject':
    case 'header':
    case 'body':
    case 'text':
    case 'sentdate':
      return true;
    case 'not':
      return needsSearchText(q.query);
    case 'or':
      return needsSearchText(q.left) || needsSearchText(q.right);
    case 'and':
      return q.all.some(needsSearchText);
    default:
      return false;
  }
}
