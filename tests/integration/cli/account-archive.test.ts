import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { FileBlobStore } from '../../../src/store/file-blob-store.js';
import { createDefaultMailboxes, findMailbox } from '../../../src/mail/mailboxes.js';
import { addDomain } from '../../../src/identity/domains.js';
import { addAccount, setAccountStatus } from '../../../src/identity/accounts.js';
import { placeHold, releaseHold } from '../../../src/mail/legal-hold.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';

let env: TestEnv;
let db: Db;
let dataDir: string;
let cliEnv: Record<string, string>;
const hopthu = (args: string[]) => runCli(args, cliEnv);

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 2);
  await migrate(db);
  dataDir = path.join(env.dir, 'data');
  cliEnv = { DATABASE_URL: env.databaseUrl, REDIS_URL: env.redis.url, HOPTHU_DATA_DIR: dataDir };
});
afterAll(async () => {
  await db?.end();
  await env?.stop();
});

/** An account with one message in its INBOX, stored through the blob store the CLI uses (set up directly: each CLI start costs seconds). */
async function accountWithMail(address: string, subject: string) {
  const account = await addAccount(db, { address, quotaBytes: 0 });
  await createDefaultMailboxes(db, account.id);
  const blobs = await new FileBlobStore(path.join(dataDir, 'blobs')).init();
  const inbox = (await findMailbox(db, account.id, 'INBOX'))!;
  const blob = await blobs.put([Buffer.from(`From: a@yenbai.gov.vn\r\nSubject: ${subject}\r\n\r\nNội dung\r\n`, 'utf8')]);
  await appendFromClient(db, blobs, { mailboxId: inbox.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size, flags: [], internalDate: new Date() }] });
  return account;
}

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('archiving a departed account from the CLI', { timeout: 180_000 }, () => {
  it('account archive refuses an active or held account, archives a disabled one; account show says where; retention run archives what is due', async () => {
    await addDomain(db, 'yenbai.gov.vn', { selector: 'test', privateKeyPem: '', publicKeyPem: '' });
    const annv = await accountWithMail('annv@yenbai.gov.vn', 'Quyết định nghỉ hưu');
    const hadtt = await accountWithMail('hadtt@yenbai.gov.vn', 'Bàn giao công việc');

    const active = await hopthu(['account', 'archive', 'annv@yenbai.gov.vn']);
    expect(active.code).toBe(2);
    expect(active.stderr).toMatch(/annv@yenbai\.gov\.vn is active; only a disabled account is archived \(hopthu account disable annv@yenbai\.gov\.vn first\)/);

    const hold = await placeHold(db, { accountId: annv.id, reason: 'Thanh tra số 5', actor: 'cli:test' });
    await setAccountStatus(db, annv.id, 'disabled');
    const held = await hopthu(['account', 'archive', 'annv@yenbai.gov.vn']);
    expect(held.code).toBe(2);
    expect(held.stderr).toContain(`annv@yenbai.gov.vn is under legal hold ${hold.id} (Thanh tra số 5); it is archived only once every hold over it is lifted`);

    await releaseHold(db, hold.id, 'cli:test');
    const done = await hopthu(['account', 'archive', 'annv@yenbai.gov.vn']);
    expect(done.stderr).toBe('');
    const file = /to (\/.*annv@yenbai\.gov\.vn-\d{8}\.tar\.gz)\n/.exec(done.stdout)?.[1];
    expect(done.stdout).toMatch(/^archived annv@yenbai\.gov\.vn: 1 messages \(.*\) to /);
    expect(done.stdout).toMatch(/1 messages removed from the live store/);
    expect(execFileSync('tar', ['-tzf', file!], { encoding: 'utf8' })).toMatch(/folders\/\d{3}-INBOX\.mbox/);

    const show = await hopthu(['account', 'show', 'annv@yenbai.gov.vn']);
    expect(show.stdout).toMatch(/status disabled/);
    expect(show.stdout).toContain(`archived on ${new Date().toISOString().slice(0, 10)} to ${file} (1 messages, sha256 `);
    const bad = await hopthu(['retention', 'set', 'yenbai.gov.vn', '--disabled-account-days', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--disabled-account-days takes a number of days/);
    const set = await hopthu(['retention', 'set', 'yenbai.gov.vn', '--disabled-account-days', '30']);
    expect(set.stdout).toMatch(/yenbai\.gov\.vn: Trash 30 \(default\) days, Junk 30 \(default\) days, disabled accounts archived after 30 days\n/);

    await setAccountStatus(db, hadtt.id, 'disabled');
    await db.query("UPDATE accounts SET disabled_at = now() - interval '40 days' WHERE id = $1", [hadtt.id]);
    const run = await hopthu(['retention', 'run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/removed 0 messages from 0 folders\narchived hadtt@yenbai\.gov\.vn: 1 messages to .*hadtt@yenbai\.gov\.vn-\d{8}\.tar\.gz\narchived 1 disabled accounts\n/);

    const { rows } = await db.query<{ action: string; target: string; source: string | null }>("SELECT action, target, source FROM audit_events WHERE action LIKE 'account.archive%' ORDER BY id");
    expect(rows).toEqual([
      { action: 'account.archive', target: 'annv@yenbai.gov.vn', source: 'cli' },
      { action: 'account.archive.remove', target: 'annv@yenbai.gov.vn', source: 'cli' },
      { action: 'account.archive', target: 'hadtt@yenbai.gov.vn', source: null },
      { action: 'account.archive.remove', target: 'hadtt@yenbai.gov.vn', source: null },
    ]);
  });
});
