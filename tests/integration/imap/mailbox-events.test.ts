import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../../src/store/embedded-redis.js';
import { connectRedis } from '../../../src/store/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { MailboxEvents, type MailboxWatcher } from '../../../src/imap/mailbox-events.js';
import type { MailboxChange } from '../../../src/mail/index.js';
import { eventually } from '../../support/fixtures.js';

let dir: string;
let server: EmbeddedRedis;
let publisher: Redis;
let events: MailboxEvents;

/** what a session would be told */
class Recorder implements MailboxWatcher {
  changes: MailboxChange[] = [];
  rechecks: number[] = [];
  mailboxChanged(change: MailboxChange) {
    this.changes.push(change);
  }
  mailboxMayHaveChanged(mailboxId: number) {
    this.rechecks.push(mailboxId);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-events-'));
  server = await startEmbeddedRedis({ dir, log: silentLogger, appendOnly: false });
  publisher = connectRedis(server.url);
  events = new MailboxEvents(connectRedis(server.url), publisher, 'events-test', silentLogger);
});
afterAll(async () => {
  await events?.close();
  publisher?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the IMAP role’s Redis subscriber', () => {
  it('after losing its connection it subscribes again and has every watcher look at its mailbox', async () => {
    const watcher = new Recorder();
    await events.watch(7, watcher);
    events.publish([{ type: 'exists', mailboxId: 7, uid: 1, modseq: 2 }]);
    await eventually(async () => (watcher.changes.length === 1 ? true : undefined), 5000, 'the first change');
    expect(watcher.rechecks).toEqual([]);

    // the connection drops (a Redis restart or failover looks the same to the subscriber)
    expect(await publisher.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
    await eventually(async () => (watcher.rechecks.length ? true : undefined), 5000, 'the watcher to be told to look again');
    expect(watcher.rechecks).toEqual([7]);

    // and it hears what is published after
    events.publish([{ type: 'flags', mailboxId: 7, uids: [1], modseq: 3 }]);
    await eventually(async () => (watcher.changes.length === 2 ? true : undefined), 5000, 'the change after the reconnect');
    expect(watcher.changes[1]).toEqual({ type: 'flags', mailboxId: 7, uids: [1], modseq: 3 });
  });
});

/** how many PUBLISH commands Redis has run so far */
async function publishes(): Promise<number> {
  const stats = String(await publisher.call('INFO', 'commandstats'));
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** a process's events on the Redis server: its own subscriber and command connections, its subscriber's client id */
async function processEvents(prefix: string, answerMs?: number) {
  const subscriber = connectRedis(server.url);
  const id = Number(await subscriber.client('ID'));
  const redis = connectRedis(server.url);
  const events = new MailboxEvents(subscriber, redis, prefix, silentLogger, answerMs);
  return {
    events,
    subscriberId: id,
    async close() {
      await events.close();
      redis.disconnect();
    },
  };
}

const flags = (mailboxId: number, modseq: number): MailboxChange => ({ type: 'flags', mailboxId, uids: [1], modseq });
const heard = (w: Recorder, modseq: number) => eventually(async () => (w.changes.some((c) => 'modseq' in c && c.modseq === modseq) ? true : undefined), 5000, `the change of MODSEQ ${modseq}`);

describe('changes skip Redis where no other process listens (folder-presence.ts)', () => {
  it('publishes only while another process watches the folder, and that process hears every change from the moment its watch resolves', async () => {
    const a = await processEvents('presence1');
    const b = await processEvents('presence1');
    try {
      const wa = new Recorder();
      let before = await publishes();
      // its announcement finds no other listener: its changes stay in the process
      await a.events.watch(11, wa);
      expect(await publishes()).toBe(before + 1);
      before = await publishes();
      a.events.publish([flags(11, 2)]);
      a.events.publish([flags(11, 3)]);
      await new Promise((r) => setTimeout(r, 100));
      expect(await publishes()).toBe(before);
      expect(wa.changes.map((c) => 'modseq' in c && c.modseq)).toEqual([2, 3]);

      // another process watches: its announcement is answered before its watch resolves
      const wb = new Recorder();
      before = await publishes();
      await b.events.watch(11, wb);
      expect(await publishes()).toBe(before + 2);
      expect(b.events.listeningTo(11)).toBe(true);
      a.events.publish([flags(11, 4)]);
      await heard(wb, 4);
      b.events.publish([flags(11, 5)]);
      await heard(wa, 5);
      expect(wa.changes.map((c) => 'modseq' in c && c.modseq)).toEqual([2, 3, 4, 5]);
      expect(wb.changes.map((c) => 'modseq' in c && c.modseq)).toEqual([4, 5]);

      // it stops watching: the next change finds no other listener, the one after skips Redis again
      b.events.unwatch(11, wb);
      await new Promise((r) => setTimeout(r, 50));
      a.events.publish([flags(11, 6)]);
      await new Promise((r) => setTimeout(r, 50));
      before = await publishes();
      a.events.publish([flags(11, 7)]);
      await new Promise((r) => setTimeout(r, 100));
      expect(await publishes()).toBe(before);
      expect(wb.changes).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a process that announced itself and heard no answer in time reads the store for that folder until the answer comes', async () => {
    const b = await processEvents('presence2', 200);
    // a listener that is not a hopthu process: it hears the announcement but does not answer it
    const stranger = connectRedis(server.url);
    const announcements: string[] = [];
    stranger.on('message', (_channel: string, message: string) => announcements.push(message));
    await stranger.subscribe('presence2:mailbox:12');
    try {
      const wb = new Recorder();
      const since = Date.now();
      await b.events.watch(12, wb);
      expect(Date.now() - since).toBeGreaterThanOrEqual(190);
      expect(b.events.listeningTo(12)).toBe(false);
      expect(announcements).toHaveLength(1);
      // the answer, late: the folder's watchers look at the store again, and notifications are trusted again
      const { hello } = JSON.parse(announcements[0]!) as { hello: string };
      await publisher.publish('presence2:mailbox:12', JSON.stringify({ ack: hello }));
      await eventually(async () => (wb.rechecks.length ? true : undefined), 5000, 'the watcher to be told to look again');
      expect(wb.rechecks).toEqual([12]);
      expect(b.events.listeningTo(12)).toBe(true);
    } finally {
      stranger.disconnect();
      await b.close();
    }
  });

  it('a process whose subscriber lost Redis announces itself again, so one that went on alone meanwhile publishes to it again', async () => {
    const a = await processEvents('presence3');
    const b = await processEvents('presence3');
    try {
      const wa = new Recorder();
      const wb = new Recorder();
      await a.events.watch(13, wa);
      await b.events.watch(13, wb);
      const back = new Promise((r) => wb.mailboxMayHaveChanged = (id: number) => r(id));
      expect(await publisher.call('CLIENT', 'KILL', 'ID', String(b.subscriberId))).toBe(1);
      // while b's subscriber is away, a's change finds no other listener
      a.events.publish([flags(13, 2)]);
      // b is back, announced and answered: it looks at the store, and hears what a changes next
      expect(await back).toBe(13);
      expect(b.events.listeningTo(13)).toBe(true);
      a.events.publish([flags(13, 3)]);
      await heard(wb, 3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
