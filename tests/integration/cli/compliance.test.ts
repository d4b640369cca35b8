import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';

let env: TestEnv;
let db: Db;
let cliEnv: Record<string, string>;
const hopthu = (args: string[]) => runCli(args, cliEnv);

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 2);
  await migrate(db);
  cliEnv = { DATABASE_URL: env.databaseUrl, REDIS_URL: env.redis.url, HOPTHU_DATA_DIR: path.join(env.dir, 'data') };
});
afterAll(async () => {
  await db?.end();
  await env?.stop();
});

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('legal hold, retention and password source from the CLI', { timeout: 180_000 }, () => {
  it('hold add, list, show and release; retention set and run', async () => {
    expect((await hopthu(['domain', 'add', 'yenbai.gov.vn'])).code).toBe(0);
    expect((await hopthu(['account', 'add', 'annv@yenbai.gov.vn', '--name', 'Nguyễn Văn An'])).code).toBe(0);

    const noReason = await hopthu(['hold', 'add', '--account', 'annv@yenbai.gov.vn']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/needs --reason/);
    const added = await hopthu(['hold', 'add', '--account', 'annv@yenbai.gov.vn', '--reason', 'Thanh tra số 3', '--case', 'TT-3']);
    expect(added.stdout).toMatch(/legal hold 1 placed on annv@yenbai\.gov\.vn/);
    const list = await hopthu(['hold', 'list']);
    expect(list.stdout).toMatch(/annv@yenbai\.gov\.vn\s+Thanh tra số 3\s+TT-3/);
    expect((await hopthu(['hold', 'show', '1'])).stdout).toMatch(/messages kept: 0/);
    expect((await hopthu(['hold', 'release', '1'])).stdout).toMatch(/lifted; 0 kept messages let go/);
    expect((await hopthu(['hold', 'list'])).stdout).not.toMatch(/annv/);
    expect((await hopthu(['hold', 'list', '--all'])).stdout).toMatch(/annv/);

    const bad = await hopthu(['retention', 'set', 'yenbai.gov.vn', '--trash-days', 'ten']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--trash-days takes a number of days/);
    expect((await hopthu(['retention', 'set', 'yenbai.gov.vn', '--trash-days', '7'])).stdout).toMatch(/Trash 7 days, Junk 30 \(default\) days/);
    expect((await hopthu(['retention', 'run'])).stdout).toMatch(/removed 0 messages from 0 folders/);

    const noDirectory = await hopthu(['domain', 'passwords', 'yenbai.gov.vn', 'directory']);
    expect(noDirectory.code).toBe(2);
    expect(noDirectory.stderr).toMatch(/the directory is not configured: set provisioning\.ldap/);
    expect((await hopthu(['domain', 'passwords', 'yenbai.gov.vn', 'local'])).stdout).toMatch(/yenbai\.gov\.vn: passwords are checked here/);

    const { rows } = await db.query<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'hold.%' OR action LIKE 'domain.%' AND action <> 'domain.add' ORDER BY id");
    expect(rows.map((r) => r.action)).toEqual(['hold.place', 'hold.release', 'domain.retention', 'domain.passwords']);
  });
});
