import nodemailer from 'nodemailer';
import { expect } from 'vitest';
import { transaction, type Db } from '../../../src/store/db.js';
import { addAccount, type Account, type AccountKind } from '../../../src/identity/accounts.js';
import { addAgency, getAgency, type Agency } from '../../../src/identity/agencies.js';
import { hashPassword } from '../../../src/identity/passwords.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import type { Config } from '../../../src/config/index.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { eventually, messagesIn } from '../../support/fixtures.js';

export const PASSWORD = 'mat-khau-dai-12345';

/** Adds agencies given as [code, name, parent code]. */
export async function addAgencies(db: Db, rows: Array<[string, string, string | null]>): Promise<Record<string, Agency>> {
  const out: Record<string, Agency> = {};
  for (const [code, name, parent] of rows) {
    out[code] = await addAgency(db, { code, name, parentId: parent ? (await getAgency(db, parent)).id : null });
  }
  return out;
}

export async function addOrgAccount(
  db: Db,
  config: Readonly<Config>,
  address: string,
  options: { kind?: AccountKind; agency?: Agency; password?: boolean } = {},
): Promise<Account> {
  const passwordHash = options.password ? await hashPassword(PASSWORD, config.argon2) : null;
  return transaction(db, async (client) => {
    const account = await addAccount(client, { address, passwordHash, quotaBytes: 100 * 1024 * 1024, kind: options.kind ?? 'person', agencyId: options.agency?.id ?? null });
    await createDefaultMailboxes(client, account.id);
    return account;
  });
}

export const mx = (server: RunningServer) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, secure: false, tls: { rejectUnauthorized: false }, name: 'mail.sender.test' });

export const submission = (server: RunningServer, user: string) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.submission!, tls: { rejectUnauthorized: false }, auth: { user, pass: PASSWORD } });

export async function refusal(send: Promise<unknown>): Promise<{ code: number; response: string }> {
  const err = (await send.then(() => undefined, (e: unknown) => e)) as { responseCode?: number; response?: string } | undefined;
  expect(err, 'the server should have refused').toBeDefined();
  return { code: err!.responseCode!, response: err!.response! };
}

/** Waits until the spool row named in a 250 reply is finished, so counts are final. */
export async function settled(db: Db, response: string): Promise<number> {
  const id = Number(/queued as (\d+)/.exec(response)?.[1]);
  expect(id).toBeGreaterThan(0);
  await eventually(async () => {
    const { rows } = await db.query<{ done: boolean }>('SELECT done_at IS NOT NULL AS done FROM spool WHERE id = $1', [id]);
    return rows[0]?.done ? true : undefined;
  }, 15_000, `spool row ${id} to finish`);
  return id;
}

/** How many messages with this subject are in the account's INBOX. */
export async function copies(db: Db, account: Account, subject: string): Promise<number> {
  return (await messagesIn(db, account.id)).filter((m) => m.subject === subject).length;
}
