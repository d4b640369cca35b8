import { ValueSyntaxError } from './errors.js';

/**
 * Mailbox names on the wire. An IMAP4rev1 session uses modified UTF-7 (RFC 3501 §5.1.3);
 * once UTF8=ACCEPT (RFC 6855 §3) or IMAP4rev2 (RFC 9051 §5.1) is enabled, names are
 * raw UTF-8. Inside hopthu a name is always a Unicode string in NFC.
 */

const PRINTABLE = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const B64 = /^[A-Za-z0-9+,]+$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** RFC 3501 §5.1.3: "&" starts modified BASE64 (with "," for "/") of UTF-16, "-" ends it, "&-" is "&". */
export function decodeModifiedUtf7(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!PRINTABLE(c)) {
      throw new ValueSyntaxError(`Character 0x${c.toString(16)} cannot appear in a modified UTF-7 mailbox name (RFC 3501 section 5.1.3)`);
    }
    if (c !== 0x26) {
      out += text[i];
      i++;
      continue;
    }
    const dash = text.indexOf('-', i + 1);
    if (dash < 0) throw new ValueSyntaxError(`"&" at ${i} starts a modified BASE64 run that no "-" ends (RFC 3501 section 5.1.3)`);
    if (dash === i + 1) {
      out += '&';
    } else {
      out += decodeRun(text.slice(i + 1, dash), i);
    }
    i = dash + 1;
  }
  return out;
}

function decodeRun(run: string, at: number): string {
  const bad = (why: string): never => {
    throw new ValueSyntaxError(`Invalid modified BASE64 "&${run}-" at ${at}: ${why} (RFC 3501 section 5.1.3)`);
  };
  if (!B64.test(run)) bad('only A-Z a-z 0-9 + , may appear');
  const std = run.replace(/,/g, '/');
  const bytes = Buffer.from(std, 'base64');
  // the unused low bits must be zero, and no "=" padding: re-encoding must give the same text
  if (bytes.toString('base64').replace(/=+$/, '') !== std) bad('it is not canonical base64');
  if (bytes.length % 2 !== 0) bad('it does not hold whole UTF-16 code units');
  let out = '';
  for (let k = 0; k < bytes.length; k += 2) {
    const unit = bytes.readUInt16BE(k);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = k + 2 < bytes.length ? bytes.readUInt16BE(k + 2) : -1;
      if (low < 0xdc00 || low > 0xdfff) bad('a UTF-16 surrogate is unpaired');
      out += String.fromCharCode(unit, low);
      k += 2;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      bad('a UTF-16 surrogate is unpaired');
    } else {
      if (PRINTABLE(unit)) bad(`it encodes "${String.fromCharCode(unit)}", which must represent itself`);
      out += String.fromCharCode(unit);
    }
  }
  return out;
}

/** RFC 3501 §5.1.3: printable US-ASCII stands for itself ("&" as "&-"); everything else goes in "&...-" runs. */
export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const bytes = Buffer.alloc(run.length * 2);
    run.forEach((u, k) => bytes.writeUInt16BE(u, k * 2));
    out += `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = [];
  };
  for (let i = 0; i < name.length; i++) {
    const u = name.charCodeAt(i);
    if (PRINTABLE(u)) {
      flush();
      out += u === 0x26 ? '&-' : name[i];
    } else {
      run.push(u);
    }
  }
  flush();
  return out;
}

export interface MailboxNameOptions {
  /** UTF8=ACCEPT or IMAP4rev2 is enabled: names are raw UTF-8, not modified UTF-7 */
  utf8: boolean;
  /** a LIST pattern or reference: wildcards kept, INBOX not normalised */
  pattern?: boolean;
}

/** A mailbox name (or LIST pattern) as the client sent it, made into hopthu's form. */
export function decodeMailboxName(bytes: Buffer, options: MailboxNameOptions): string {
  let name: string;
  if (options.utf8) {
    try {
      name = utf8Decoder.decode(bytes);
    } catch {
      throw new ValueSyntaxError('Mailbox name is not valid UTF-8');
    }
  } else {
    if (bytes.some((c) => c >= 0x80)) {
      throw new ValueSyntaxError('8-bit mailbox names need UTF8=ACCEPT; otherwise send modified UTF-7 (RFC 3501 section 5.1.3)');
    }
    name = decodeModifiedUtf7(bytes.toString('latin1'));
  }
  // RFC 9051 §5.1 / RFC 5198 §2: Net-Unicode, no control characters
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new ValueSyntaxError('Mailbox names cannot contain control characters');
  name = name.normalize('NFC');
  // RFC 9051 §5.1: the name INBOX is case-insensitive
  if (!options.pattern && /^inbox$/i.test(name)) return 'INBOX';
  return name;
}

/** A mailbox name as the wire shows it (quote it with imapString). */
export function encodeMailboxName(name: string, utf8: boolean): Buffer {
  return utf8 ? Buffer.from(name, 'utf8') : Buffer.from(encodeModifiedUtf7(name), 'latin1');
}
