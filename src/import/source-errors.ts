import { UserError } from '../shared/errors.js';

/** What imapflow puts on the errors it throws (its ImapFlowError), as far as an import reads it. */
interface ImapFlowFailure {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  /** 'NO' or 'BAD' when the server refused a command */
  responseStatus?: string;
  responseText?: string;
}

const TLS_CODE = /^ERR_SSL_|^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/;

/**
 * A failure to reach or log in to the old server as one sentence naming the server, the
 * old user and what to do: the line the import's summary prints for that account.
 */
export function connectFailure(err: unknown, where: { host: string; port: number; user: string }): UserError {
  const e = (err ?? {}) as ImapFlowFailure;
  const server = `${where.host}:${where.port}`;
  const detail = e.responseText?.trim();
  if (e.authenticationFailed) {
    return new UserError('import-login-refused', `${server} refused the login of ${where.user}${detail ? ` (${detail})` : ''}: check the user and password in the account map`);
  }
  if (e.code === 'ECONNREFUSED') return new UserError('import-unreachable', `nothing answers on ${server} (connection refused): check the host and port of --from`);
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new UserError('import-unreachable', `${where.host} is not a name DNS knows: check the host of --from`);
  if (e.code === 'ETIMEDOUT' || e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT') return new UserError('import-unreachable', `${server} did not answer in time (${e.code})`);
  if (e.tlsFailed || (e.code && TLS_CODE.test(e.code))) {
    return new UserError(
      'import-tls',
      `TLS with ${server} failed (${e.code ?? e.message}): imaps:// needs the port that starts TLS at once (993), imap:// the one that offers STARTTLS (143); for a self-signed certificate add --insecure`,
    );
  }
  return new UserError('import-unreachable', `cannot log in to ${server} as ${where.user}: ${detail ?? e.message ?? String(err)}`);
}

/** The old server answered NO to a command on one folder (it cannot open it): that folder is skipped, not the account. */
export const isFolderRefusedByServer = (err: unknown) => (err as ImapFlowFailure | undefined)?.responseStatus === 'NO';

/** The connection broke in the middle of a folder: what was committed stays, and the next run continues from there. */
export function brokenConnection(err: unknown, server: string, doing: string): UserError {
  const e = (err ?? {}) as ImapFlowFailure;
  return new UserError(
    'import-interrupted',
    `the connection to ${server} broke while ${doing} (${e.code ?? e.message ?? String(err)}); what was copied is kept, and running the import again continues from there`,
  );
}
