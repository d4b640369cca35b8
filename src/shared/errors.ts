/**
 * Errors say who caused them. A front end (SMTP dispatcher, IMAP dispatcher, HTTP
 * error handler) turns these into wire responses; nothing else writes refusals.
 */
export class HopthuError extends Error {
  override name = 'HopthuError';
  constructor(
    /** stable machine-readable code, e.g. 'no-such-domain' */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller asked for something that is not allowed or does not exist. */
export class UserError extends HopthuError {
  override name = 'UserError';
}

/** A refusal in SMTP terms: basic and enhanced status code plus a human sentence. */
export class SmtpReject extends HopthuError {
  override name = 'SmtpReject';
  constructor(
    readonly responseCode: number,
    readonly enhanced: string,
    message: string,
  ) {
    super(`smtp-${responseCode}`, message);
  }
  get temporary() {
    return this.responseCode >= 400 && this.responseCode < 500;
  }
}

export const isUserError = (err: unknown): err is UserError => err instanceof UserError;
