import { formatDateTime } from './datetime.js';
import { imapString } from './imap-string.js';
import { encodeMailboxName } from './mailbox-name.js';
import { formatSequenceSet } from './sequence-set.js';

export { formatSequenceSet } from './sequence-set.js';
export { encodeMailboxName, encodeModifiedUtf7 } from './mailbox-name.js';

/**
 * Server responses as Buffers (RFC 9051 §7): status lines with response codes, untagged
 * data, continuation requests, and a serializer for the values inside them.
 */

export interface ImapAtom {
  readonly atom: string;
}
/** octets already in wire form (an ENVELOPE or BODYSTRUCTURE rendering, a pre-built list) */
export interface ImapRaw {
  readonly raw: Buffer;
}
/** RFC 3516 §4.2: ~{n} literal8, for BINARY data that may hold NUL */
export interface ImapLiteral8 {
  readonly literal8: Buffer;
}
/** a {n} literal, even where a quoted string would do */
export interface ImapLiteral {
  readonly literal: Buffer;
}

/**
 * A value in a response: number → decimal; null → NIL; string or Buffer → an IMAP string
 * (quoted when it can be, a literal otherwise; a string is sent as UTF-8); array → a
 * parenthesised list; and the wrappers above.
 */
export type ImapValue = number | bigint | null | string | Buffer | ImapAtom | ImapRaw | ImapLiteral8 | ImapLiteral | readonly ImapValue[];

export const atom = (text: string): ImapAtom => ({ atom: text });
export const raw = (bytes: Buffer): ImapRaw => ({ raw: bytes });
export const literal8 = (bytes: Buffer): ImapLiteral8 => ({ literal8: bytes });
export const literal = (bytes: Buffer): ImapLiteral => ({ literal: bytes });

/**
 * a mailbox name as its string value: modified UTF-7 unless UTF8=ACCEPT/IMAP4rev2 is on
 * (RFC 3501 §5.1.3, RFC 6855 §3), then UTF-8, quoted where it can be (RFC 9051 §4.3)
 */
export const mailboxValue = (name: string, utf8: boolean): ImapValue => (utf8 ? raw(imapString(encodeMailboxName(name, true), true)) : encodeMailboxName(name, false));

/** an INTERNALDATE value: "17-Jul-1996 02:44:25 -0700" */
export const dateTimeValue = (date: Date, offsetMinutes = 0): ImapRaw => raw(Buffer.from(`"${formatDateTime(date, offsetMinutes)}"`));

/** a sequence set as an atom: "1:5,7,9:12" */
export const sequenceSetValue = (values: Iterable<number>): ImapAtom => atom(formatSequenceSet(values));

const SP = Buffer.from(' ');
const CRLF = Buffer.from('\r\n');

/** the "{n}\r\n" (or "~{n}\r\n", RFC 3516 §4.2) that starts a literal */
const literalPrefix = (octets: number, binary: boolean): string => `${binary ? '~' : ''}{${octets}}\r\n`;

/**
 * A response being built: its text grows as one string, and becomes bytes only where a
 * value already in wire form (a Buffer) comes, so a FETCH response is a few Buffers rather
 * than one per token.
 */
class WireBuilder {
  private readonly parts: Buffer[] = [];
  private text = '';

  add(text: string): void {
    this.text += text;
  }

  bytes(bytes: Buffer): void {
    this.flushText();
    this.parts.push(bytes);
  }

  done(): Buffer {
    this.flushText();
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }

  private flushText(): void {
    if (this.text === '') return;
    this.parts.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}

function collect(value: ImapValue, out: WireBuilder): void {
  if (value === null) out.add('NIL');
  else if (typeof value === 'number' || typeof value === 'bigint') out.add(String(value));
  else if (typeof value === 'string') out.bytes(imapString(Buffer.from(value, 'utf8')));
  else if (Buffer.isBuffer(value)) out.bytes(imapString(value));
  else if (Array.isArray(value)) {
    out.add('(');
    collectAll(value as readonly ImapValue[], out);
    out.add(')');
  } else if ('atom' in value) out.add(value.atom);
  else if ('raw' in value) out.bytes(value.raw);
  else if ('literal8' in value) {
    out.add(literalPrefix(value.literal8.length, true));
    out.bytes(value.literal8);
  } else if ('literal' in value) {
    out.add(literalPrefix(value.literal.length, false));
    out.bytes(value.literal);
  }
}

/** values separated by SP */
function collectAll(values: readonly ImapValue[], out: WireBuilder): void {
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out.add(' ');
    collect(values[i]!, out);
  }
}

export function serializeValue(value: ImapValue): Buffer {
  const out = new WireBuilder();
  collect(value, out);
  return out.done();
}

