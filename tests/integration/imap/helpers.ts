import net from 'node:net';
import { expect } from 'vitest';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

export const PASSWORD = 'mật-khẩu-Thử-2026';

export interface ImapTestSetup {
  env: TestEnv;
  server: RunningServer;
  an: Account;
  ha: Account;
}

/** A server with the imap and smtp roles (and the worker, to deliver), and two accounts. */
export async function setupImap(overrides: Record<string, unknown> = {}): Promise<ImapTestSetup> {
  const env = await createTestEnv({ zones: { 'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  const server = await env.start(overrides);
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  const an = await addTestAccount(db, server.runtime.config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  const ha = await addTestAccount(db, server.runtime.config, 'hadtt@yenbai.gov.vn', { name: 'Đặng Thị Thu Hà', password: PASSWORD });
  return { env, server, an, ha };
}

export function imapClient(server: RunningServer, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: server.ports.imap!,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'annv@yenbai.gov.vn', pass: PASSWORD },
    logger: false,
    tls: { rejectUnauthorized: false },
    ...options,
  } as ImapFlowOptions);
}

/** sends a message through the MX port (delivered at acceptance when the server runs every role) */
export async function sendViaMx(server: RunningServer, subject: string, body?: string, to = 'annv@yenbai.gov.vn'): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, secure: false, tls: { rejectUnauthorized: false }, name: 'mail.sender.test' });
  await transport.sendMail({
    envelope: { from: 'sender@sender.test', to: [to] },
    raw: rawMessage({ from: 'Nguyễn Thị Lan <sender@sender.test>', to: [to], subject, ...(body ? { body } : {}) }),
  });
  transport.close();
}

/** A bare socket that speaks IMAP line by line, for what a client library hides. */
export class RawImap {
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawImap> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawImap(socket);
  }

  /** the next complete line, without CRLF */
  async line(timeoutMs = 5000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buffer.indexOf('\r\n');
      if (i >= 0) {
        const l = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        return l;
      }
      if (this.closed) throw new Error('connection closed');
      if (Date.now() > until) throw new Error(`no line within ${timeoutMs} ms; have ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** sends `tag command` and returns every line up to and including the tagged one */
  async command(tag: string, command: string): Promise<string[]> {
    this.write(`${tag} ${command}\r\n`);
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      lines.push(l);
      if (l.startsWith(`${tag} `)) return lines;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A raw connection past the greeting, logged in (the login must succeed). */
export async function rawLoggedIn(port: number, user = 'annv@yenbai.gov.vn'): Promise<RawImap> {
  const c = await RawImap.connect(port);
  await c.line();
  expect((await c.command('l', `LOGIN ${user} "${PASSWORD}"`)).at(-1)).toMatch(/^l OK/);
  return c;
}
