import { HopthuError } from '../../shared/errors.js';

/** RFC 3501 §9: response text is 7-bit; what a message echoes from the client is escaped */
const ascii = (text: string): string =>
  text.replace(/[^\x20-\x7e]/gu, (c) => {
    const n = c.codePointAt(0) as number;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });

/**
 * A command that does not follow the IMAP grammar. The dispatcher answers it with a
 * tagged BAD (RFC 9051 §7.1.3), or an untagged one when the tag itself was unreadable.
 * The message is plain ASCII, safe to send as the response text.
 */
export class ImapSyntaxError extends HopthuError {
  override name = 'ImapSyntaxError';
  constructor(
    message: string,
    /** byte offset from the start of the command (the tag is at 0) */
    readonly position: number,
    /** a response code to send with the BAD, e.g. 'TOOBIG' */
    readonly responseCode: string | null = null,
  ) {
    super('imap-syntax', ascii(message));
  }
}

/**
 * SEARCH, SORT or THREAD named a charset we cannot decode: RFC 9051 §6.4.4 answers
 * NO [BADCHARSET (charsets we support)], not BAD.
 */
export class ImapBadCharsetError extends HopthuError {
  override name = 'ImapBadCharsetError';
  constructor(readonly charset: string) {
    super('imap-badcharset', `Charset "${charset}" is not supported`);
  }
}

export type ImapProtocolError = ImapSyntaxError | ImapBadCharsetError;

export const isImapProtocolError = (err: unknown): err is ImapProtocolError =>
  err instanceof ImapSyntaxError || err instanceof ImapBadCharsetError;

/**
 * A value (date, mailbox name, sequence set, ...) that does not follow its production,
 * from the helpers that read one value out of context. The argument parser turns it into
 * an ImapSyntaxError at the position of the token.
 */
export class ValueSyntaxError extends Error {
  override name = 'ValueSyntaxError';
}
