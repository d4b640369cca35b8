import type { ArgParser } from './arg-parser.js';
import { charsetName, parseSearchKeys, parseSearchReturn, type SearchKey, type SearchReturn } from './search-args.js';

/**
 * SORT and THREAD (RFC 5256 §3), with ESORT's RETURN (RFC 5267 §3.2) and the
 * DISPLAYFROM/DISPLAYTO sort keys (RFC 5957 §3).
 */

export const SORT_KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

export interface SortArgs {
  /** ESORT (RFC 5267): null answers with the classic untagged SORT */
  return: SearchReturn | null;
  criteria: SortCriterion[];
  charset: string;
  search: SearchKey;
}

export interface ThreadArgs {
  /** upper-case: ORDEREDSUBJECT, REFERENCES, or an extension such as REFS; the server checks it supports it */
  algorithm: string;
  charset: string;
  search: SearchKey;
}

/** RFC 5256 §5: sort = "SORT" SP sort-criteria SP search-criteria; search-criteria = charset 1*(SP search-key) */
export function parseSortArgs(p: ArgParser): SortArgs {
  const ret = parseSearchReturn(p);
  const criteria = p.list(
    'the sort criteria',
    () => {
      const reverse = p.tryKeyword('REVERSE');
      return { key: p.keyword('a sort key', SORT_KEYS), reverse };
    },
    1,
  );
  const charset = charsetName(p);
  const search = parseSearchKeys(p, charset);
  p.end();
  return { return: ret, criteria, charset, search };
}

/** RFC 5256 §5: thread = "THREAD" SP thread-alg SP search-criteria */
export function parseThreadArgs(p: ArgParser): ThreadArgs {
  const algorithm = p.atom('a threading algorithm (REFERENCES, ORDEREDSUBJECT)').toUpperCase();
  const charset = charsetName(p);
  const search = parseSearchKeys(p, charset);
  p.end();
  return { algorithm, charset, search };
}
