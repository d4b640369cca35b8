import { IMAP_LIMITS } from '../../shared/limits.js';
import type { ImapLimits, ReadCommand } from './command-reader.js';
import { parseDateTime, parseSearchDate, type ImapDateTime, type SearchDate } from './datetime.js';
import { ImapSyntaxError, ValueSyntaxError } from './errors.js';
import { normalizeFlag } from './flags.js';
import { ASTRING_ATOM, ATOM, DIGITS, LIST_CHARS } from './grammar.js';
import { decodeMailboxName } from './mailbox-name.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';
import { describeToken, type AtomToken, type Token } from './tokens.js';

/**
 * A cursor over the argument tokens of one command, with one method per shared
 * production of RFC 9051 §9. Every failure is an ImapSyntaxError that names the command,
 * what was expected, the byte offset and what was found.
 */

export interface ParseContext {
  /** UTF8=ACCEPT (RFC 6855) or IMAP4rev2 is enabled: mailbox names are raw UTF-8 */
  utf8: boolean;
  limits: ImapLimits;
}

/** The octets of an APPEND message: collected in memory, or streamed to the owner's sink. */
export type MessageData =
  | { kind: 'bytes'; bytes: Buffer; binary: boolean }
  | { kind: 'streamed'; size: number; binary: boolean; result: unknown };

/** RFC 9051 §9: number = 1*DIGIT, an unsigned 32-bit integer */
const MAX_NUMBER = 4294967295;
/** RFC 9051 §9 number64 and RFC 7162 §7 mod-sequence-value: up to 2^63-1 */
const MAX_NUMBER64 = 9223372036854775807n;

export class ArgParser {
  private i = 0;
  readonly utf8: boolean;
  readonly limits: ImapLimits;

  constructor(
    private readonly tokens: readonly Token[],
    /** the command name errors start with, e.g. "UID FETCH" */
    readonly command: string,
    /** byte offset of the end of the command */
    private readonly endPos: number,
    context: Partial<ParseContext> = {},
  ) {
    this.utf8 = context.utf8 ?? false;
    this.limits = context.limits ?? IMAP_LIMITS;
  }

  static of(cmd: ReadCommand, context: Partial<ParseContext> = {}): ArgParser {
    return new ArgParser(cmd.args, cmd.uid ? `UID ${cmd.name}` : cmd.name, cmd.end, context);
  }

