import { ImapSyntaxError } from './errors.js';
import type { Token } from './tokens.js';

/**
 * Splits one command line segment (CRLF and any trailing literal marker removed) into
 * tokens. A command with literals has several segments; the paren depth carries over.
 *
 * Spacing is lenient (several SPs, or none around parentheses, are accepted); which
 * characters a word may hold is left to the production that reads it.
 */

export interface LexState {
  /** open "(" not yet closed, across the segments of one command */
  depth: number;
}

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const LBRACE = 0x7b;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const isCtl = (c: number): boolean => c < 0x20 || c === 0x7f;
const endsWord = (c: number): boolean => c === SP || c === OPEN || c === CLOSE || c === DQUOTE || c === LBRACE || isCtl(c);

/** RFC 9051 §6.4.5: fetch attributes whose "[...]" section may hold spaces and parentheses */
const SECTION_WORDS = new Set(['BODY', 'BODY.PEEK', 'BINARY', 'BINARY.PEEK', 'BINARY.SIZE']);

const hex = (c: number): string => `0x${c.toString(16).padStart(2, '0')}`;

export function lexSegment(line: Buffer, base: number, state: LexState, maxDepth: number, out: Token[]): void {
  let i = 0;
  while (i < line.length) {
    const c = line[i] as number;
    const pos = base + i;
    if (c === SP) {
      i++;
    } else if (c === OPEN) {
      // RFC 9051 §9 leaves nesting unbounded; a limit keeps the parser's recursion bounded
      if (++state.depth > maxDepth) throw new ImapSyntaxError(`Lists nested deeper than ${maxDepth} levels at byte ${pos}`, pos);
      out.push({ kind: 'open', pos });
      i++;
    } else if (c === CLOSE) {
      if (state.depth === 0) throw new ImapSyntaxError(`Unbalanced ")" at byte ${pos}`, pos);
      state.depth--;
      out.push({ kind: 'close', pos });
      i++;
    } else if (c === DQUOTE) {
      i = lexQuoted(line, i, base, out);
    } else if (c === LBRACE) {
      // RFC 9051 §4.3: a literal's "{" n "}" is followed by CRLF, so it can only end a line
      throw new ImapSyntaxError(`A literal's {n} must end the line (byte ${pos})`, pos);
    } else if (isCtl(c)) {
      throw new ImapSyntaxError(`Control character ${hex(c)} at byte ${pos}`, pos);
    } else {
      i = lexWord(line, i, base, out);
    }
  }
}

function lexQuoted(line: Buffer, start: number, base: number, out: Token[]): number {
  const bytes: number[] = [];
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i] as number;
    if (c === DQUOTE) {
      out.push({ kind: 'quoted', pos: base + start, bytes: Buffer.from(bytes) });
      return i + 1;
    }
    if (c === BACKSLASH) {
      const e = line[i + 1];
      // RFC 9051 §9: QUOTED-CHAR = ... / "\" quoted-specials; nothing else may be escaped
      if (e !== DQUOTE && e !== BACKSLASH) {
        const what = e === undefined ? 'the end of the line' : `"${String.fromCharCode(e)}"`;
        throw new ImapSyntaxError(`Only \\" and \\\\ may be escaped in a quoted string; found \\ before ${what} at byte ${base + i}`, base + i);
      }
      bytes.push(e);
      i++;
    } else if (c === 0 || c === 0x0d || c === 0x0a) {
      // RFC 9051 §4.3: a quoted string cannot hold CR, LF or NUL; those need a literal
      throw new ImapSyntaxError(`Character ${hex(c)} is not allowed in a quoted string (byte ${base + i}); send a literal`, base + i);
    } else {
      bytes.push(c); // 8-bit octets: RFC 9051 §9 QUOTED-CHAR includes UTF8-2/3/4
    }
  }
  throw new ImapSyntaxError(`Unterminated quoted string starting at byte ${base + start}`, base + start);
}

function lexWord(line: Buffer, start: number, base: number, out: Token[]): number {
  let i = start;
  while (i < line.length) {
    const c = line[i] as number;
    if (c === LBRACKET && SECTION_WORDS.has(line.toString('latin1', start, i).toUpperCase())) {
      i = sectionEnd(line, i, base);
      continue;
    }
    if (endsWord(c)) break;
    i++;
  }
  out.push({ kind: 'atom', pos: base + start, text: line.toString('latin1', start, i) });
  return i;
}

/** index just past the "]" closing the section that starts at `open` */
function sectionEnd(line: Buffer, open: number, base: number): number {
  let quoted = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i] as number;
    if (isCtl(c)) throw new ImapSyntaxError(`Control character ${hex(c)} at byte ${base + i}`, base + i);
    if (quoted) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) quoted = false;
    } else if (c === DQUOTE) {
      quoted = true;
    } else if (c === RBRACKET) {
      return i + 1;
    }
  }
  throw new ImapSyntaxError(`Unterminated section: "[" at byte ${base + open} has no "]"`, base + open);
}
