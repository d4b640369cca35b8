import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createLogger, silentLogger, type Logger } from '../../src/shared/logger.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/store/embedded-redis.js';
import { startServer, type RunningServer, type Role } from '../../src/cli/server.js';
import { startDnsServer, type TestDnsServer, type Zones } from './dns-server.js';

export interface TestEnv {
  dir: string;
  databaseUrl: string;
  redis: EmbeddedRedis;
  dns: TestDnsServer;
  log: Logger;
  /** a configuration for a hopthu server on free loopback ports using this environment */
  config(overrides?: Record<string, unknown>): Readonly<Config>;
  start(overrides?: Record<string, unknown>, roles?: Role[]): Promise<RunningServer>;
  stop(): Promise<void>;
}

/**
 * A fresh database in the run's PostgreSQL, a private redis-server and a DNS server,
 * all on loopback, all gone after the file's tests.
 */
export async function createTestEnv(options: { zones?: Zones } = {}): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-test-'));
  chmodSync(dir, 0o755);
  const log = process.env.HOPTHU_TEST_LOG ? createLogger(process.env.HOPTHU_TEST_LOG) : silentLogger;
  const adminUrl = inject('postgresUrl');
  const database = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const databaseUrl = adminUrl.replace('/hopthu?', `/${database}?`);
  const redis = await startEmbeddedRedis({ dir: path.join(dir, 'redis'), log, appendOnly: false });
  const dns = await startDnsServer(options.zones ?? {});
  const servers: RunningServer[] = [];

  const config = (overrides: Record<string, unknown> = {}) =>
    loadConfig({
      env: {},
      file: undefined,
      overrides: {
        dataDir: path.join(dir, 'data'),
        hostname: 'mx.hopthu.test',
        databaseUrl,
        redisUrl: redis.url,
        listenHost: '127.0.0.1',
        ports: { smtp: 0, submission: 0, submissions: 0, imap: 0, imaps: 0, http: 0, health: 0 },
        'dns.servers': [dns.address],
        'dns.timeoutMs': 500,
        // tests change DNS records between messages
        'dns.cacheSeconds': 0,
        'argon2.memoryKiB': 8192,
        'argon2.iterations': 1,
        'delivery.reconcileSeconds': 1,
        'delivery.reconcileGraceSeconds': 2,
        // a step that cannot finish (BullMQ's close on a Redis that is gone) is left behind sooner
        shutdownSeconds: 10,
        ...overrides,
      },
    });

  return {
    dir,
    databaseUrl,
    redis,
    dns,
    log,
    config,
    async start(overrides = {}, roles) {
      const server = await startServer(config(overrides), log, roles);
      servers.push(server);
      return server;
    },
    async stop() {
      for (const s of servers) await s.stop().catch(() => {});
      await dns.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
