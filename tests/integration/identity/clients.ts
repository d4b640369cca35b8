/** Logging in as mail clients do: nodemailer over submission (AUTH PLAIN) and imapflow (LOGIN). */
import nodemailer from 'nodemailer';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { RunningServer } from '../../../src/cli/server.js';
import type { AuthSettings } from '../../../src/identity/authenticate.js';
import type { LoginGuard } from '../../../src/identity/lockout.js';

/** 'ok', or the server's reply line ("535 5.7.8 ...") */
export function smtpLogin(server: RunningServer, user: string, pass: string): Promise<string> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user, pass } });
  return transport.verify().then(
    () => 'ok',
    (e: { response?: string; message: string }) => e.response ?? e.message,
  ).finally(() => transport.close());
}

/** 'ok', or the IMAP response code of the NO (AUTHENTICATIONFAILED, UNAVAILABLE, EXPIRED) */
export async function imapLogin(server: RunningServer, user: string, pass: string): Promise<string> {
  const client = new ImapFlow({
    host: '127.0.0.1', port: server.ports.imap!, secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false,
  } as ImapFlowOptions);
  client.on('error', () => {});
  try {
    await client.connect();
    await client.logout();
    return 'ok';
  } catch (e) {
    const err = e as { serverResponseCode?: string; responseText?: string; message: string };
    return err.serverResponseCode ?? err.message;
  }
}

export const authSettings = (server: RunningServer): AuthSettings => server.runtime.config;
export const loginGuard = (server: RunningServer): LoginGuard => ({ redis: server.context.redis, prefix: server.runtime.config.redisPrefix, policy: server.runtime.config.lockout });
