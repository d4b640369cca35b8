import type { ArgParser } from './arg-parser.js';
import type { SearchDate } from './datetime.js';
import type { SystemFlag } from './flags.js';
import { searchCharsetDecoder, type StringDecoder } from './search-charset.js';
import type { SequenceSet } from './sequence-set.js';

/**
 * SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN options (RFC 4731 §3.1, RFC 5182 SAVE),
 * MODSEQ (RFC 7162 §3.1.5) and OLDER/YOUNGER (RFC 5032 §3), into an AST. Strings are
 * decoded from the command's charset into Unicode text.
 */

export type SearchKey =
  | { kind: 'all' }
  /** ANSWERED/UNANSWERED, DELETED, DRAFT, FLAGGED, SEEN, RECENT; OLD is RECENT unset */
  | { kind: 'flag'; flag: SystemFlag; set: boolean }
  | { kind: 'keyword'; keyword: string; set: boolean }
  /** FROM, TO, CC, BCC, SUBJECT search that header; HEADER names its field; "" matches any value */
  | { kind: 'header'; key: 'BCC' | 'CC' | 'FROM' | 'SUBJECT' | 'TO' | 'HEADER'; field: string; value: string }
  | { kind: 'text'; key: 'BODY' | 'TEXT'; value: string }
  /** BEFORE/ON/SINCE: internal date; SENT*: the Date header (RFC 9051 §6.4.4) */
  | { kind: 'date'; key: 'BEFORE' | 'ON' | 'SINCE' | 'SENTBEFORE' | 'SENTON' | 'SENTSINCE'; date: SearchDate }
  | { kind: 'size'; key: 'LARGER' | 'SMALLER'; octets: number }
  /** RFC 5032 §3: internal date older/younger than this many seconds */
  | { kind: 'within'; key: 'OLDER' | 'YOUNGER'; seconds: number }
  /** RFC 7162 §3.1.5 */
  | { kind: 'modseq'; modseq: number; entry: { name: string; type: 'priv' | 'shared' | 'all' } | null }
  /** a message sequence set */
  | { kind: 'seq'; set: SequenceSet }
  | { kind: 'uid'; set: SequenceSet }
  | { kind: 'not'; key: SearchKey }
  | { kind: 'or'; left: SearchKey; right: SearchKey }
  /** a parenthesised group, or several keys in a row */
  | { kind: 'and'; keys: SearchKey[] };

/** RFC 4731 §3.1 (MIN MAX ALL COUNT) and RFC 5182 §2 (SAVE) */
export interface SearchReturn {
  min: boolean;
  max: boolean;
  all: boolean;
  count: boolean;
  save: boolean;
}

export interface SearchArgs {
  /** null: no RETURN, answer with the classic untagged SEARCH; otherwise ESEARCH */
  return: SearchReturn | null;
  charset: string | null;
  search: SearchKey;
}

