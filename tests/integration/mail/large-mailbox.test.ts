import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { createMailbox } from '../../../src/mail/mailbox-tree.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';
import { mailboxSnapshot } from '../../../src/mail/snapshot.js';
import { fetchMessages } from '../../../src/mail/fetch.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { searchMailbox } from '../../../src/mail/search.js';
import { changesSince } from '../../../src/mail/changes.js';
import { copyMessages, moveMessages } from '../../../src/mail/copy-move.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';
import type { Mailbox } from '../../../src/mail/mailboxes.js';

const MESSAGES = 10_000;
const DISTINCT_BLOBS = 500;

let m: MailEnv;
let box: Mailbox;
let accountId: number;
const timings: Record<string, number> = {};

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  timings[name] = Math.round(performance.now() - start);
  return result;
}

beforeAll(async () => {
  m = await createMailEnv();
  const account = await m.account('annv');
  accountId = account.id;
  box = await createMailbox(m.db, account.id, 'Mười nghìn');
  const blobs: { hash: string; size: number }[] = [];
  for (let i = 0; i < DISTINCT_BLOBS; i++) {
    const body = `Báo cáo số ${i}: tình hình thực hiện nhiệm vụ chuyển đổi số tại xã ${i}.\r\n`.repeat(30);
    blobs.push(await m.put(message({ subject: `Báo cáo tuần ${i}`, body: i === 7 ? body + 'Mã hồ sơ đặc biệt XK-2024\r\n' : body })));
  }
  const batch = (start: number) =>
    Array.from({ length: 500 }, (_, k) => {
      const blob = blobs[(start + k) % DISTINCT_BLOBS]!;
      return { blobHash: blob.hash, size: blob.size, flags: (start + k) % 3 === 0 ? ['\\Seen'] : [] };
    });
  // the first 500 read, parse and index their blobs; the rest append blobs already described
  await timed('append 500 new blobs (MULTIAPPEND)', () => appendFromClient(m.db, m.blobs, { mailboxId: box.id, quota: null, messages: batch(0) }));
  await timed(`append ${MESSAGES - 500} more (MULTIAPPEND, 500 per call)`, async () => {
    for (let start = 500; start < MESSAGES; start += 500) {
      await appendFromClient(m.db, m.blobs, { mailboxId: box.id, quota: null, messages: batch(start) });
    }
  });
  const single = await createMailbox(m.db, account.id, 'Một thư');
  await timed('append 1 described blob (single APPEND)', () => appendFromClient(m.db, m.blobs, { mailboxId: single.id, quota: null, messages: batch(0).slice(0, 1) }));
}, 300_000);

afterAll(async () => {
  console.log(`mail store timings on ${MESSAGES} messages (ms):`, timings);
  await m?.stop();
});

describe(`a folder of ${MESSAGES} messages`, () => {
  it('SELECT snapshot: every UID, flag list and MODSEQ in one query', async () => {
    await mailboxSnapshot(m.db, box.id); // warm
    const snap = await timed('snapshot', () => mailboxSnapshot(m.db, box.id));
    expect(snap.uids).toHaveLength(MESSAGES);
    expect(snap.uids[MESSAGES - 1]).toBe(MESSAGES);
    expect(snap.flags.filter((f) => f.includes('\\Seen'))).toHaveLength(Math.ceil(MESSAGES / 3));
    // equal flag lists share one array
    expect(snap.flags[0]).toBe(snap.flags[3]);
    expect(timings.snapshot).toBeLessThan(1000);
  });

  it('FETCH of every message with its parsed description', { timeout: 120_000 }, async () => {
    const all = await timed('fetch 1:* (flags, dates, sizes, parsed)', () => fetchMessages(m.db, box.id, ALL_UIDS, { parsed: true }));
    expect(all).toHaveLength(MESSAGES);
    expect(all[0]!.parsed?.search.subjects[0]).toBe('Báo cáo tuần 0');
  });

  it('SEARCH BODY and SUBJECT, folded, over every message', async () => {
    const body = await timed('search BODY (rare string)', () => searchMailbox(m.db, box.id, { key: 'body', value: 'ma ho so dac biet xk-2024' }, { blobs: m.blobs }));
    expect(body.uids).toHaveLength(MESSAGES / DISTINCT_BLOBS);
    const subject = await timed('search SUBJECT', () => searchMailbox(m.db, box.id, { key: 'subject', value: 'bao cao tuan 7' }, { blobs: m.blobs }));
    expect(subject.uids.length).toBeGreaterThan(0);
    const common = await timed('search BODY (in every message)', () => searchMailbox(m.db, box.id, { key: 'body', value: 'chuyen doi so' }, { blobs: m.blobs }));
    expect(common.uids).toHaveLength(MESSAGES);
    const flags = await timed('search UNSEEN', () => searchMailbox(m.db, box.id, { key: 'flag', flag: '\\Seen', set: false }, { blobs: m.blobs }));
    expect(flags.uids).toHaveLength(MESSAGES - Math.ceil(MESSAGES / 3));
  });

  it('STORE on every message, then CHANGEDSINCE', { timeout: 120_000 }, async () => {
    const before = await mailboxStatus(m.db, box.id);
    const r = await timed('store +FLAGS on 1:*', () => storeFlags(m.db, { mailboxId: box.id, uids: ALL_UIDS, action: 'add', flags: ['\\Seen'] }));
    expect(r.updated).toHaveLength(MESSAGES - Math.ceil(MESSAGES / 3));
    expect((await mailboxStatus(m.db, box.id)).unseen).toBe(0);
    const changes = await timed('changes since (all flags changed)', () => changesSince(m.db, box.id, before.highestModseq));
    expect(changes.changed).toHaveLength(r.updated.length);
  });

  it('COPY and MOVE of every message, then EXPUNGE of every message', { timeout: 180_000 }, async () => {
    const copyTarget = await createMailbox(m.db, accountId, 'Bản sao');
    const copied = await timed('copy 1:*', () => copyMessages(m.db, m.blobs, { sourceMailboxId: box.id, uids: ALL_UIDS, targetMailboxId: copyTarget.id, targetQuota: null }));
    expect(copied.targetUids).toHaveLength(MESSAGES);
    const moveTarget = await createMailbox(m.db, accountId, 'Chuyển');
    const moved = await timed('move 1:*', () => moveMessages(m.db, { sourceMailboxId: copyTarget.id, uids: ALL_UIDS, targetMailboxId: moveTarget.id }));
    expect(moved.targetUids).toHaveLength(MESSAGES);
    const vanished = await timed('changes since 0 (10,000 vanished)', () => changesSince(m.db, copyTarget.id, 0));
    expect(vanished.vanished).toHaveLength(MESSAGES);
    await storeFlags(m.db, { mailboxId: moveTarget.id, uids: ALL_UIDS, action: 'add', flags: ['\\Deleted'] });
    const gone = await timed('expunge 1:* (releases blob references)', () => expungeMessages(m.db, moveTarget.id));
    expect(gone.uids).toHaveLength(MESSAGES);
    const { rows } = await m.db.query<{ refs: number }>('SELECT sum(refcount)::int AS refs FROM blobs');
    expect(rows[0]!.refs).toBe(MESSAGES + 1); // the source folder, and 'Một thư'
  });
});
