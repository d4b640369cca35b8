import { ValueSyntaxError } from './errors.js';

/**
 * Sequence sets (RFC 9051 §9 sequence-set, RFC 5182 "$"): parsed into ranges, resolved
 * against the mailbox's largest number into sorted disjoint ranges, and formatted back.
 * Nothing here expands a range into a list: `1:4294967295` stays one range.
 */

/** RFC 9051 §9: nz-number is a non-zero unsigned 32-bit integer */
export const MAX_SEQ_NUMBER = 4294967295;

/** a number, or "*": the largest number in use */
export type SeqBound = number | '*';

/** one element as the client wrote it: `5` is {start: 5, end: 5}; `7:3` is kept as written ("*" cannot be ordered yet) */
export interface SeqRange {
  start: SeqBound;
  end: SeqBound;
}

export type SequenceSet =
  /** RFC 5182 §2.1: "$", the result saved by SEARCH RETURN (SAVE) */
  | { kind: 'saved' }
  | { kind: 'set'; ranges: readonly SeqRange[] };

/** sorted, disjoint, non-adjacent inclusive ranges [first, last], every number >= 1 */
export type Ranges = readonly (readonly [number, number])[];

function bound(text: string, whole: string): SeqBound {
  if (text === '*') return '*';
  // RFC 9051 §9: nz-number = digit-nz *DIGIT
  if (!/^[1-9]\d*$/.test(text)) {
    const why = text === '' ? 'an empty element' : /^0+$/.test(text) ? '0 is not a message number' : `"${text}" is not a number`;
    throw new ValueSyntaxError(`Invalid sequence set "${whole}": ${why}`);
  }
  const n = text.length > 10 ? Number.POSITIVE_INFINITY : Number(text);
  if (n > MAX_SEQ_NUMBER) throw new ValueSyntaxError(`Invalid sequence set "${whole}": ${text} is larger than ${MAX_SEQ_NUMBER}`);
  return n;
}

export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return { kind: 'saved' };
  const ranges: SeqRange[] = [];
  for (const element of text.split(',')) {
    const colon = element.indexOf(':');
    if (colon < 0) {
      const n = bound(element, text);
      ranges.push({ start: n, end: n });
      continue;
    }
    let start = bound(element.slice(0, colon), text);
    let end = bound(element.slice(colon + 1), text);
    // RFC 9051 §9 seq-range: "2:4" and "4:2" are the same set
    if (typeof start === 'number' && typeof end === 'number' && start > end) [start, end] = [end, start];
    ranges.push({ start, end });
  }
  return { kind: 'set', ranges };
}

/**
 * The numbers a set names in a mailbox whose largest number is `max`: "*" is `max`
 * (RFC 9051 §6.4.9: so `UID FETCH 900:*` with largest UID 800 names 800). Numbers above
 * `max` are kept; the server clips them or reports them as it must (see clipRanges).
 * "$" takes the saved ranges (RFC 5182 §2.1: empty when nothing was saved).
 */
export function resolveSequenceSet(set: SequenceSet, max: number, saved: Ranges = []): Ranges {
  if (set.kind === 'saved') return saved;
  const pairs: [number, number][] = [];
  for (const r of set.ranges) {
    let a = r.start === '*' ? max : r.start;
    let b = r.end === '*' ? max : r.end;
    if (a > b) [a, b] = [b, a];
    if (b < 1) continue; // "*" in an empty mailbox
    pairs.push([Math.max(a, 1), b]);
  }
  return normalizeRanges(pairs);
}

/** sorts and merges overlapping or adjacent ranges */
export function normalizeRanges(pairs: readonly (readonly [number, number])[]): Ranges {
  const sorted = [...pairs].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** the part of the ranges within [min, max] */
export function clipRanges(ranges: Ranges, min: number, max: number): Ranges {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    const lo = Math.max(a, min);
    const hi = Math.min(b, max);
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/** binary search */
export function rangesContain(ranges: Ranges, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid] as readonly [number, number];
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

export function rangesCount(ranges: Ranges): number {
  return ranges.reduce((sum, [a, b]) => sum + (b - a + 1), 0);
}

/** the numbers, one at a time, ascending */
export function* rangesValues(ranges: Ranges): Generator<number> {
  for (const [a, b] of ranges) for (let n = a; n <= b; n++) yield n;
}

/** the largest number a set names literally, "*" aside (to check sequence numbers against the mailbox size) */
export function largestNumber(set: SequenceSet): number {
  if (set.kind === 'saved') return 0;
  return set.ranges.reduce((m, r) => Math.max(m, r.start === '*' ? 0 : r.start, r.end === '*' ? 0 : r.end), 0);
}

/** "1:5,7,9:12": runs of consecutive ascending numbers become ranges; the order is kept (COPYUID pairs sets by order) */
export function formatSequenceSet(values: Iterable<number>): string {
  const parts: string[] = [];
  let first = -1;
  let last = -1;
  const flush = (): void => {
    if (first >= 0) parts.push(first === last ? String(first) : `${first}:${last}`);
  };
  for (const n of values) {
    if (first >= 0 && n === last + 1) {
      last = n;
      continue;
    }
    flush();
    first = last = n;
  }
  flush();
  return parts.join(',');
}

export function formatRanges(ranges: Ranges): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');
}
