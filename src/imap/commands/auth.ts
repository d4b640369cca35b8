import { authenticatePassword, type AuthOutcome } from '../../identity/authenticate.js';
import { NOT_AUTHENTICATED, type Command, type Outcome } from '../command.js';
import { ImapBad, ImapNo } from '../errors.js';
import { parseSaslResponse } from '../protocol/misc-args.js';
import { codes, tagged } from '../protocol/response-writer.js';
import { answerFailure } from '../answer.js';
import type { Session } from '../session.js';

/** RFC 9051 §6.2.1 */
export const starttls: Command<'STARTTLS'> = {
  states: NOT_AUTHENTICATED,
  async run(session) {
    if (session.secure) throw new ImapBad('TLS is already active');
    return { text: 'Begin TLS negotiation now', after: () => session.startTls() };
  },
};

/** RFC 9051 §6.2.3 */
export const login: Command<'LOGIN'> = {
  states: NOT_AUTHENTICATED,
  async run(session, { username, password }) {
    return signIn(session, username, password);
  },
};

/** RFC 9051 §6.2.2 with SASL-IR (RFC 4959); only PLAIN (RFC 4616) */
export const authenticate: Command<'AUTHENTICATE'> = {
  states: NOT_AUTHENTICATED,
  async run(session, { mechanism, initialResponse }, { tag }) {
    if (mechanism !== 'PLAIN') throw new ImapNo('CANNOT', `SASL mechanism ${mechanism} is not supported; use PLAIN`);
    requirePrivacy(session);
    if (initialResponse !== null) return plain(session, initialResponse);
    // RFC 9051 §6.2.2: an empty challenge, then the client's response on a line of its own
    session.send(Buffer.from('+ \r\n'));
    session.expectLine(async (line) => {
      try {
        if (line.kind === 'too-long') throw new ImapBad('The SASL response is too long');
        const response = parseSaslResponse(line.bytes);
        if (response.cancel) throw new ImapBad('AUTHENTICATE cancelled'); // RFC 9051 §6.2.2: "*" cancels with BAD
        const outcome = await plain(session, response.data);
        session.send(tagged(tag, 'OK', outcome.text ?? 'Logged in', outcome.code ?? null));
      } catch (err) {
        answerFailure(session, tag, 'AUTHENTICATE', err);
      }
    });
    return { deferred: true };
  },
};

function requirePrivacy(session: Session): void {
  // RFC 9051 §6.2.3: a server advertising LOGINDISABLED refuses plaintext passwords
  if (!session.plaintextLoginAllowed) throw new ImapNo('PRIVACYREQUIRED', 'Use STARTTLS (or port 993) before logging in');
}

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd */
async function plain(session: Session, data: Buffer): Promise<Outcome> {
  const parts = data.toString('utf8').split('\0');
  if (parts.length !== 3) throw new ImapBad('Malformed PLAIN response (RFC 4616 section 2)');
  const [authzid, username, password] = parts as [string, string, string];
  if (authzid !== '' && authzid.toLowerCase() !== username.toLowerCase()) {
    throw new ImapNo('AUTHORIZATIONFAILED', 'Logging in as another user is not allowed');
  }
  return signIn(session, username, password);
}

async function signIn(session: Session, username: string, password: string): Promise<Outcome> {
  requirePrivacy(session);
  const { config, db } = session.ctx;
  const redis = session.ctx.events.redis;
  const outcome: AuthOutcome = await authenticatePassword(
    db,
    session.ctx.authSettings,
    { username, password, service: 'imap', remoteAddress: session.remoteAddress, client: session.clientId },
    { redis, prefix: config.redisPrefix, policy: config.lockout },
  );
  if (!outcome.ok) {
    // RFC 9051 §7.1: AUTHENTICATIONFAILED, or CONTACTADMIN / UNAVAILABLE
    if (outcome.reason === 'disabled') throw new ImapNo('CONTACTADMIN', 'This account is disabled; contact your administrator');
    if (outcome.reason === 'unavailable') throw new ImapNo('UNAVAILABLE', 'The directory that checks passwords cannot be reached just now; try again in a few minutes');
    if (outcome.reason === 'locked') throw new ImapNo('UNAVAILABLE', `Too many failed logins; try again in ${outcome.retryAfterSeconds ?? 900} seconds`);
    // RFC 5530 §3: EXPIRED, the password is right but no longer accepted
    if (outcome.reason === 'password-expired') throw new ImapNo('EXPIRED', 'Your password has expired; set a new one in the webmail');
    throw new ImapNo('AUTHENTICATIONFAILED', 'Invalid user name or password');
  }
  session.signIn(outcome.account);
  return { text: 'Logged in', code: codes.capability(session.capabilities()) };
}
