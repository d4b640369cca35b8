/**
 * Watches hopthu's mailbox store the way a mail client would see it: a message counts
 * as delivered when its row is committed in `messages`. Every 50 ms the watcher reads
 * the rows that appeared since the last look and notes the time for each. Row ids are
 * taken in insert order but committed in any order, so an id skipped over is looked for
 * again for a while (a "gap"); the final scan catches anything the watcher missed.
 */
import pg from 'pg';
import { indexOfMessageId, recipientOf } from './messages.js';

const POLL_MS = 50;
const GAP_MS = 15_000;

export interface DeliveryWatch {
  /** resolves when all `count` messages are visible, or nothing new appeared for `stallSeconds` */
  settled(stallSeconds: number): Promise<void>;
  /** per message index: performance.now() when first seen; NaN when not seen */
  visibleAt: Float64Array;
  seen(): number;
  stop(): Promise<void>;
}

export async function watchDeliveries(databaseUrl: string, runId: string, count: number): Promise<DeliveryWatch> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const visibleAt = new Float64Array(count).fill(NaN);
  let seen = 0;
  let lastProgress = performance.now();
  let maxId = 0;
  const gaps = new Map<number, number>();
  let stopped = false;

  const poll = async () => {
    // two index scans on the primary key (an OR of the two would scan the whole table every time)
    const { rows } = await client.query<{ id: string; message_id: string | null }>(
      `SELECT id, message_id FROM messages WHERE id > $1
       UNION ALL SELECT id, message_id FROM messages WHERE id = ANY($2::bigint[])`,
      [maxId, [...gaps.keys()]],
    );
    const now = performance.now();
    const ids = new Set<number>();
    for (const row of rows) {
      const id = Number(row.id);
      ids.add(id);
      gaps.delete(id);
      const i = indexOfMessageId(runId, row.message_id);
      if (i !== undefined && i < count && Number.isNaN(visibleAt[i]!)) {
        visibleAt[i] = now;
        seen++;
        lastProgress = now;
      }
    }
    const newMax = rows.reduce((m, r) => Math.max(m, Number(r.id)), maxId);
    for (let id = maxId + 1; id < newMax; id++) if (!ids.has(id)) gaps.set(id, now);
    maxId = newMax;
    for (const [id, since] of gaps) if (now - since > GAP_MS) gaps.delete(id);
  };

  let failure: Error | undefined;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        await poll();
      } catch (err) {
        failure = err as Error; // the server went away; settled() reports it
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (performance.now() - started))));
    }
  })();
  let stopping: Promise<void> | undefined;

  return {
    visibleAt,
    seen: () => seen,
    async settled(stallSeconds) {
      lastProgress = performance.now();
      while (seen < count && performance.now() - lastProgress < stallSeconds * 1000) {
        if (failure) throw new Error(`watching the mailbox store failed: ${failure.message}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    stop() {
      stopped = true;
      stopping ??= loop.then(() => client.end()).catch(() => {});
      return stopping;
    },
  };
}

export interface DeliveryCheck {
  /** rows in INBOX of the right account, one per message index */
  delivered: number;
  lost: number;
  duplicates: number;
  /** rows in another folder or another account than the message was sent to */
  misplaced: number;
  /** messages the watcher missed and only the final scan found (their time is the scan's) */
  lateFound: number;
}

/** Reads every message row once more and checks each index arrived once, in its recipient's INBOX. */
export async function checkDeliveries(databaseUrl: string, runId: string, mailboxes: number, visibleAt: Float64Array): Promise<DeliveryCheck> {
  const count = visibleAt.length;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ message_id: string | null; folder: string; address: string }>(
      `SELECT m.message_id, mb.name AS folder, a.address
         FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id JOIN accounts a ON a.id = mb.account_id`,
    );
    const copies = new Uint32Array(count);
    let misplaced = 0;
    for (const row of rows) {
      const i = indexOfMessageId(runId, row.message_id);
      if (i === undefined || i >= count) {
        misplaced++;
        continue;
      }
      if (row.folder !== 'INBOX' || row.address !== recipientOf(i, mailboxes)) misplaced++;
      else copies[i]!++;
    }
    const now = performance.now();
    const result: DeliveryCheck = { delivered: 0, lost: 0, duplicates: 0, misplaced, lateFound: 0 };
    for (let i = 0; i < count; i++) {
      if (copies[i]! === 0) result.lost++;
      else result.delivered++;
      if (copies[i]! > 0 && Number.isNaN(visibleAt[i]!)) {
        visibleAt[i] = now;
        result.lateFound++;
      }
      if (copies[i]! > 1) result.duplicates += copies[i]! - 1;
    }
    return result;
  } finally {
    await client.end();
  }
}
