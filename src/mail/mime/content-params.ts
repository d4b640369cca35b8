import { Rfc822Lexer } from './rfc822-lexer.js';

export interface RawParam {
  name: Buffer;
  value: Buffer;
}

interface Rfc2231Piece {
  key: string;
  index: number;
  extended: boolean;
  value: Buffer;
}

const bytes = (a: number[]): Buffer => Buffer.from(a);

/** RFC 2045 §5.1 parameter: ";" attribute "=" value; returns null on a syntax error (step -1) */
function readParam(lx: Rfc822Lexer): RawParam | 0 | null {
  if (lx.atEnd) return 0;
  if (lx.peek() !== 0x3b) return null;
  lx.pos++;
  if (lx.skipCfws() <= 0) return null;
  const name: number[] = [];
  if (lx.readToken(name) <= 0) return null;
  if (lx.peek() !== 0x3d) return null;
  lx.pos++;
  const value: number[] = [];
  let step = lx.skipCfws();
  if (step > 0) {
    if (lx.peek() === 0x22) {
      step = lx.readQuotedString(value);
    } else if (lx.peek() === 0x3d) {
      // broken senders write name==?utf-8?b?...?= unquoted: take it up to the next separator
      for (let c = lx.peek(); c >= 0 && c !== 0x3b && c !== 0x20 && c !== 0x09; c = lx.peek()) {
        value.push(c);
        lx.pos++;
      }
    } else {
      step = lx.readToken(value);
    }
  }
  return step < 0 ? null : { name: bytes(name), value: bytes(value) };
}

/**
 * The parameters after a Content-Type or Content-Disposition value, lexer positioned
 * after the value. Plain parameters keep header order and case. RFC 2231 §3 pieces
 * (`name*0*=`, `name*1=`, `name*=`) are joined into one `name*` (or `name`) parameter,
 * left percent-encoded, after the plain ones. A syntax error skips one octet and goes on.
 */
export function readParams(lx: Rfc822Lexer): RawParam[] {
  const plain: RawParam[] = [];
  const pieces: Rfc2231Piece[] = [];
  for (;;) {
    const param = readParam(lx);
    if (param === 0) break;
    if (param === null) {
      if (lx.atEnd) break;
      lx.pos++;
      continue;
    }
    const piece = rfc2231Piece(param);
    if (piece) pieces.push(piece);
    else plain.push(param);
  }
  return pieces.length === 0 ? plain : [...plain, ...joinPieces(pieces)];
}

/** `key*`, `key*N` or `key*N*` (RFC 2231 §3, §4) */
function rfc2231Piece(param: RawParam): Rfc2231Piece | null {
  const name = param.name.toString('latin1');
  const m = /^([^*]*)\*(\d*)(\*?)$/.exec(name);
  if (!m) return null;
  const digits = m[2] as string;
  return { key: m[1] as string, index: Number(digits || 0), extended: digits === '' || m[3] === '*', value: param.value };
}

function joinPieces(pieces: Rfc2231Piece[]): RawParam[] {
  pieces.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const out: RawParam[] = [];
  for (let i = 0; i < pieces.length; ) {
    const first = pieces[i] as Rfc2231Piece;
    let j = i;
    let complete = true;
    let extended = false;
    for (; j < pieces.length && (pieces[j] as Rfc2231Piece).key.toLowerCase() === first.key.toLowerCase(); j++) {
      const p = pieces[j] as Rfc2231Piece;
      if (p.index !== j - i) complete = false;
      if (p.extended) extended = true;
    }
    const group = pieces.slice(i, j);
    i = j;
    if (!complete) {
      // a missing index: these were not RFC 2231 continuations after all
      for (const p of group) {
        const name = `${p.key}*${p.index}${p.extended ? '*' : ''}`;
        out.push({ name: Buffer.from(name, 'latin1'), value: p.value });
      }
      continue;
    }
    const parts: Buffer[] = [];
    // RFC 2231 §4: an extended value starts with charset'language'; supply an empty one
    if (extended && !first.extended) parts.push(Buffer.from("''"));
    for (const p of group) {
      parts.push(extended && !p.extended ? percentEscape(p.value) : p.value);
    }
    out.push({ name: Buffer.from(first.key + (extended ? '*' : ''), 'latin1'), value: Buffer.concat(parts) });
  }
  return out;
}

/** an unencoded piece inside an encoded value: only "%" needs escaping to stay unambiguous */
function percentEscape(value: Buffer): Buffer {
  return value.includes(0x25) ? Buffer.from(value.toString('latin1').replaceAll('%', '%25'), 'latin1') : value;
}
