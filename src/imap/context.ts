import type { AuthSettings } from '../identity/authenticate.js';
import type { SecureContext } from 'node:tls';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import type { MailboxEvents } from './mailbox-events.js';
import type { ConnectionCounter } from '../shared/connection-counter.js';
import type { MessageFactsCache } from './message-facts.js';

/** What every IMAP session of this process shares. */
export interface ImapContext {
  config: Readonly<Config>;
  db: Db;
  blobs: BlobStore;
  log: Logger;
  events: MailboxEvents;
  secureContext: SecureContext;
  /** logged-in sessions per account in this process (config imap.maxConnectionsPerUser) */
  userConnections: ConnectionCounter;
  /** what authentication needs: the configuration, and the directory's password check when a domain uses it */
  authSettings: AuthSettings;
  /** the unchanging facts of messages FETCH answered, for every session of the process */
  messageFacts: MessageFactsCache;
}
