import { Rfc822Lexer, type Step } from './rfc822-lexer.js';

/**
 * An address in the RFC 3501 §7.4.2 ENVELOPE form; groups are a start marker
 * (mailbox = group name, host = null) and an end marker (all null).
 */
export interface RawAddress {
  name: Buffer | null;
  route: Buffer | null;
  mailbox: Buffer | null;
  host: Buffer | null;
}

// Placeholders for parts an ill-formed address lacks, so a mailbox never looks like a
// group marker (host null). The same words Dovecot uses, so clients see familiar text.
const MISSING_MAILBOX = Buffer.from('MISSING_MAILBOX');
const MISSING_DOMAIN = Buffer.from('MISSING_DOMAIN');
const SYNTAX_ERROR = Buffer.from('SYNTAX_ERROR');
const INVALID_ROUTE = Buffer.from('INVALID_ROUTE');

const empty = (): RawAddress => ({ name: null, route: null, mailbox: null, host: null });

/** RFC 5322 §3.4 address-list, forgiving like a reader must be (obsolete forms, comments as names) */
class AddressListParser {
  private readonly lx: Rfc822Lexer;
  private cur = empty();
  readonly out: RawAddress[] = [];

  constructor(value: Buffer) {
    this.lx = new Rfc822Lexer(value, true);
  }

  parse(): RawAddress[] | null {
    const lx = this.lx;
    if (lx.skipCfws() <= 0) return null;
    for (;;) {
      if (this.address() === 0) break;
      if (lx.peek() !== 0x2c) break;
      lx.pos++;
      const step = lx.skipCfws();
      if (step <= 0) {
        if (step < 0) this.addFixed(); // ends in garbage
        break;
      }
    }
    return this.out;
  }

  private push(addr: RawAddress): void {
    this.out.push(addr);
    this.cur = empty();
  }

  private addFixed(): void {
    this.cur.mailbox ??= MISSING_MAILBOX;
    this.cur.host ??= MISSING_DOMAIN;
    this.push(this.cur);
  }

  /** address = mailbox / group */
  private address(): Step {
    const start = this.lx.pos;
    const step = this.group();
    if (step >= 0) return step;
    this.lx.pos = start;
    return this.mailbox();
  }

  /** group = display-name ":" [group-list] ";" [CFWS] */
  private group(): Step {
    const lx = this.lx;
    const name: number[] = [];
    if (lx.readPhrase(name) <= 0 || lx.peek() !== 0x3a) return -1;
    lx.pos++;
    let step = lx.skipCfws();
    this.push({ name: null, route: null, mailbox: Buffer.from(name), host: null });
    if (step > 0 && lx.peek() !== 0x3b) {
      for (;;) {
        if (this.mailbox() <= 0) {
          step = -1;
          break;
        }
        if (lx.peek() !== 0x2c) break;
        lx.pos++;
        if (lx.skipCfws() <= 0) {
          step = -1;
          break;
        }
      }
    }
    if (step >= 0) {
      if (lx.peek() !== 0x3b) {
        step = -1;
      } else {
        lx.pos++;
        step = lx.skipCfws();
      }
    }
    this.push(empty());
    return step === 0 ? 0 : 1;
  }

  /** mailbox = name-addr / addr-spec */
  private mailbox(): Step {
    const start = this.lx.pos;
    let step = this.nameAddr();
    if (step < 0) {
      this.lx.pos = start;
      step = this.addrSpec();
    }
    this.addFixed();
    return step;
  }

  /** name-addr = [display-name] angle-addr */
  private nameAddr(): Step {
    const lx = this.lx;
    const name: number[] = [];
    if (lx.readPhrase(name) <= 0 || lx.peek() !== 0x3c) return -1;
    this.cur.name = name.length > 0 ? Buffer.from(name) : null;
    if (this.angleAddr() < 0) this.cur.host = SYNTAX_ERROR;
    return lx.atEnd ? 0 : 1;
  }

  /** angle-addr = "<" [obs-route] addr-spec ">" */
  private angleAddr(): Step {
    const lx = this.lx;
    lx.pos++;
    let step = lx.skipCfws();
    if (step <= 0) return step;
    if (lx.peek() === 0x40) {
      if (this.route() <= 0 || lx.peek() !== 0x3a) {
        this.cur.route = INVALID_ROUTE;
        return -1;
      }
      lx.pos++;
      step = lx.skipCfws();
      if (step <= 0) return step;
    }
    step = this.localPart();
    if (step <= 0) return step;
    if (lx.peek() === 0x40) {
      step = this.domain();
      if (step <= 0) return step;
    }
    if (lx.peek() !== 0x3e) return -1;
    lx.pos++;
    return lx.skipCfws();
  }

  /** RFC 5322 §4.4 obs-route: "@a,@b:" becomes adl "@a,@b" (RFC 3501 §7.4.2) */
  private route(): Step {
    const lx = this.lx;
    const out: number[] = [];
    for (;;) {
      if (lx.atEnd) return 0;
      if (lx.peek() !== 0x40) break;
      if (out.length > 0) out.push(0x2c);
      out.push(0x40);
      const step = lx.readDomain(out);
      if (step <= 0) return step;
      while (lx.skipCfws() > 0 && lx.peek() === 0x2c) lx.pos++;
    }
    this.cur.route = Buffer.from(out);
    return 1;
  }

  /** addr-spec = local-part "@" domain; a comment after it names the mailbox when nothing else does */
  private addrSpec(): Step {
    const lx = this.lx;
    lx.lastComment = [];
    let step = this.localPart();
    if (step !== 0 && lx.peek() === 0x40) {
      const domainStep = this.domain();
      if (domainStep <= 0) step = domainStep;
    }
    if (lx.lastComment && lx.lastComment.length > 0) this.cur.name = Buffer.from(lx.lastComment);
    return step;
  }

  /** local-part = dot-atom / quoted-string (quotes removed, RFC 5322 §3.4.1) */
  private localPart(): Step {
    const lx = this.lx;
    const out: number[] = [];
    const step = lx.peek() === 0x22 ? lx.readQuotedString(out) : lx.readDotAtom(out);
    if (step < 0) return -1;
    this.cur.mailbox = Buffer.from(out);
    return step;
  }

  private domain(): Step {
    const out: number[] = [];
    const step = this.lx.readDomain(out);
    if (step < 0) return -1;
    this.cur.host = Buffer.from(out);
    return step;
  }
}

/** Parses an address header value (unfolded); null when it holds no address at all. */
export function parseAddressList(value: Buffer): RawAddress[] | null {
  const list = new AddressListParser(value).parse();
  return list && list.length > 0 ? list : null;
}
