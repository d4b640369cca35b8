import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { findMailbox, type Mailbox } from '../../../src/mail/index.js';

export const PASSWORD = 'Sông Hồng chảy về xuôi 2026';

export interface MailTestSetup {
  env: TestEnv;
  server: RunningServer;
  base: string;
  an: Account;
  binh: Account;
}

/** A server with every role (mail is delivered by SMTP and the worker, read over IMAP and the web), and two staff accounts. */
export async function setupMail(roles: Array<'smtp' | 'worker' | 'imap' | 'web'> = ['smtp', 'worker', 'imap', 'web']): Promise<MailTestSetup> {
  const env = await createTestEnv({ zones: { 'sender.test': [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all' }] } });
  const server = await env.start({}, roles);
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const an = await addTestAccount(db, config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  const binh = await addTestAccount(db, config, 'binhtt@yenbai.gov.vn', { name: 'Trần Thị Bình', password: PASSWORD });
  return { env, server, base: `http://127.0.0.1:${server.ports.http}`, an, binh };
}

/** Sends one message through the MX port and waits until it is in the recipient's INBOX; gives its UID. */
export async function deliver(s: MailTestSetup, to: Account, mail: Mail.Options): Promise<number> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: s.server.ports.mx!, secure: false, tls: { rejectUnauthorized: false }, name: 'mail.sender.test' });
  const messageId = `<${Math.random().toString(36).slice(2)}@sender.test>`;
  await transport.sendMail({ from: 'Nguyễn Thị Lan <lan@sender.test>', to: to.address, envelope: { from: 'lan@sender.test', to: [to.address] }, messageId, ...mail });
  transport.close();
  const inbox = await folder(s, to, 'INBOX');
  return eventually(async () => {
    const { rows } = await s.server.runtime.db.query<{ uid: number }>('SELECT uid FROM messages WHERE mailbox_id = $1 AND message_id = $2', [inbox.id, messageId]);
    return rows[0]?.uid;
  }, 15_000, `delivery of "${String(mail.subject)}"`);
}

export async function folder(s: MailTestSetup, account: Account, name: string): Promise<Mailbox> {
  const m = await findMailbox(s.server.runtime.db, account.id, name);
  if (!m) throw new Error(`${account.address} has no folder ${name}`);
  return m;
}

export async function loggedIn(s: MailTestSetup, address = 'annv@yenbai.gov.vn'): Promise<WebClient> {
  const web = new WebClient(s.base);
  const res = await web.login(address, PASSWORD);
  if (res.status !== 303) throw new Error(`login of ${address} answered ${res.status}`);
  return web;
}
