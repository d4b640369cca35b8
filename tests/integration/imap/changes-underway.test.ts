import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MailboxEvents } from '../../../src/imap/mailbox-events.js';
import { SelectedMailbox } from '../../../src/imap/selected-mailbox.js';
import { mailboxSnapshot, storeFlags } from '../../../src/mail/index.js';
import type { Queryable } from '../../../src/store/db.js';
import { connectRedis } from '../../../src/store/redis.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createMailEnv, type MailEnv } from '../mail/mail-env.js';

/**
 * A session that hears of a folder's MODSEQ N+1 before N waits for this process's changes
 * under way (MailboxEvents.change / underway) before it reads the store: N has most often
 * committed in another session of the process and is about to be published.
 */
let m: MailEnv;
let events: MailboxEvents;
const connections: Redis[] = [];

beforeAll(async () => {
  m = await createMailEnv();
  const redis = () => {
    const r = connectRedis(m.env.redis.url);
    connections.push(r);
    return r;
  };
  events = new MailboxEvents(redis(), redis(), 'underway-test:', silentLogger);
});

afterAll(async () => {
  await events?.close();
  for (const r of connections) r.disconnect();
  await m?.stop();
});

/** a selected view of a folder of three messages, told of the folder's changes, and a count of the reads its catch-ups make */
async function watchedFolder(local: string) {
  const account = await m.account(local);
  const inbox = await m.mailbox(account.id, 'INBOX');
  for (let n = 1; n <= 3; n++) await m.append(inbox.id, `Subject: thư ${n}\r\n\r\nnội dung\r\n`);
  const view = new SelectedMailbox(await mailboxSnapshot(m.db, inbox.id), false);
  await events.watch(inbox.id, {
    mailboxChanged: (change) => view.noteChange(change),
    mailboxMayHaveChanged: () => (view.stale = true),
  });
  const counted = { reads: 0 };
  const db: Queryable = {
    query: ((...args: Parameters<Queryable['query']>) => {
      counted.reads++;
      return (m.db.query as (...a: unknown[]) => unknown)(...args);
    }) as Queryable['query'],
  };
  const catchUp = () => view.sync(db, true, true, false, () => events.underway(inbox.id, account.id));
  return { account, inbox, view, counted: Object.assign(counted, { db }), catchUp };
}

const flag = (mailboxId: number, uid: number, name: string) => storeFlags(m.db, { mailboxId, uids: [[uid, uid]], action: 'add', flags: [name] });

describe('a MODSEQ heard of before the one below it (mailbox-events.ts change, underway)', () => {
  it('waits for the change under way in this process and takes both from their notifications, reading nothing', async () => {
    const { inbox, counted, catchUp } = await watchedFolder('underway1');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // committed at MODSEQ N, published only once the gate opens
    const first = events.change({ mailboxIds: [inbox.id] }, async () => {
      const result = await flag(inbox.id, 1, '\\Answered');
      await gate;
      return result;
    });
    await new Promise((r) => setTimeout(r, 50));
    // N + 1, published at once: the view now has a hole at N
    await events.change({ mailboxIds: [inbox.id] }, () => flag(inbox.id, 2, '\\Flagged'));
    let caughtUp = false;
    const syncing = catchUp().then((lines) => ((caughtUp = true), lines));
    await new Promise((r) => setTimeout(r, 50));
    expect(caughtUp).toBe(false);
    release();
    await first;
    const lines = (await syncing).map((l) => l.toString());
    expect(lines).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Answered))\r\n', '* 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n']);
    expect(counted.reads).toBe(0);
  });

  it('stops waiting once the hole is filled, without waiting for the other changes under way', async () => {
    const { inbox, counted, catchUp } = await watchedFolder('underway4');
    let releaseFirst!: () => void;
    let releaseLater!: () => void;
    const firstGate = new Promise<void>((r) => (releaseFirst = r));
    const laterGate = new Promise<void>((r) => (releaseLater = r));
    // N committed, published once its gate opens
    const first = events.change({ mailboxIds: [inbox.id] }, async () => {
      const result = await flag(inbox.id, 1, '\\Answered');
      await firstGate;
      return result;
    });
    await new Promise((r) => setTimeout(r, 50));
    // a change under way that has not even begun: it waits on its gate first
    const later = events.change({ mailboxIds: [inbox.id] }, async () => {
      await laterGate;
      return flag(inbox.id, 3, '\\Deleted');
    });
    // N + 1, published at once: the hole is at N
    await events.change({ mailboxIds: [inbox.id] }, () => flag(inbox.id, 2, '\\Flagged'));
    const syncing = catchUp();
    setTimeout(releaseFirst, 30);
    await first;
    expect((await syncing).map((l) => l.toString())).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Answered))\r\n', '* 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n']);
    expect(counted.reads).toBe(0);
    releaseLater();
    await later;
  });

  it('an APPEND by folder name is under way for every folder of its account', async () => {
    const { account, inbox, counted, catchUp } = await watchedFolder('underway2');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = events.change({ mailboxIds: [], accountId: account.id }, async () => {
      const result = await m.append(inbox.id, 'Subject: mới\r\n\r\nnội dung\r\n');
      await gate;
      return result;
    });
    await new Promise((r) => setTimeout(r, 50));
    await events.change({ mailboxIds: [inbox.id] }, () => flag(inbox.id, 3, '\\Seen'));
    const syncing = catchUp();
    setTimeout(release, 30);
    await first;
    expect((await syncing).map((l) => l.toString())).toEqual(['* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n', '* 4 EXISTS\r\n']);
    expect(counted.reads).toBe(0);
  });

  it('reads the store when the missing change is no change of this process (another process, or never announced)', async () => {
    const { inbox, counted, catchUp } = await watchedFolder('underway3');
    // N: made outside this process's MailboxEvents, so nothing is under way and nothing will be heard
    await flag(inbox.id, 1, '\\Answered');
    await events.change({ mailboxIds: [inbox.id] }, () => flag(inbox.id, 2, '\\Flagged'));
    const lines = (await catchUp()).map((l) => l.toString());
    expect(lines).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Answered))\r\n', '* 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n']);
    expect(counted.reads).toBe(1);
  });
});

describe('whether every notification reaches this process (MailboxEvents.listeningTo)', () => {
  it('is false from the moment the subscriber loses Redis until it has subscribed again, and a re-SELECT then reads the store', async () => {
    const { account, inbox, view, counted } = await watchedFolder('listening1');
    const subscriber = connections[0]!;
    expect(events.listeningTo(inbox.id)).toBe(true);
    const heard = () => ({ listening: events.listeningTo(inbox.id), underway: () => events.underway(inbox.id, account.id) });
    // heard of everything: the same folder again is the view, without a read
    const same = await view.reopenOwn(counted.db, account.id, 'INBOX', false, heard());
    expect(same?.exists).toBe(3);
    expect(counted.reads).toBe(0);

    const closed = new Promise((r) => subscriber.once('close', r));
    subscriber.disconnect(true);
    await closed;
    expect(events.listeningTo(inbox.id)).toBe(false);
    const again = await same!.reopenOwn(counted.db, account.id, 'INBOX', false, heard());
    expect(again?.exists).toBe(3);
    expect(counted.reads).toBe(1);
    const deadline = Date.now() + 10_000;
    while (!events.listeningTo(inbox.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.listeningTo(inbox.id)).toBe(true);
  });
});
