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
