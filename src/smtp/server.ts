import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { authenticatePassword } from '../identity/authenticate.js';
import { SMTP_LIMITS } from '../shared/limits.js';
import { smtpSessions } from '../shared/metrics.js';
import type { ListenerRole, SmtpContext, SessionUser } from './context.js';
import { installEnhancedCodePassthrough } from './enhanced-codes.js';
import { checkMailFrom, checkRcptTo } from './envelope-checks.js';
import { acceptData } from './accept-data.js';
import { hook, reject, toSmtpError } from './refusal.js';

export interface SmtpListener {
  role: ListenerRole;
  port: number;
  close(): Promise<void>;
}

/**
 * One smtp-server per role: MX (port 25: mail for local domains, no AUTH), submission
 * (587: STARTTLS, then AUTH required) and submissions (465: implicit TLS, RFC 8314).
 */
export function createSmtpServer(ctx: SmtpContext, role: ListenerRole): SMTPServer {
  installEnhancedCodePassthrough();
  const log = ctx.log.child({ component: `smtp-${role}` });
  const unexpected = (err: unknown) => log.error({ err: (err as Error).message, stack: (err as Error).stack }, 'SMTP session error');
  const options: SMTPServerOptions = {
    name: ctx.config.hostname,
    banner: 'hopthu ready',
    // RFC 2034 enhanced status codes and RFC 3461 DSN parameters (NOTIFY, RET, ENVID) are supported
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    key: ctx.tls.key,
    cert: ctx.tls.cert,
    secure: role === 'submissions',
    // RFC 1870: SIZE is announced and enforced
    size: ctx.config.smtp.maxMessageBytes,
    // RFC 8314 §3.3 / RFC 6409 §4.3: AUTH only over TLS on submission
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: role === 'mx',
    disabledCommands: role === 'mx' ? ['AUTH'] : [],
    // RFC 5321 §4.5.3.1.4: a command line is at most 512 octets
    maxCommandLength: SMTP_LIMITS.commandLineOctets,
    maxAllowedUnauthenticatedCommands: role === 'mx' ? false : 20,
    socketTimeout: ctx.config.smtp.socketTimeoutSeconds * 1000,
    closeTimeout: 10_000,
    // reverse DNS goes through our resolver or not at all; a PTR name is informational only
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      if (!ctx.connections.tryOpen(session.remoteAddress)) {
        return callback(toSmtpError(reject(421, '4.7.0', `too many connections from ${session.remoteAddress}; please try again later`)));
      }
      (session as SMTPServerSession & { counted?: boolean }).counted = true;
      smtpSessions.inc({ listener: role });
      callback();
    },
    onClose(session) {
      if ((session as SMTPServerSession & { counted?: boolean }).counted) ctx.connections.close(session.remoteAddress);
    },
    onAuth(auth, session, callback) {
      if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') {
        return callback(toSmtpError(reject(504, '5.5.4', 'use AUTH PLAIN or AUTH LOGIN')));
      }
      authenticatePassword(ctx.db, ctx.authSettings, {
        username: auth.username ?? '',
        password: auth.password ?? '',
        service: 'smtp',
        remoteAddress: session.remoteAddress,
        client: session.hostNameAppearsAs,
      }, { redis: ctx.redis, prefix: ctx.config.redisPrefix, policy: ctx.config.lockout }).then(
        (result) => {
          if (!result.ok) {
            if (result.reason === 'unavailable') {
              // RFC 4954 §6: 454 4.7.0 temporary authentication failure
              return callback(toSmtpError(reject(454, '4.7.0', 'the directory that checks passwords cannot be reached just now; please try again in a few minutes')));
            }
            if (result.reason === 'locked') {
              // RFC 4954 §6: 454 4.7.0 temporary authentication failure
              return callback(toSmtpError(reject(454, '4.7.0', `too many failed logins; try again in ${Math.ceil((result.retryAfterSeconds ?? 60) / 60)} minute(s) or ask your administrator to unlock the account`)));
            }
            const text = result.reason === 'disabled'
              ? 'this account is disabled; please contact your administrator'
              : result.reason === 'password-expired'
                ? 'your password has expired; set a new one in the webmail'
                : 'the username or password is not correct';
            return callback(toSmtpError(reject(535, '5.7.8', text)));
          }
          const user: SessionUser = { accountId: result.account.id, address: result.account.address };
          callback(null, { user });
        },
        (err: unknown) => {
          unexpected(err);
          callback(toSmtpError(reject(454, '4.7.0', 'temporary authentication failure; please try again later')));
        },
      );
    },
    onMailFrom: hook(async (address, session) => checkMailFrom(ctx, role, address, session), unexpected),
    onRcptTo: hook(async (address, session) => {
      (address as typeof address & { route?: string }).route = await checkRcptTo(ctx, role, address, session);
    }, unexpected),
    onData(stream, session, callback) {
      acceptData(ctx, role, stream, session).then(
        (reply) => callback(null, reply),
        (err: unknown) => {
          // drain what is left so the session can go on
          stream.resume();
          const known = (err as { responseCode?: number }).responseCode !== undefined || (err as Error).name === 'SmtpReject';
          if (!known) unexpected(err);
          const smtpErr = (err as Error).name === 'SmtpReject'
            ? toSmtpError(err as never)
            : toSmtpError(reject(451, '4.3.0', 'the message could not be stored; please try again later'));
          callback(smtpErr);
        },
      );
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (err) => log.warn({ err: err.message }, 'SMTP server error'));
  return server;
}

export async function listenSmtp(ctx: SmtpContext, role: ListenerRole, port: number, host: string): Promise<SmtpListener> {
  const server = createSmtpServer(ctx, role);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  ctx.log.info({ role, port: bound, host }, 'SMTP listening');
  return {
    role,
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