const FLAG_KEYS: Record<string, [SystemFlag, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  RECENT: ['\\Recent', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
  // RFC 9051 §6.4.4: OLD is "NOT RECENT"
  OLD: ['\\Recent', false],
};

const HEADER_KEYS: Record<string, string> = { BCC: 'Bcc', CC: 'Cc', FROM: 'From', SUBJECT: 'Subject', TO: 'To' };
const DATE_KEYS = new Set(['BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE']);
const RETURN_OPTIONS = ['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE'] as const;

export function parseSearchArgs(p: ArgParser): SearchArgs {
  const ret = parseSearchReturn(p);
  let charset: string | null = null;
  if (p.tryKeyword('CHARSET')) {
    const t = p.peek();
    charset = charsetName(p);
    // RFC 6855 §3: once UTF8=ACCEPT is on, strings are UTF-8; another CHARSET conflicts (BAD)
    if (p.utf8 && !['UTF-8', 'US-ASCII'].includes(charset.toUpperCase())) {
      p.failAt(t, `CHARSET ${charset} conflicts with UTF8=ACCEPT (RFC 6855 section 3)`);
    }
  }
  const search = parseSearchKeys(p, charset);
  p.end();
  return { return: ret, charset, search };
}

/** RFC 4466 §2.6: search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" */
export function parseSearchReturn(p: ArgParser): SearchReturn | null {
  if (p.peekKeyword() !== 'RETURN' || p.peek(1)?.kind !== 'open') return null;
  p.word('RETURN');
  const ret: SearchReturn = { min: false, max: false, all: false, count: false, save: false };
  const options = p.list('the RETURN options', () => {
    const t = p.peek();
    const o = p.keyword('a RETURN option', RETURN_OPTIONS);
    const key = o.toLowerCase() as keyof SearchReturn;
    if (ret[key]) p.failAt(t, `RETURN option ${o} given twice`);
    ret[key] = true;
    return o;
  });
  // RFC 4731 §3.1: an empty RETURN () means RETURN (ALL)
  if (options.length === 0) ret.all = true;
  return ret;
}

/** RFC 9051 §9: charset = atom / quoted */
export function charsetName(p: ArgParser): string {
  const t = p.peek();
  if (t?.kind === 'quoted') {
    p.string();
    return t.bytes.toString('latin1');
  }
  return p.atom('a charset name');
}

/** 1*(SP search-key): several keys in a row are ANDed; strings decoded from `charset` */
export function parseSearchKeys(p: ArgParser, charset: string | null): SearchKey {
  if (p.atEnd) p.fail('a search key');
  const decode = searchCharsetDecoder(charset);
  const keys = [searchKey(p, decode, 0)];
  while (!p.atEnd) keys.push(searchKey(p, decode, 0));
  return keys.length === 1 ? (keys[0] as SearchKey) : { kind: 'and', keys };
}

function searchKey(p: ArgParser, decode: StringDecoder, depth: number): SearchKey {
  if (depth > p.limits.searchDepth) p.failAt(p.peek(), `search keys nested deeper than ${p.limits.searchDepth} levels`);
  if (p.isOpen()) {
    const keys = p.list('the search key group', () => searchKey(p, decode, depth + 1), 1);
    return keys.length === 1 ? (keys[0] as SearchKey) : { kind: 'and', keys };
  }
  if (p.peekSequenceSet()) return { kind: 'seq', set: p.sequenceSet() };
  const t = p.peek();
  const key = p.keyword('a search key');
  const flag = FLAG_KEYS[key];
  if (flag) return { kind: 'flag', flag: flag[0], set: flag[1] };
  const header = HEADER_KEYS[key];
  if (header) return { kind: 'header', key: key as 'FROM', field: header, value: decode(p.astring(`the ${key} string`)) };
  if (DATE_KEYS.has(key)) return { kind: 'date', key: key as 'ON', date: p.searchDate() };
  switch (key) {
    case 'ALL':
      return { kind: 'all' };
    // RFC 9051 §6.4.4: NEW is "(RECENT UNSEEN)"
    case 'NEW':
      return { kind: 'and', keys: [{ kind: 'flag', flag: '\\Recent', set: true }, { kind: 'flag', flag: '\\Seen', set: false }] };
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { kind: 'keyword', keyword: p.atom(`a keyword after ${key}`), set: key === 'KEYWORD' };
    case 'HEADER': {
      const field = p.astring('a header field name').toString('utf8');
      return { kind: 'header', key: 'HEADER', field, value: decode(p.astring('the HEADER string')) };
    }
    case 'BODY':
    case 'TEXT':
      return { kind: 'text', key, value: decode(p.astring(`the ${key} string`)) };
    case 'LARGER':
    case 'SMALLER':
      return { kind: 'size', key, octets: p.number64(`a size in octets after ${key}`) };
    case 'OLDER':
    case 'YOUNGER':
      return { kind: 'within', key, seconds: p.nzNumber(`a number of seconds after ${key}`) };
    case 'UID':
      return { kind: 'uid', set: p.sequenceSet('a UID set') };
    case 'NOT':
      return { kind: 'not', key: searchKey(p, decode, depth + 1) };
    case 'OR': {
      const left = searchKey(p, decode, depth + 1);
      return { kind: 'or', left, right: searchKey(p, decode, depth + 1) };
    }
    case 'MODSEQ':
      return modseqKey(p);
    default:
      return p.failAt(t, `unknown search key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key)}`);
  }
}

/** RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer */
function modseqKey(p: ArgParser): SearchKey {
  let entry: { name: string; type: 'priv' | 'shared' | 'all' } | null = null;
  const t = p.peek();
  if (t?.kind === 'quoted') {
    const name = p.string().toString('latin1');
    // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE
    if (!name.toLowerCase().startsWith('/flags/') || name.length === 7) p.failAt(t, `MODSEQ entry "${name}" is not "/flags/<flag>"`);
    const type = p.keyword('the entry type', ['PRIV', 'SHARED', 'ALL']);
    entry = { name, type: type.toLowerCase() as 'priv' };
  }
  return { kind: 'modseq', modseq: p.modSequence(), entry };
}
