import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import type { DnsResolver } from '../shared/dns.js';
import type { DeliveryQueue } from './queue.js';

/** What the delivery pipeline works with; made once by the entry point. */
export interface DeliveryContext {
  config: Readonly<Config>;
  db: Db;
  /** a Redis connection for publishing and counters (not a BullMQ blocking one) */
  redis: Redis;
  blobs: BlobStore;
  queue: DeliveryQueue;
  resolver: DnsResolver;
  log: Logger;
  /**
   * Deliver local recipients in the transaction that accepts a message (delivery/accept.ts):
   * set in a process that also runs the worker role. A process that only fronts SMTP (or the
   * web) spools and leaves every delivery to the workers.
   */
  deliverAtAcceptance?: boolean;
  /** told after each committed local delivery (the search indexer waits while deliveries run) */
  onDelivered?: () => void;
}
