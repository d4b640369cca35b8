import { foldForSearch } from './fold.js';
import { rangeArrays } from './uid-set.js';
import type { CalendarDay, SearchKey } from './search-query.js';
import { UserError } from '../shared/errors.js';

/**
 * Compiles a search query to one SQL condition over `m` (messages) and `s` (blob_search, may be null).
 * Values are always parameters. Text keys compare folded text with folded text, so
 * "Nguyen" finds "Nguyễn" and "HỌP" finds "họp" (fold.ts).
 */
export class SearchSql {
  readonly params: unknown[] = [];

  constructor(private readonly timeZone: string) {}

  private p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  compile(q: SearchKey): string {
    switch (q.key) {
      case 'all':
        return 'TRUE';
      case 'flag':
        return `${q.set ? '' : 'NOT '}(${this.p(q.flag)} = ANY (m.flags))`;
      case 'keyword':
        // keywords compare case-insensitively (as Dovecot does); an unknown one matches nothing
        return `${q.set ? '' : 'NOT '}EXISTS (SELECT 1 FROM unnest(m.flags) f WHERE lower(f) = lower(${this.p(q.keyword)}))`;
      case 'internaldate': {
        // RFC 9051 §6.4.4: the date of INTERNALDATE, "disregarding time and timezone": the
        // day it was in the server's time zone (what Dovecot does)
        const day = `(m.internal_date AT TIME ZONE ${this.p(this.timeZone)})::date`;
        return `${day} ${DATE_OPS[q.op]} ${this.p(checkDay(q.day))}::date`;
      }
      case 'sentdate':
        // the Date header's day as written; no or an unreadable Date counts as 1970-01-01 (as Dovecot)
        return `COALESCE(s.sent_day, DATE '1970-01-01') ${DATE_OPS[q.op]} ${this.p(checkDay(q.day))}::date`;
      case 'size':
        return `m.size ${q.op === 'larger' ? '>' : '<'} ${this.p(q.octets)}`;
      case 'uid': {
        const { lo, hi } = rangeArrays(q.uids);
        return `EXISTS (SELECT 1 FROM unnest(${this.p(lo)}::bigint[], ${this.p(hi)}::bigint[]) r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi)`;
      }
      case 'from':
      case 'to':
      case 'cc':
      case 'bcc':
      case 'subject':
        // RFC 9051 §6.4.4: FROM x is HEADER FROM x, and so on; every occurrence of the field counts
        return this.header(q.key, q.value);
      case 'header':
        return this.header(q.field, q.value);
      case 'body':
        return `COALESCE(s.body, '') LIKE ${this.p(likePattern(q.value))}`;
      case 'text': {
        const like = this.p(likePattern(q.value));
        return `(COALESCE(s.head, '') LIKE ${like} OR COALESCE(s.heads, '') LIKE ${like} OR COALESCE(s.body, '') LIKE ${like})`;
      }
      case 'modseq':
        // RFC 7162 §3.1.5: "equal to or greater than"
        return `m.modseq >= ${this.p(q.modseq)}`;
      case 'younger':
        // RFC 5032 §3: YOUNGER n is INTERNALDATE within the last n seconds
        return `m.internal_date >= now() - make_interval(secs => ${this.p(q.seconds)})`;
      case 'older':
        return `m.internal_date < now() - make_interval(secs => ${this.p(q.seconds)})`;
      case 'not':
        return `NOT (${this.compile(q.query)})`;
      case 'or':
        return `((${this.compile(q.left)}) OR (${this.compile(q.right)}))`;
      case 'and':
        return q.all.length === 0 ? 'TRUE' : q.all.map((k) => `(${this.compile(k)})`).join(' AND ');
    }
  }

  /**
   * blob_search.head holds one "name: value" line per field (search-text.ts). The field name
   * and value are escaped into a regular expression anchored at a line start.
   */
  private header(field: string, value: string): string {
    const name = regexLiteral(foldForSearch(field.trim()));
    const folded = foldForSearch(value);
    // RFC 9051 §6.4.4: HEADER with an empty string matches every message that has the field
    const rest = folded === '' ? '' : `[^\n]*${regexLiteral(folded)}`;
    return `COALESCE(s.head, '') ~ ${this.p(`(^|\n)${name}:${rest}`)}`;
  }
}

const DATE_OPS = { before: '<', on: '=', since: '>=' } as const;

/** "2024-03-04", after checking the day exists */
function checkDay(d: CalendarDay): string {
  const date = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (date.getUTCFullYear() !== d.year || date.getUTCMonth() !== d.month - 1 || date.getUTCDate() !== d.day) {
    throw new UserError('bad-search', `${d.year}-${d.month}-${d.day} is not a date`);
  }
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** folded, LIKE-escaped, wrapped in % */
function likePattern(value: string): string {
  return `%${foldForSearch(value).replace(/[\\%_]/g, '\\$&')}%`;
}

/** PostgreSQL ARE: a backslash before a non-alphanumeric character makes it literal */
function regexLiteral(text: string): string {
  return text.replace(/[^\p{L}\p{N} ]/gu, (c) => (c === '\n' ? ' ' : `\\${c}`));
}
