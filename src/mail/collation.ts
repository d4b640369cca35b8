/**
 * How SORT and THREAD compare strings. Two collations:
 * - `vietnamese` (the default): Unicode's Vietnamese tailoring (ICU "vi"), case-insensitive
 *   but accent-sensitive, so "Đặng" sorts after "Dương" and before "E", and "Báo" right after
 *   "Bao", as a Vietnamese reader expects.
 * - `unicode-casemap`: RFC 5051 i;unicode-casemap, the comparator RFC 5256 names through
 *   I18NLEVEL=1 (RFC 5255), as Dovecot implements it: titlecase, decomposition, code point
 *   order. It gives Dovecot's SORT order exactly (the golden corpus); `Đ` then sorts after
 *   every Latin letter and "Báo" after every "Bao…".
 */
export type Collation = 'vietnamese' | 'unicode-casemap';

export const COLLATIONS: readonly Collation[] = ['vietnamese', 'unicode-casemap'];

/** A comparator that first turns each string into a key once (keys are compared many times). */
export interface Collator<K> {
  key(text: string): K;
  compare(a: K, b: K): number;
}

/**
 * RFC 5051 §2 as Dovecot applies it: the titlecase of each character (its upper case where
 * that is one character), then one level of its canonical decomposition ("ế" → "Ê" + U+0301,
 * not "E" + U+0302 + U+0301). Compared by code point this gives Dovecot's SORT order.
 */
export function unicodeCasemap(text: string): string {
  let out = '';
  for (const c of text) {
    const upper = c.toUpperCase();
    out += oneLevelDecomposition([...upper].length === 1 ? upper : c);
  }
  return out;
}

/** UnicodeData's decomposition of one character, one step: the base composed with all but the last mark, then that mark */
function oneLevelDecomposition(c: string): string {
  const nfd = [...c.normalize('NFD')];
  if (nfd.length < 2) return c;
  const last = nfd.pop() as string;
  return nfd.join('').normalize('NFC') + last;
}

const casemap: Collator<Buffer> = {
  key: (text) => Buffer.from(unicodeCasemap(text), 'utf8'),
  // UTF-8 octet order is code point order (RFC 5051 §2.3)
  compare: (a, b) => Buffer.compare(a, b),
};

const vi = new Intl.Collator('vi', { sensitivity: 'accent', usage: 'sort' });
const vietnamese: Collator<string> = {
  key: (text) => text.normalize('NFC'),
  compare: (a, b) => vi.compare(a, b),
};

export function collator(c: Collation): Collator<unknown> {
  return (c === 'vietnamese' ? vietnamese : casemap) as Collator<unknown>;
}
