import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { indexSearchBacklog } from './search-backlog.js';

export interface SearchIndexerOptions {
  db: Db;
  blobs: BlobStore;
  log: Logger;
  /** true while deliveries are running: the indexer then only trickles */
  busy: () => boolean;
  /** how often it looks at the backlog, ms */
  intervalMs?: number;
  /** while busy, at most one small batch this often, ms, so the backlog never grows without end */
  busyIntervalMs?: number;
  /**
   * how long a blob waits on the backlog first, ms (default 10 s): the text is made only
   * for mail that stays (a draft saved over or a message expunged within seconds never
   * costs the trigram index anything), and a search makes the text of newer mail itself
   */
  minAgeMs?: number;
}

/**
 * Drains the search backlog (search-backlog.ts) in the background, of blobs that have
 * waited `minAgeMs`: whole batches while deliveries pause, a trickle while they run. A
 * search never waits for it: it makes the text its folder lacks itself.
 */
export function startSearchIndexer(o: SearchIndexerOptions): { stop(): Promise<void> } {
  const interval = o.intervalMs ?? 1000;
  const busyInterval = o.busyIntervalMs ?? 5000;
  const minAge = (o.minAgeMs ?? 10_000) / 1000;
  let stopped = false;
  let lastBusyBatch = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    if (o.busy()) {
      if (Date.now() - lastBusyBatch < busyInterval) return;
      lastBusyBatch = Date.now();
      await indexSearchBacklog(o.db, o.blobs, 25, minAge);
      return;
    }
    // idle: whole batches until the backlog is empty or deliveries start again
    while (!stopped && !o.busy() && (await indexSearchBacklog(o.db, o.blobs, undefined, minAge)) > 0);
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: Error) => o.log.warn({ err: err.message }, 'search indexing failed; will try again'))
        .finally(schedule);
    }, interval);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
