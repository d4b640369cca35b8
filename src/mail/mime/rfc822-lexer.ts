/**
 * Tokens of structured header fields (RFC 5322 §3.2, RFC 2045 §5.1) read from an unfolded
 * value. Every read returns a step result like a C parser would, because callers decide
 * on "input ended here" versus "more follows":
 *   1 = more input follows, 0 = input ended, -1 = syntax error.
 * Each successful read skips the CFWS after it.
 */
export type Step = 1 | 0 | -1;

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/** RFC 5322 §3.2.3 atext, plus every 8-bit octet (RFC 6532 raw UTF-8 and legacy charsets). */
const ATEXT = new Uint8Array(256);
/** RFC 2045 §5.1 token characters (atext without tspecials "/", "=", "?"). */
const TOKEN = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const symbol = "!#$%&'*+-/=?^_`{|}~".includes(String.fromCharCode(c));
  ATEXT[c] = alnum || symbol || c >= 0x80 ? 1 : 0;
  TOKEN[c] = ATEXT[c] && c !== 0x2f && c !== 0x3d && c !== 0x3f ? 1 : 0;
}

export const isAtext = (c: number): boolean => c >= 0 && ATEXT[c] === 1;

export class Rfc822Lexer {
  pos = 0;
  /** text of the most recent comment, when comment tracking is on */
  lastComment: number[] | null;

  constructor(
    readonly data: Buffer,
    trackComments = false,
  ) {
    this.lastComment = trackComments ? [] : null;
  }

  get atEnd(): boolean {
    return this.pos >= this.data.length;
  }

  /** the current octet, or -1 at the end */
  peek(): number {
    return this.pos < this.data.length ? (this.data[this.pos] as number) : -1;
  }

  private more(): Step {
    return this.atEnd ? 0 : 1;
  }

  /** RFC 5322 §3.2.2 CFWS: blanks, line breaks and (nested) comments. */
  skipCfws(): Step {
    const d = this.data;
    while (this.pos < d.length) {
      const c = d[this.pos] as number;
      if (c === SP || c === HTAB || c === CR || c === LF) {
        this.pos++;
      } else if (c === 0x28) {
        if (!this.skipComment()) return -1;
      } else {
        break;
      }
    }
    return this.more();
  }

  private skipComment(): boolean {
    const d = this.data;
    const text: number[] = [];
    let level = 1;
    this.pos++;
    while (this.pos < d.length) {
      const c = d[this.pos] as number;
      if (c === 0x5c) {
        // RFC 5322 §3.2.1 quoted-pair: keep the escaped octet, drop the backslash
        this.pos++;
        if (this.pos >= d.length) return false;
        text.push(d[this.pos] as number);
      } else if (c === 0x28) {
        level++;
        text.push(c);
      } else if (c === 0x29) {
        if (--level === 0) {
          this.pos++;
          if (this.lastComment) this.lastComment = text;
          return true;
        }
        text.push(c);
      } else {
        text.push(c);
      }
      this.pos++;
    }
    return false;
  }

  /** 1*atext */
  readAtom(out: number[]): Step {
    if (!isAtext(this.peek())) return -1;
    while (isAtext(this.peek())) out.push(this.data[this.pos++] as number);
    return this.atEnd ? 0 : this.skipCfws();
  }

  /** dot-atom, allowing CFWS around the dots as RFC 822 did */
  readDotAtom(out: number[]): Step {
    if (!isAtext(this.peek())) return -1;
    for (;;) {
      while (isAtext(this.peek())) out.push(this.data[this.pos++] as number);
      if (this.atEnd) return 0;
      const step = this.skipCfws();
      if (step <= 0) return step;
      if (this.peek() !== 0x2e) return 1;
      this.pos++;
      out.push(0x2e);
      const after = this.skipCfws();
      if (after <= 0) return after;
    }
  }

  /** RFC 2045 token (dots allowed, may be empty) */
  readToken(out: number[]): Step {
    for (let c = this.peek(); c >= 0 && (TOKEN[c] === 1 || c === 0x2e); c = this.peek()) {
      out.push(c);
      this.pos++;
    }
    return this.atEnd ? 0 : this.skipCfws();
  }

  /** RFC 5322 §3.2.4 quoted-string at '"': escapes resolved, folding line breaks removed */
  readQuotedString(out: number[]): Step {
    const d = this.data;
    this.pos++;
    while (this.pos < d.length) {
      const c = d[this.pos] as number;
      if (c === 0x22) {
        this.pos++;
        return this.skipCfws();
      }
      if (c === 0x5c) {
        this.pos++;
        if (this.pos >= d.length) return -1;
        out.push(d[this.pos] as number);
      } else if (c !== CR && c !== LF) {
        out.push(c);
      }
      this.pos++;
    }
    return -1;
  }

  /** atoms and dots of an obs-phrase, without skipping inner blanks */
  private readAtomOrDot(out: number[]): Step {
    for (let c = this.peek(); isAtext(c) || c === 0x2e; c = this.peek()) {
      out.push(c);
      this.pos++;
    }
    return this.atEnd ? 0 : this.skipCfws();
  }

  /** RFC 5322 §3.2.5 phrase (and obs-phrase): words joined by single spaces */
  readPhrase(out: number[]): Step {
    if (this.atEnd) return 0;
    if (this.peek() === 0x2e) return -1;
    for (;;) {
      const step = this.peek() === 0x22 ? this.readQuotedString(out) : this.readAtomOrDot(out);
      if (step <= 0) return step;
      const c = this.peek();
      if (!isAtext(c) && c !== 0x22 && c !== 0x2e) break;
      out.push(SP);
    }
    return this.skipCfws();
  }

  /** RFC 5322 §3.4.1 domain at '@': dot-atom or domain-literal (kept with its brackets) */
  readDomain(out: number[]): Step {
    this.pos++;
    if (this.skipCfws() <= 0) return -1;
    if (this.peek() !== 0x5b) return this.readDotAtom(out);
    const d = this.data;
    const start = this.pos;
    while (this.pos < d.length) {
      const c = d[this.pos] as number;
      if (c === 0x5c) {
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === 0x5d) {
        for (let i = start; i < this.pos; i++) out.push(d[i] as number);
        return this.skipCfws();
      }
    }
    return -1;
  }
}
