import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';
import { silentLogger } from '../../src/shared/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * One throwaway PostgreSQL cluster for the whole run, made with the embedded
 * PostgreSQL hopthu itself uses; every test file makes its own database in it.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hopthu-test-pg-'));
  chmodSync(root, 0o755);
  const pg = await startEmbeddedPostgres({
    dir: path.join(root, 'pg'),
    log: silentLogger,
    // a throwaway cluster: durability is not under test here (blobs and spool logic are)
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
  });
  project.provide('postgresUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