  // ---------------------------------------------------------------- cursor

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.i + ahead];
  }

  get atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  /** byte offset of the next token (or of the end of the command) */
  position(): number {
    return this.peek()?.pos ?? this.endPos;
  }

  /** throws "<COMMAND>: expected <what> at byte N, found X" */
  fail(expected: string, token: Token | undefined = this.peek()): never {
    const pos = token?.pos ?? this.endPos;
    throw new ImapSyntaxError(`${this.command}: expected ${expected} at byte ${pos}, found ${describeToken(token)}`, pos);
  }

  /** throws "<COMMAND>: <message> (byte N)" */
  failAt(token: Token | undefined, message: string, responseCode: string | null = null): never {
    const pos = token?.pos ?? this.endPos;
    throw new ImapSyntaxError(`${this.command}: ${message} (byte ${pos})`, pos, responseCode);
  }

  /** runs a value helper, turning its ValueSyntaxError into an ImapSyntaxError at `token` */
  convert<T>(token: Token, read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof ValueSyntaxError) this.failAt(token, err.message);
      throw err;
    }
  }

  /** the command must end here */
  end(): void {
    const t = this.peek();
    if (t) throw new ImapSyntaxError(`${this.command}: unexpected ${describeToken(t)} at byte ${t.pos}; the command should end there`, t.pos);
  }

  // ---------------------------------------------------------------- atoms and numbers

  /** any word token (atom-like run), unvalidated */
  word(expected: string): AtomToken {
    const t = this.peek();
    if (t?.kind !== 'atom') this.fail(expected, t);
    this.i++;
    return t;
  }

  /** RFC 9051 §9 atom */
  atom(expected: string): string {
    const t = this.word(expected);
    if (!ATOM.test(t.text)) this.fail(expected, t);
    return t.text;
  }

  /** the next word upper-cased, if the next token is a word */
  peekKeyword(ahead = 0): string | null {
    const t = this.peek(ahead);
    return t?.kind === 'atom' ? t.text.toUpperCase() : null;
  }

  /** consumes the next word if it is `word` (case-insensitive) */
  tryKeyword(word: string): boolean {
    if (this.peekKeyword() !== word) return false;
    this.i++;
    return true;
  }

  /** an upper-cased atom, one of `allowed` when given */
  keyword<K extends string>(expected: string, allowed?: readonly K[]): K {
    const label = allowed ? `${expected} (${allowed.join(', ')})` : expected;
    const t = this.word(label);
    const upper = t.text.toUpperCase();
    if (allowed ? !(allowed as readonly string[]).includes(upper) : !ATOM.test(t.text)) this.fail(label, t);
    return upper as K;
  }

  private digits(expected: string): { token: AtomToken; value: bigint } {
    const t = this.word(expected);
    if (!DIGITS.test(t.text) || t.text.length > 20) this.fail(expected, t);
    return { token: t, value: BigInt(t.text) };
  }

  /** RFC 9051 §9 number: unsigned 32-bit */
  number(expected = 'a number'): number {
    const { token, value } = this.digits(expected);
    if (value > BigInt(MAX_NUMBER)) this.failAt(token, `${token.text} is larger than ${MAX_NUMBER}`);
    return Number(value);
  }

  /** RFC 9051 §9 nz-number: non-zero unsigned 32-bit */
  nzNumber(expected = 'a non-zero number'): number {
    const t = this.peek();
    const n = this.number(expected);
    if (n === 0) this.fail(expected, t);
    return n;
  }

  /**
   * RFC 9051 §9 number64 / RFC 7162 §7 mod-sequence-value (up to 2^63-1). Values beyond
   * Number.MAX_SAFE_INTEGER are clamped to it: no mailbox reaches them, so "larger than
   * anything we have" keeps its meaning.
   */
  number64(expected = 'a number'): number {
    const { token, value } = this.digits(expected);
    if (value > MAX_NUMBER64) this.failAt(token, `${token.text} is larger than 2^63-1`);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  }

  /** RFC 7162 §7 mod-sequence-valzer / mod-sequence-value */
  modSequence(expected = 'a mod-sequence value', nonZero = false): number {
    const t = this.peek();
    const n = this.number64(expected);
    if (nonZero && n === 0) this.fail(`${expected} (not 0)`, t);
    return n;
  }

  // ---------------------------------------------------------------- lists

  isOpen(): boolean {
    return this.peek()?.kind === 'open';
  }

  isClose(): boolean {
    return this.peek()?.kind === 'close';
  }

  open(expected: string): void {
    if (!this.isOpen()) this.fail(`"(" to start ${expected}`);
    this.i++;
  }

  close(expected: string): void {
    if (!this.isClose()) this.fail(`")" to end ${expected}`);
    this.i++;
  }

  /** "(" [item *(SP item)] ")", at least `min` items */
  list<T>(expected: string, item: () => T, min = 0): T[] {
    const start = this.peek();
    this.open(expected);
    const items: T[] = [];
    while (!this.isClose()) {
      if (this.atEnd) this.fail(`")" to end ${expected}`);
      items.push(item());
    }
    if (items.length < min) this.failAt(start, `${expected} cannot be empty`);
    this.i++;
    return items;
  }

  // ---------------------------------------------------------------- strings

  /** RFC 9051 §9 string = quoted / literal */
  string(expected = 'a string'): Buffer {
    const t = this.peek();
    if (t?.kind === 'literal' && t.binary) this.failAt(t, `a literal8 (~{n}) can only carry an APPEND message, not ${expected} (RFC 3516 section 4.4)`);
    if (t?.kind === 'quoted' || t?.kind === 'literal') {
      this.i++;
      return t.bytes;
    }
    if (t?.kind === 'streamed') this.failAt(t, `a streamed literal cannot be used as ${expected}`);
    return this.fail(expected, t);
  }

  /** RFC 9051 §9 astring = 1*ASTRING-CHAR / string (8-bit atoms tolerated, as UTF-8) */
  astring(expected = 'a string'): Buffer {
    const t = this.peek();
    if (t?.kind !== 'atom') return this.string(expected);
    if (!ASTRING_ATOM.test(t.text.replace(/[\x80-\xff]/g, 'x'))) this.fail(expected, t);
    this.i++;
    return Buffer.from(t.text, 'latin1');
  }

  /** RFC 9051 §9 nstring = string / nil */
  nstring(expected = 'a string or NIL'): Buffer | null {
    const t = this.peek();
    if (t?.kind === 'atom' && t.text.toUpperCase() === 'NIL') {
      this.i++;
      return null;
    }
    return this.string(expected);
  }

  /** an astring as UTF-8 text */
  text(expected = 'a string'): string {
    return this.astring(expected).toString('utf8');
  }

  // ---------------------------------------------------------------- mailboxes and flags

  /** RFC 9051 §9 mailbox = "INBOX" / astring, decoded (modified UTF-7 or UTF-8) */
  mailbox(expected = 'a mailbox name'): string {
    const t = this.peek() as Token;
    const bytes = this.astring(expected);
    return this.convert(t, () => decodeMailboxName(bytes, { utf8: this.utf8 }));
  }

  /** RFC 9051 §9 list-mailbox = 1*list-char / string: wildcards "%" and "*" kept */
  listMailbox(expected = 'a mailbox pattern'): string {
    const t = this.peek();
    let bytes: Buffer;
    if (t?.kind === 'atom') {
      if (!LIST_CHARS.test(t.text.replace(/[\x80-\xff]/g, 'x'))) this.fail(expected, t);
      this.i++;
      bytes = Buffer.from(t.text, 'latin1');
    } else {
      bytes = this.string(expected);
    }
    return this.convert(t as Token, () => decodeMailboxName(bytes, { utf8: this.utf8, pattern: true }));
  }

  flag(expected = 'a flag'): string {
    const t = this.word(expected);
    return this.convert(t, () => normalizeFlag(t.text));
  }

  /** RFC 9051 §9 flag-list = "(" [flag *(SP flag)] ")" */
  flagList(): string[] {
    return this.list('the flag list', () => this.flag());
  }

  // ---------------------------------------------------------------- dates and sets

  /** RFC 9051 §9 date-time, a quoted string */
  dateTime(expected = 'a date-time like "17-Jul-1996 02:44:25 -0700"'): ImapDateTime {
    const t = this.peek();
    if (t?.kind !== 'quoted') this.fail(expected, t);
    this.i++;
    return this.convert(t, () => parseDateTime(t.bytes.toString('latin1')));
  }

  /** RFC 9051 §9 date = date-text / DQUOTE date-text DQUOTE */
  searchDate(expected = 'a date like 1-Feb-2024'): SearchDate {
    const t = this.peek();
    let text: string;
    if (t?.kind === 'atom') text = t.text;
    else if (t?.kind === 'quoted') text = t.bytes.toString('latin1');
    else return this.fail(expected, t);
    this.i++;
    return this.convert(t, () => parseSearchDate(text));
  }

  /** RFC 9051 §9 sequence-set; "$" (RFC 5182) unless `saved` is false, "*" unless `star` is false */
  sequenceSet(expected = 'a sequence set', options: { saved?: boolean; star?: boolean } = {}): SequenceSet {
    const t = this.word(expected);
    const set = this.convert(t, () => parseSequenceSet(t.text));
    if (set.kind === 'saved' && options.saved === false) this.failAt(t, `"$" cannot be used as ${expected}`);
    if (options.star === false && set.kind === 'set' && set.ranges.some((r) => r.start === '*' || r.end === '*')) {
      this.failAt(t, `"*" cannot be used in ${expected}`);
    }
    return set;
  }

  /** does the next token look like a sequence set (for SEARCH, where a key may be one) */
  peekSequenceSet(): boolean {
    const t = this.peek();
    return t?.kind === 'atom' && /^[\d*$]/.test(t.text);
  }

  /** a message literal: literal or literal8, buffered or streamed (RFC 9051 §6.3.12, RFC 3516 §4.4) */
  messageData(expected = 'the message literal'): MessageData {
    const t = this.peek();
    if (t?.kind === 'literal') {
      this.i++;
      return { kind: 'bytes', bytes: t.bytes, binary: t.binary };
    }
    if (t?.kind === 'streamed') {
      this.i++;
      return { kind: 'streamed', size: t.size, binary: t.binary, result: t.result };
    }
    return this.fail(expected, t);
  }
}
