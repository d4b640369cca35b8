import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { createPool, transaction, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { appendAudit } from '../../../src/audit/audit-log.js';
import { appendBackdated } from './backdate.js';

let env: TestEnv;
let db: Db;
let cliEnv: Record<string, string>;
const hopthu = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...cliEnv, ...extra });

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  cliEnv = { DATABASE_URL: env.databaseUrl, HOPTHU_DATA_DIR: path.join(env.dir, 'data') };
  const now = new Date();
  const longAgo = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 3)).toISOString();
  await appendBackdated(db, [
    { at: longAgo(14), actor: 'old@yenbai.gov.vn', action: 'auth.imap.failure', source: '10.0.0.1' },
    { at: longAgo(13), actor: 'old@yenbai.gov.vn', action: 'auth.imap.success', source: '10.0.0.1' },
  ]);
  for (let i = 0; i < 3; i++) await appendAudit(db, { actor: `u${i}@yenbai.gov.vn`, action: 'auth.smtp.failure', target: `u${i}@yenbai.gov.vn`, source: `10.5.0.${i}` });
  await appendAudit(db, { actor: 'cli:root', action: 'account.add', target: 'u0@yenbai.gov.vn', source: 'cli', data: { displayName: 'Trần Văn Út' } });
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

describe('hopthu audit', { timeout: 120_000 }, () => {
  it('query prints a table a page at a time, and the next page as JSON', async () => {
    const first = await hopthu(['audit', 'query', '--action', 'auth.', '--ip', '10.0.0.0/8', '--since', '30d', '--limit', '2']);
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+SOURCE\s+AGENCY\s+DATA$/);
    expect(lines[1]).toMatch(/u2@yenbai\.gov\.vn\s+auth\.smtp\.failure\s+u2@yenbai\.gov\.vn\s+10\.5\.0\.2/);
    expect(lines[2]).toMatch(/u1@yenbai\.gov\.vn/);
    const cursor = /^more: add --cursor (\S+)$/.exec(lines[3]!)?.[1];
    expect(cursor).toBeDefined();
    const next = await hopthu(['audit', 'query', '--action', 'auth.', '--ip', '10.0.0.0/8', '--since', '30d', '--limit', '2', '--cursor', cursor!, '--json']);
    const page = JSON.parse(next.stdout) as { events: Array<{ actor: string; source: string }>; nextCursor: string | null };
    expect(page.events.map((e) => [e.actor, e.source])).toEqual([['u0@yenbai.gov.vn', '10.5.0.0']]);
    expect(page.nextCursor).toBeNull();
  });

  it('query and export refuse bad filters with the reason', async () => {
    const ip = await hopthu(['audit', 'query', '--ip', '10.0.0.0/33']);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toBe('hopthu: "10.0.0.0/33" is not an IP address or CIDR block; write for example 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32\n');
    const format = await hopthu(['audit', 'export', '--format', 'xml']);
    expect(format.stderr).toBe('hopthu: --format must be csv or jsonl, not "xml"\n');
  });

  it('export writes CSV for Excel to standard output', async () => {
    const out = await hopthu(['audit', 'export', '--format', 'csv', '--excel', '--actor', 'cli:root']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('exported 1 events\n');
    expect(out.stdout.startsWith('\uFEFFid,at,actor,action,target,source,agency_id,data,prev_hash,hash\r\n')).toBe(true);
    expect(out.stdout).toContain(',cli:root,account.add,u0@yenbai.gov.vn,cli,,"{""displayName"":""Trần Văn Út""}",');
  });

  it('prune removes whole old months per audit.retentionDays; verify then starts from the anchor and names a tampered event', async () => {
    const none = await hopthu(['audit', 'prune']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/audit\.retentionDays is 0 \(keep forever\)/);
    const pruned = await hopthu(['audit', 'prune'], { HOPTHU_AUDIT__RETENTION_DAYS: '365' });
    expect(pruned.stdout).toMatch(/^removed 2 events from \d{4}-\d{2} \(1\), \d{4}-\d{2} \(1\); each month's last hash is kept as an anchor\n$/);
    const verified = await hopthu(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^the audit log is intact: 5 events verified \(from the retention anchor at event 2: the months before \d{4}-\d{2} were pruned\)\n$/);

    const victim = (await db.query("SELECT id FROM audit_events WHERE actor = 'u1@yenbai.gov.vn'")).rows[0].id as number;
    await transaction(db, async (c) => {
      await c.query('SET LOCAL session_replication_role = replica');
      await c.query("UPDATE audit_events SET source = '127.0.0.1' WHERE id = $1", [victim]);
    });
    const broken = await hopthu(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe(`the audit log has been tampered with: the chain breaks at event ${victim} (edited): event ${victim} was changed: its content no longer matches its hash\n`);
  });
});
