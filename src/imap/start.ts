import type { DirectoryPasswordCheck } from '../identity/directory-passwords.js';
import tls from 'node:tls';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { loadTlsMaterial } from '../store/tls.js';
import type { ImapContext } from './context.js';
import { MailboxEvents } from './mailbox-events.js';
import { listenImap } from './server.js';
import { ConnectionCounter } from '../shared/connection-counter.js';
import { MessageFactsCache } from './message-facts.js';

/** The imap role: IMAP with STARTTLS on ports.imap, implicit TLS on ports.imaps. */
export interface ImapRuntime {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  blobs: BlobStore;
  connectRedis(): Redis;
  directoryPasswords?: DirectoryPasswordCheck | undefined;
}

export async function startImap(runtime: ImapRuntime, publisher: Redis): Promise<{ ports: { imap: number; imaps: number }; close(): Promise<void> }> {
  const { config, log } = runtime;
  const material = await loadTlsMaterial({ ...config.tls, dataDir: config.dataDir, hostname: config.hostname });
  const events = new MailboxEvents(runtime.connectRedis(), publisher, config.redisPrefix, log);
  const ctx: ImapContext = {
    config,
    db: runtime.db,
    blobs: runtime.blobs,
    log,
    events,
    secureContext: tls.createSecureContext({ key: material.key, cert: material.cert }),
    userConnections: new ConnectionCounter(config.imap.maxConnectionsPerUser),
    authSettings: { ...config, directoryPasswords: runtime.directoryPasswords },
    messageFacts: new MessageFactsCache(config.imap.messageCacheMegabytes * 2 ** 20),
  };
  const connections = new ConnectionCounter(config.imap.maxConnectionsPerIp);
  const imap = await listenImap(ctx, 'imap', config.ports.imap, config.listenHost, material, connections);
  const imaps = await listenImap(ctx, 'imaps', config.ports.imaps, config.listenHost, material, connections);
  return {
    ports: { imap: imap.port, imaps: imaps.port },
    async close() {
      await imap.close();
      await imaps.close();
      await events.close();
    },
  };
}
