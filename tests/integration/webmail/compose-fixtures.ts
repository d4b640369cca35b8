/** What the compose tests share: a server that delivers, staff who log in, IMAP to look at their folders. */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { findMailbox } from '../../../src/mail/mailboxes.js';

export const PASSWORD = 'Sông Hồng chảy về xuôi 2026';

export interface ComposeEnv {
  env: TestEnv;
  server: RunningServer;
  base: string;
  an: Account;
  binh: Account;
  cuong: Account;
  /** a logged-in browser-less client */
  login(address: string): Promise<WebClient>;
}

/** A server with SMTP, the delivery worker, IMAP and the web role; three staff of yenbai.gov.vn. */
export async function startComposeEnv(overrides: Record<string, unknown> = {}): Promise<ComposeEnv> {
  const env = await createTestEnv();
  const server = await env.start({ 'smtp.verifyInbound': false, ...overrides }, ['smtp', 'worker', 'imap', 'web']);
  const base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const an = await addTestAccount(db, config, 'annv@yenbai.gov.vn', { name: 'Nguyễn Văn An', password: PASSWORD });
  const binh = await addTestAccount(db, config, 'binhtt@yenbai.gov.vn', { name: 'Trần Thị Bình', password: PASSWORD });
  const cuong = await addTestAccount(db, config, 'cuongld@yenbai.gov.vn', { name: 'Lê Đức Cường', password: PASSWORD });
  const login = async (address: string) => {
    const web = new WebClient(base);
    const res = await web.login(address, PASSWORD);
    if (res.status !== 303) throw new Error(`login of ${address} answered ${res.status}`);
    return web;
  };
  return { env, server, base, an, binh, cuong, login };
}

/** Opens /mail/compose (for its CSRF token and prefilled fields) and returns the page. */
export const openCompose = (web: WebClient, query = '') => web.get(`/mail/compose${query}`);

/** The value of an input, select option or textarea of a page, HTML entities decoded. */
export function fieldValue(page: string, name: string): string | undefined {
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const textarea = new RegExp(`<textarea[^>]*name="${name}"[^>]*>\\n?([\\s\\S]*?)</textarea>`).exec(page);
  if (textarea) return decode(textarea[1]!);
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(page);
  if (select) return decode(/<option value="([^"]*)" selected>/.exec(select[1]!)?.[1] ?? '');
  const input = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page);
  return input ? decode(input[1]!) : undefined;
}

/** Every value of a field given several times (the kept attachments). */
export const fieldValues = (page: string, name: string) => [...page.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => m[1]!);

/** Waits for a message with this subject in a folder of the account and returns its UID and flags. */
export async function waitForMessage(server: RunningServer, account: Account, subject: string, folder = 'INBOX') {
  return eventually(async () => (await messagesIn(server.runtime.db, account.id, folder)).find((m) => m.subject === subject), 15_000, `"${subject}" in ${account.address} ${folder}`);
}

/** The folder's id, for compose links (mailboxId:uid). */
export async function folderId(server: RunningServer, account: Account, folder: string): Promise<number> {
  return (await findMailbox(server.runtime.db, account.id, folder))!.id;
}

/** Logs in over IMAP as the account and parses the newest message of a folder with this subject. */
export async function readOverImap(server: RunningServer, address: string, folder: string, subject: string): Promise<{ mail: ParsedMail; flags: Set<string> }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.ports.imap!, secure: false, doSTARTTLS: false, auth: { user: address, pass: PASSWORD }, logger: false } as ImapFlowOptions);
  client.on('error', () => {});
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      let newest: { source: Buffer; flags: Set<string> } | undefined;
      for await (const m of client.fetch('1:*', { source: true, flags: true, envelope: true })) {
        if (m.envelope?.subject === subject && m.source) newest = { source: m.source, flags: m.flags ?? new Set() };
      }
      if (newest) return { mail: await simpleParser(newest.source), flags: newest.flags };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  throw new Error(`no "${subject}" in ${address} ${folder}`);
}
