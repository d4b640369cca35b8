/**
 * Finding RFC 2046 §5.1.1 delimiter lines. A delimiter is a line that starts with "--"
 * and the boundary of any enclosing multipart; the CRLF (or LF) before it belongs to the
 * delimiter, not to the part it ends.
 *
 * Like Dovecot, only the beginning of the line has to match (a longer boundary wins when
 * several match), so a sender's "--b-not-really" line still ends a part using "b".
 */

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

export interface BoundaryHit {
  /** index into the boundary stack of the boundary that matched */
  index: number;
  /** "--boundary--": the close delimiter */
  close: boolean;
  /** offset of the delimiter line */
  lineStart: number;
  /** where the content before it ends (the line break before the delimiter excluded) */
  contentEnd: number;
}

/** the boundary (index into `stack`) that the line at `pos` delimits, or null */
export function matchDelimiter(raw: Buffer, pos: number, stack: readonly Buffer[]): { index: number; close: boolean } | null {
  if (raw[pos] !== DASH || raw[pos + 1] !== DASH) return null;
  const at = pos + 2;
  let best = -1;
  let bestLen = -1;
  for (let i = stack.length - 1; i >= 0; i--) {
    const b = stack[i] as Buffer;
    if (b.length > bestLen && at + b.length <= raw.length && raw.compare(b, 0, b.length, at, at + b.length) === 0) {
      best = i;
      bestLen = b.length;
    }
  }
  if (best < 0) return null;
  const after = at + bestLen;
  return { index: best, close: raw[after] === DASH && raw[after + 1] === DASH };
}

/**
 * The next delimiter line at or after `from`. `from` itself counts as a line start
 * (it always is one: the start of a body or the line after a delimiter).
 */
export function findDelimiter(raw: Buffer, from: number, stack: readonly Buffer[]): BoundaryHit | null {
  if (stack.length === 0) return null;
  const first = matchDelimiter(raw, from, stack);
  if (first) return { ...first, lineStart: from, contentEnd: from };
  for (let lf = raw.indexOf(LF, from); lf >= 0; lf = raw.indexOf(LF, lf + 1)) {
    const hit = matchDelimiter(raw, lf + 1, stack);
    if (hit) {
      const contentEnd = lf - 1 >= from && raw[lf - 1] === CR ? lf - 1 : lf;
      return { ...hit, lineStart: lf + 1, contentEnd };
    }
  }
  return null;
}
