import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';

let source: TestEnv;
let target: TestEnv;
let dir: string;
const envOf = (e: TestEnv) => ({ DATABASE_URL: e.databaseUrl, REDIS_URL: e.redis.url, HOPTHU_DATA_DIR: path.join(e.dir, 'data') });

beforeAll(async () => {
  source = await createTestEnv();
  target = await createTestEnv();
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-cli-backup-'));
});
afterAll(async () => {
  await source?.stop();
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('hopthu backup and hopthu restore', { timeout: 180_000 }, () => {
  it('a backup made by one server rebuilds another', async () => {
    expect((await runCli(['domain', 'add', 'yenbai.gov.vn'], envOf(source))).code).toBe(0);
    expect((await runCli(['account', 'add', 'annv@yenbai.gov.vn', '--name', 'Nguyễn Văn An'], envOf(source))).code).toBe(0);
    const backup = await runCli(['backup', path.join(dir, 'b')], envOf(source));
    expect(backup.stdout).toMatch(/^backed up \d+ rows of \d+ tables and 0 blobs/);
    const missing = await runCli(['restore', path.join(dir, 'nothing')], envOf(target));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/holds no manifest\.json: it is not a complete hopthu backup/);
    expect((await runCli(['restore', path.join(dir, 'b')], envOf(target))).stdout).toMatch(/^restored \d+ rows and 0 blobs/);
    const list = await runCli(['account', 'list'], envOf(target));
    expect(list.stdout).toMatch(/annv@yenbai\.gov\.vn\s+Nguyễn Văn An/);
    expect((await runCli(['audit', 'verify'], envOf(target))).code).toBe(0);
  });
});
