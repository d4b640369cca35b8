import type { Db } from '../../src/store/db.js';
import { transaction } from '../../src/store/db.js';
import { addDomain, type Domain } from '../../src/identity/domains.js';
import { addAccount, type Account } from '../../src/identity/accounts.js';
import { addAlias } from '../../src/identity/aliases.js';
import { hashPassword } from '../../src/identity/passwords.js';
import { generateDkimKeyPair, type DkimKeyPair } from '../../src/identity/dkim-keys.js';
import { createDefaultMailboxes, findMailbox } from '../../src/mail/mailboxes.js';
import type { Config } from '../../src/config/index.js';

export async function addTestDomain(db: Db, name: string): Promise<{ domain: Domain; key: DkimKeyPair }> {
  const key = await generateDkimKeyPair(name);
  const domain = await addDomain(db, name, { selector: key.selector, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem });
  return { domain, key };
}

export async function addTestAccount(
  db: Db,
  config: Readonly<Config>,
  address: string,
  options: { password?: string; name?: string; quotaBytes?: number } = {},
): Promise<Account> {
  const passwordHash = options.password ? await hashPassword(options.password, config.argon2) : null;
  return transaction(db, async (client) => {
    const account = await addAccount(client, { address, displayName: options.name ?? '', passwordHash, quotaBytes: options.quotaBytes ?? 100 * 1024 * 1024 });
    await createDefaultMailboxes(client, account.id);
    return account;
  });
}

export const addTestAlias = (db: Db, address: string, targets: string[]) => addAlias(db, address, targets);

export interface StoredMessage {
  uid: number;
  blobHash: string;
  flags: string[];
  subject: string | null;
  size: number;
}

export async function messagesIn(db: Db, accountId: number, folder = 'INBOX'): Promise<StoredMessage[]> {
  const mailbox = await findMailbox(db, accountId, folder);
  if (!mailbox) return [];
  const { rows } = await db.query<StoredMessage>(
    'SELECT uid, blob_hash AS "blobHash", flags, subject, size FROM messages WHERE mailbox_id = $1 ORDER BY uid',
    [mailbox.id],
  );
  return rows;
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A message of about `bytes` bytes, CRLF line ends. */
export function rawMessage(opts: { from: string; to: string[]; subject: string; body?: string; messageId?: string; extraHeaders?: string }): string {
  const lines = [
    `From: ${opts.from}`,
    `To: ${opts.to.join(', ')}`,
    `Subject: ${opts.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${opts.messageId ?? `<${Math.random().toString(36).slice(2)}@test>`}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...(opts.extraHeaders ? [opts.extraHeaders] : []),
    '',
    opts.body ?? 'Kính gửi các đồng chí,\r\nĐây là thư thử nghiệm.',
    '',
  ];
  return lines.join('\r\n');
}
