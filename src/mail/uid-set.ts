/**
 * UID sets as inclusive ranges. The IMAP layer resolves sequence numbers and "*" against
 * its own view of the mailbox (RFC 9051 §9 sequence-set) before it calls the store, so the store
 * only ever sees concrete UIDs.
 */
export type UidRange = readonly [first: number, last: number];
export type UidSet = readonly UidRange[];

/** RFC 9051 §9: nz-number, uniqueid = 1..4294967295 */
export const MAX_UID = 4_294_967_295;

/** Every UID: the set "1:*". */
export const ALL_UIDS: UidSet = [[1, MAX_UID]];

export const uidSetOf = (uids: Iterable<number>): UidSet => compressUids([...uids]);

/** Ascending UIDs as the fewest ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function compressUids(uids: readonly number[]): UidSet {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const uid of sorted) {
    const last = out[out.length - 1];
    if (last && uid === last[1] + 1) last[1] = uid;
    else out.push([uid, uid]);
  }
  return out;
}

/**
 * The form SQL takes, ranges sorted and merged so that a join yields each message once:
 * `FROM unnest($lo::bigint[], $hi::bigint[]) r(lo, hi) JOIN messages m ON m.uid BETWEEN r.lo AND r.hi`
 * (one index range scan per range).
 */
export function rangeArrays(set: UidSet): { lo: number[]; hi: number[] } {
  // RFC 9051 §9: "4:2" is the same set as "2:4"
  const ranges = set.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]).sort((x, y) => x[0] - y[0]);
  const lo: number[] = [];
  const hi: number[] = [];
  for (const [a, b] of ranges) {
    const last = hi.length - 1;
    if (last >= 0 && a <= hi[last]! + 1) hi[last] = Math.max(hi[last]!, b);
    else {
      lo.push(a);
      hi.push(b);
    }
  }
  return { lo, hi };
}

/** "1:3,7" for logs and tests. */
export const formatUidSet = (set: UidSet): string => set.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
