import { HopthuError, isUserError } from '../shared/errors.js';
import { ImapBadCharsetError, ImapSyntaxError } from './protocol/errors.js';
import { codes, type ResponseCode } from './protocol/response-writer.js';

/** A refusal the client caused: the dispatcher answers `tag NO [code] text`. */
export class ImapNo extends HopthuError {
  override name = 'ImapNo';
  constructor(
    readonly responseCode: ResponseCode | null,
    message: string,
  ) {
    super('imap-no', message);
  }
}

/** A command that makes no sense here: the dispatcher answers `tag BAD text`. */
export class ImapBad extends HopthuError {
  override name = 'ImapBad';
  constructor(message: string) {
    super('imap-bad', message);
  }
}

/** mail/index.ts's UserError codes → RFC 9051 §7.1 response codes */
const USER_ERROR_CODES: Record<string, string> = {
  'no-such-mailbox': 'NONEXISTENT',
  'already-exists': 'ALREADYEXISTS',
  'has-children': 'HASCHILDREN',
  cannot: 'CANNOT',
  noselect: 'CANNOT',
  'bad-mailbox-name': 'CANNOT',
  'over-quota': 'OVERQUOTA',
  'quota-exceeded': 'OVERQUOTA',
  'bad-special-use': 'USEATTR',
  'bad-flag': 'CANNOT',
  'too-many-keywords': 'LIMIT',
};

export type WireFailure = { status: 'NO' | 'BAD'; code: ResponseCode | null; text: string };

/** Turns what a command threw into the tagged answer; null when it is a server fault. */
export function failureOf(err: unknown): WireFailure | null {
  if (err instanceof ImapNo) return { status: 'NO', code: err.responseCode, text: err.message };
  if (err instanceof ImapBad) return { status: 'BAD', code: null, text: err.message };
  if (err instanceof ImapBadCharsetError) return { status: 'NO', code: codes.badCharset(['UTF-8', 'US-ASCII']), text: err.message };
  if (err instanceof ImapSyntaxError) return { status: 'BAD', code: err.responseCode, text: err.message };
  if (isUserError(err)) return { status: 'NO', code: USER_ERROR_CODES[err.code] ?? null, text: err.message };
  return null;
}
