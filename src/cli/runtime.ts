import { mkdirSync, chmodSync } from 'node:fs';
import dns from 'node:dns';
import path from 'node:path';
import type { Redis, RedisOptions } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import { createResolver, type DnsResolver } from '../shared/dns.js';
import { createPool, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { startEmbeddedPostgres } from '../store/embedded-postgres.js';
import type { BlobStore } from '../store/blob-store.js';
import { openBlobStore } from '../store/open-blob-store.js';
import type { DirectoryPasswordCheck } from '../identity/directory-passwords.js';
import type { RedisTarget } from '../store/redis.js';

/** The shared parts every role and CLI command stands on. The only place that picks adapters. */
export interface Runtime {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  blobs: BlobStore;
  resolver: DnsResolver;
  /** the database migrations this opening applied (every command brings the database up to date first) */
  migrationsApplied: string[];
  /** the Redis in use (redisUrl, redisSentinel or the embedded server's URL); connections are opened by whoever needs one */
  redis?: RedisTarget;
  /** a new connection to the Redis in use (to the current master when behind Sentinel), with `extra` ioredis options */
  connectRedis(extra?: RedisOptions): Redis;
  /** the directory's password check, for domains that keep passwords there (provisioning.ldap); absent without a directory */
  directoryPasswords?: DirectoryPasswordCheck;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** the server takes over embedded services left running by a killed predecessor; the CLI only borrows them */
  owner: boolean;
  /** whether Redis is needed at all (most CLI commands only need PostgreSQL) */
  redis: boolean;
}

export async function openRuntime(config: Readonly<Config>, log: Logger, options: RuntimeOptions): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
  // the embedded PostgreSQL may run as another user (when we are root): it must reach its directory
  chmodSync(config.dataDir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const redisConnections: Redis[] = [];
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), log, adoptRunning: options.owner, settings: config.embeddedPostgresSettings });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    let redisTarget: RedisTarget | undefined = config.redisSentinel ?? config.redisUrl;
    if (!redisTarget && options.redis) {
      const { startEmbeddedRedis } = await import('../store/embedded-redis.js');
      const redis = await startEmbeddedRedis({ dir: path.join(config.dataDir, 'redis'), log, adoptRunning: options.owner });
      stops.push(() => redis.stop());
      redisTarget = redis.url;
    }
    const db = createPool(databaseUrl, 30);
    stops.push(() => db.end());
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'database migrations applied');
    const blobs = await openBlobStore(config, db, log);
    const servers = config.dns.servers.length ? [...config.dns.servers] : dns.getServers();
    const resolver = createResolver({ servers, timeoutMs: config.dns.timeoutMs, cacheSeconds: config.dns.cacheSeconds });
    // ioredis only for the processes that use Redis
    const connectRedis = redisTarget ? (await import('../store/redis.js')).connectRedis : undefined;
    const ldap = config.provisioning.ldap;
    const directoryPasswords: DirectoryPasswordCheck | undefined = ldap
      ? async (externalId, password) => (await import('../provisioning/ldap-bind.js')).checkDirectoryPassword(ldap, externalId, password)
      : undefined;
    return {
      config,
      log,
      db,
      blobs,
      resolver,
      migrationsApplied: applied,
      ...(directoryPasswords ? { directoryPasswords } : {}),
      ...(redisTarget ? { redis: redisTarget } : {}),
      connectRedis(extra) {
        if (!redisTarget || !connectRedis) throw new Error('this command was started without Redis');
        const connection = connectRedis(redisTarget, extra);
        // one warning when the connection is lost (ioredis retries every few ms: a failover would
        // log dozens), one line when it is back
        let lost = false;
        connection.on('error', (err: Error) => {
          if (!lost) log.warn({ err: err.message }, 'Redis connection error; reconnecting');
          lost = true;
        });
        connection.on('ready', () => {
          if (lost) log.info('Redis connection back');
          lost = false;
        });
        redisConnections.push(connection);
        return connection;
      },
      async close() {
        resolver.cancel();
        for (const c of redisConnections) c.disconnect();
        for (const stop of stops.reverse()) await stop().catch((err: Error) => log.warn({ err: err.message }, 'error while stopping'));
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    throw err;
  }
}
