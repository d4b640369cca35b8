import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { connectRedis } from '../../../src/store/redis.js';
import { mailboxChannel, type MailboxChange } from '../../../src/mail/notify.js';
import { findMailbox } from '../../../src/mail/mailboxes.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';

let env: TestEnv;
let server: RunningServer;
let an: Account;

const greeting = (port: number) =>
  new Promise<{ socket: net.Socket; line: string }>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', (d) => resolve({ socket, line: d.toString('latin1').trim() }));
  });

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'smtp.maxConnectionsPerIp': 3, 'smtp.maxMessagesPerIpPerMinute': 5, 'smtp.maxRecipients': 2 });
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'hadtt@yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'binhlv@yenbai.gov.vn');
});

afterAll(async () => {
  await env?.stop();
});

describe('SMTP limits and notifications', () => {
  it('publishes a new message on Redis for sessions in any process', async () => {
    const subscriber = connectRedis(server.runtime.config.redisUrl!);
    const inbox = (await findMailbox(server.runtime.db, an.id, 'INBOX'))!;
    const events: MailboxChange[] = [];
    subscriber.on('message', (_channel: string, text: string) => events.push(JSON.parse(text) as MailboxChange));
    await subscriber.subscribe(mailboxChannel(server.runtime.config.redisPrefix, inbox.id));
    await nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } })
      .sendMail({ from: 'x@example.test', to: 'annv@yenbai.gov.vn', subject: 'notify', text: 'x' });
    const event = await eventually(async () => events[0], 10_000, 'the notification');
    expect(event).toEqual({ type: 'exists', mailboxId: inbox.id, uid: 1, modseq: expect.any(Number), uids: [1], flags: [[]] });
    subscriber.disconnect();
  });

  it('answers 452 4.5.3 to recipients beyond the limit, and the message goes to the others', async () => {
    const info = await nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } })
      .sendMail({ from: 'x@example.test', to: ['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn', 'binhlv@yenbai.gov.vn'], subject: 'many', text: 'x' });
    expect(info.accepted).toEqual(['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn']);
    expect(info.rejectedErrors?.[0]?.response).toMatch(/^452 4\.5\.3 too many recipients; at most 2/);
  });

  it('refuses a connection beyond the per-IP limit with 421 4.7.0', async () => {
    const open = await Promise.all([greeting(server.ports.mx!), greeting(server.ports.mx!), greeting(server.ports.mx!)]);
    expect(open.every((o) => o.line.startsWith('220 '))).toBe(true);
    const extra = await greeting(server.ports.mx!);
    expect(extra.line).toMatch(/^421 4\.7\.0 too many connections from 127\.0\.0\.1/);
    for (const o of [...open, extra]) o.socket.destroy();
  });

  it('refuses messages beyond the per-IP rate with 451 4.7.1', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } });
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(await transport.sendMail({ from: 'x@example.test', to: 'annv@yenbai.gov.vn', subject: `rate ${i}`, text: 'x' })
        .then(() => 'ok', (e: { response: string }) => e.response));
    }
    expect(results.filter((r) => r === 'ok').length).toBeLessThan(6);
    expect(results.at(-1)).toMatch(/^451 4\.7\.1 too many messages from 127\.0\.0\.1/);
  });
});