/** values separated by SP */
export function serializeValues(values: readonly ImapValue[]): Buffer {
  const out = new WireBuilder();
  collectAll(values, out);
  return out.done();
}

// ---------------------------------------------------------------- response codes

/** RFC 9051 §7.1: a code alone ('ALREADYEXISTS') or with arguments */
export type ResponseCode = string | { readonly name: string; readonly args: readonly ImapValue[] };

const withArgs = (name: string, ...args: ImapValue[]): ResponseCode => ({ name, args });

/** Constructors for the response codes with arguments. */
export const codes = {
  /** RFC 4315 §3: APPENDUID uidvalidity uid-set */
  appendUid: (uidValidity: number, uids: readonly number[]) => withArgs('APPENDUID', uidValidity, atom(formatSequenceSet(uids))),
  /** RFC 4315 §3: COPYUID uidvalidity source-set dest-set, the two sets paired in order */
  copyUid: (uidValidity: number, source: readonly number[], dest: readonly number[]) =>
    withArgs('COPYUID', uidValidity, atom(formatSequenceSet(source)), atom(formatSequenceSet(dest))),
  /** RFC 7162 §3.1.2.1 */
  highestModseq: (modseq: number | bigint) => withArgs('HIGHESTMODSEQ', modseq),
  /** RFC 7162 §3.1.3: the messages a conditional STORE did not change */
  modified: (set: readonly number[]) => withArgs('MODIFIED', atom(formatSequenceSet(set))),
  uidNext: (uid: number) => withArgs('UIDNEXT', uid),
  uidValidity: (v: number) => withArgs('UIDVALIDITY', v),
  unseen: (seq: number) => withArgs('UNSEEN', seq),
  permanentFlags: (flags: readonly string[]) => withArgs('PERMANENTFLAGS', flags.map(atom)),
  /** RFC 9051 §7.1: BADCHARSET, optionally with the charsets we support */
  badCharset: (charsets: readonly string[] = []) => (charsets.length ? withArgs('BADCHARSET', charsets.map(atom)) : 'BADCHARSET'),
  capability: (caps: readonly string[]) => withArgs('CAPABILITY', ...caps.map(atom)),
  /** RFC 7889 §3 */
  appendLimit: (octets: number) => withArgs('APPENDLIMIT', octets),
} as const;

function codeBytes(code: ResponseCode): Buffer {
  if (typeof code === 'string') return Buffer.from(`[${code}]`);
  return Buffer.concat([Buffer.from(`[${code.name}`), ...(code.args.length ? [SP, serializeValues(code.args)] : []), Buffer.from(']')]);
}

/** RFC 9051 §9 text = 1*TEXT-CHAR: no CR, LF or NUL, and not empty */
function cleanText(text: string, fallback: string): string {
  const t = text.replace(/[\r\n\0]+/g, ' ').trim();
  return t === '' ? fallback : t;
}

export type StatusCondition = 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';

/** `tag SP status SP ["[" code "]" SP] text CRLF`; tag "*" for an untagged status */
export function statusResponse(tag: string, status: StatusCondition, text: string, code?: ResponseCode | null): Buffer {
  let human = cleanText(text, status === 'OK' ? 'Completed' : status === 'BAD' ? 'Invalid command' : 'Failed');
  // RFC 9051 §7.1: a text starting with "[" would be read as a response code
  if (!code && human.startsWith('[')) human = `- ${human}`;
  return Buffer.concat([Buffer.from(`${tag} ${status} `), ...(code ? [codeBytes(code), SP] : []), Buffer.from(human, 'utf8'), CRLF]);
}

export const tagged = (tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: ResponseCode | null): Buffer =>
  statusResponse(tag, status, text, code);

export const untaggedStatus = (status: StatusCondition, text: string, code?: ResponseCode | null): Buffer =>
  statusResponse('*', status, text, code);

/** `* ` values CRLF: `untagged(5, atom('EXISTS'))`, `untagged(atom('FLAGS'), flags.map(atom))` */
export function untagged(...values: readonly ImapValue[]): Buffer {
  const out = new WireBuilder();
  out.add('* ');
  collectAll(values, out);
  out.add('\r\n');
  return out.done();
}

/** RFC 9051 §7.5: "+" SP (resp-text / base64) CRLF */
export function continuation(text = 'Ready for literal data'): Buffer {
  return Buffer.from(`+ ${cleanText(text, 'Ready')}\r\n`, 'utf8');
}

/** RFC 9051 §6.2.2: a SASL challenge, base64 (empty for an empty challenge) */
export function saslChallenge(data: Buffer): Buffer {
  return Buffer.from(`+ ${data.toString('base64')}\r\n`);
}
