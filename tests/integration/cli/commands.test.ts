import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { authenticatePassword } from '../../../src/identity/authenticate.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';

let env: TestEnv;
let db: Db;
let cliEnv: Record<string, string>;
const hopthu = (args: string[], stdin?: string) => runCli(args, cliEnv, stdin);
const settings = { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, passwordPolicy: { maxAgeDays: 0 } };

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  cliEnv = {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redis.url,
    HOPTHU_DATA_DIR: path.join(env.dir, 'data'),
    HOPTHU_HOSTNAME: 'mail.yenbai.gov.vn',
    HOPTHU_ARGON2__MEMORY_KI_B: '8192',
    HOPTHU_ARGON2__ITERATIONS: '1',
  };
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('hopthu CLI', { timeout: 120_000 }, () => {
  it('migrate on an empty database names the migrations it applied; a second run says it is up to date', async () => {
    await db.query('CREATE DATABASE migrate_fresh');
    const fresh = { ...cliEnv, DATABASE_URL: env.databaseUrl.replace(/\/[^/?]+(\?|$)/, '/migrate_fresh$1') };
    const first = await runCli(['migrate'], fresh);
    expect(first.code).toBe(0);
    // every migration, in the order of their versions
    expect(first.stdout).toBe(`applied: ${[...migrations].sort((a, b) => a.version - b.version).map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`).join(', ')}\n`);
    expect(first.stdout).toMatch(/^applied: 001-identity, 002-audit, 003-mail, .*031-single-store\n$/);
    expect((await runCli(['migrate'], fresh)).stdout).toBe('the database is up to date\n');
  });

  it('domain add, then domain list --json', async () => {
    expect((await hopthu(['domain', 'add', 'YenBai.gov.vn'])).stdout).toMatch(/added domain yenbai\.gov\.vn/);
    const again = await hopthu(['domain', 'add', 'yenbai.gov.vn']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('hopthu: the domain yenbai.gov.vn already exists\n');
    const list = JSON.parse((await hopthu(['domain', 'list', '--json'])).stdout) as Array<{ name: string }>;
    expect(list.map((d) => d.name)).toEqual(['yenbai.gov.vn']);
  });

  it('account add with a Vietnamese name, list and show', async () => {
    const add = await hopthu(['account', 'add', 'hadtt@yenbai.gov.vn', '--name', 'Đặng Thị Thu Hà', '--quota', '500M', '--password-stdin'], 'mot-mat-khau-dai\n');
    expect(add.stdout).toBe('created hadtt@yenbai.gov.vn (Đặng Thị Thu Hà), quota 500 MiB\n');
    const list = await hopthu(['account', 'list']);
    expect(list.stdout).toMatch(/hadtt@yenbai\.gov\.vn\s+Đặng Thị Thu Hà\s+active\s+500 MiB/);
    const show = JSON.parse((await hopthu(['account', 'show', 'hadtt@yenbai.gov.vn', '--json'])).stdout) as { quotaBytes: number; folders: unknown[] };
    expect(show.quotaBytes).toBe(500 * 1024 * 1024);
    expect(show.folders).toHaveLength(6);
    expect((await authenticatePassword(db, settings, { username: 'hadtt@yenbai.gov.vn', password: 'mot-mat-khau-dai', service: 'imap' })).ok).toBe(true);
  });

  it('refuses a short password and a domain that is not local, with the reason', async () => {
    const short = await hopthu(['account', 'add', 'x@yenbai.gov.vn', '--password-stdin'], 'ngan\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('hopthu: the password has 4 characters; it needs at least 12\n');
    const foreign = await hopthu(['account', 'add', 'x@example.org']);
    expect(foreign.stderr).toMatch(/example\.org is not a local domain here \(add it with: hopthu domain add example\.org\)/);
  });

  it('account passwd, disable and enable change what authentication says', async () => {
    await hopthu(['account', 'passwd', 'hadtt@yenbai.gov.vn', '--password-stdin'], 'mat-khau-moi-cua-toi-2026\n');
    expect((await authenticatePassword(db, settings, { username: 'hadtt@yenbai.gov.vn', password: 'mat-khau-moi-cua-toi-2026', service: 'imap' })).ok).toBe(true);
    expect((await hopthu(['account', 'disable', 'hadtt@yenbai.gov.vn'])).stdout).toBe('hadtt@yenbai.gov.vn is now disabled\n');
    expect(await authenticatePassword(db, settings, { username: 'hadtt@yenbai.gov.vn', password: 'mat-khau-moi-cua-toi-2026', service: 'imap' })).toEqual({ ok: false, reason: 'disabled' });
    await hopthu(['account', 'enable', 'hadtt@yenbai.gov.vn']);
    expect((await authenticatePassword(db, settings, { username: 'hadtt@yenbai.gov.vn', password: 'mat-khau-moi-cua-toi-2026', service: 'imap' })).ok).toBe(true);
  });

  it('alias add and list', async () => {
    expect((await hopthu(['alias', 'add', 'vanphong@yenbai.gov.vn', 'hadtt@yenbai.gov.vn', 'ai@example.org'])).stdout).toBe('vanphong@yenbai.gov.vn -> hadtt@yenbai.gov.vn, ai@example.org\n');
    const list = JSON.parse((await hopthu(['alias', 'list', '--json'])).stdout) as Array<{ address: string; targets: string[] }>;
    expect(list).toEqual([{ id: expect.any(Number), address: 'vanphong@yenbai.gov.vn', targets: ['hadtt@yenbai.gov.vn', 'ai@example.org'] }]);
  });

  it('queue list, retry and bounce', async () => {
    expect((await hopthu(['queue', 'list'])).stdout).toBe('the queue is empty\n');
    const { rows } = await db.query<{ hash: string }>(
      "INSERT INTO blobs (hash, size, refcount) VALUES (repeat('a', 64), 10, 1) RETURNING hash",
    );
    const spool = await db.query<{ id: number }>(
      "INSERT INTO spool (blob_hash, size, mail_from, source, expires_at) VALUES ($1, 10, 'hadtt@yenbai.gov.vn', 'submission', now() + interval '1 day') RETURNING id",
      [rows[0]!.hash],
    );
    const id = spool.rows[0]!.id;
    await db.query("INSERT INTO spool_recipients (spool_id, recipient, route, attempts, next_attempt_at, last_code, last_error) VALUES ($1, 'ai@xa.test', 'remote', 3, now() + interval '1 hour', '4.4.1', 'no answer')", [id]);
    const list = await hopthu(['queue', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+hadtt@yenbai\\.gov\\.vn\\s+ai@xa\\.test\\s+10 B\\s+3\\s+\\S+\\s+4\\.4\\.1 no answer`, 'm'));
    expect((await hopthu(['queue', 'retry', String(id)])).stdout).toBe('retrying 1 message(s) now\n');
    const due = await db.query<{ due: boolean }>('SELECT next_attempt_at <= now() AS due FROM spool_recipients WHERE spool_id = $1', [id]);
    expect(due.rows[0]!.due).toBe(true);
    expect((await hopthu(['queue', 'bounce', String(id)])).stdout).toMatch(/bounced 1 recipient\(s\) of message \d+; the sender will get a delivery status notification/);
    const status = await db.query<{ status: string }>('SELECT status FROM spool_recipients WHERE spool_id = $1', [id]);
    expect(status.rows[0]!.status).toBe('failed');
    const missing = await hopthu(['queue', 'bounce', '999999']);
    expect(missing.stderr).toBe('hopthu: message 999999 has no recipient waiting\n');
  });

  it('dns --json lists MX, SPF, DKIM, DMARC, the client set-up records, MTA-STS and TLS-RPT', async () => {
    const records = JSON.parse((await hopthu(['dns', 'yenbai.gov.vn', '--json'])).stdout) as Array<{ purpose: string; value: string }>;
    expect([...new Set(records.map((r) => r.purpose))].sort()).toEqual(['client-setup', 'dkim', 'dmarc', 'mta-sts', 'mx', 'spf', 'tls-rpt']);
    expect(records.find((r) => r.purpose === 'dkim')!.value).toMatch(/^v=DKIM1; k=rsa; p=/);
  });

  it('every change is in the audit log, and the chain verifies', async () => {
    const { rows } = await db.query<{ action: string }>("SELECT DISTINCT action FROM audit_events WHERE actor LIKE 'cli:%' ORDER BY action");
    expect(rows.map((r) => r.action)).toEqual(['account.add', 'account.disable', 'account.enable', 'account.passwd', 'alias.add', 'domain.add', 'queue.bounce']);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    const verified = await hopthu(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^the audit log is intact: \d+ events verified\n$/);
  });

  it('an unknown command or option is a usage error', async () => {
    const unknown = await hopthu(['mailbox', 'explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "mailbox explode"/);
    const option = await hopthu(['domain', 'list', '--colour']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--colour'/);
  });
});
