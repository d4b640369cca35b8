import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { indexSearchBacklog } from '../../../src/mail/search-backlog.js';
import { startSearchIndexer } from '../../../src/mail/search-indexer.js';
import { searchMailbox } from '../../../src/mail/search.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { silentLogger } from '../../../src/shared/logger.js';

let m: MailEnv;
beforeAll(async () => {
  m = await createMailEnv();
});
afterAll(async () => {
  await m?.stop();
});

const count = async (sql: string) => (await m.db.query<{ n: number }>(sql)).rows[0]!.n;
const backlog = () => count('SELECT count(*)::int AS n FROM search_backlog');
const indexed = () => count('SELECT count(*)::int AS n FROM blob_search');

describe('search text made behind delivery', () => {
  it('a stored message waits on the backlog; the indexer makes its text once', async () => {
    const account = await m.account('backlog');
    const inbox = await m.mailbox(account.id, 'INBOX');
    const before = await indexed();
    for (let i = 0; i < 130; i++) await m.append(inbox.id, message({ subject: `Công văn ${i}`, body: `Nội dung số ${i} về đường giao thông xã Đồng Tâm` }));
    expect(await backlog()).toBe(130);
    expect(await indexed()).toBe(before);

    expect(await indexSearchBacklog(m.db, m.blobs)).toBe(100);
    expect(await indexSearchBacklog(m.db, m.blobs)).toBe(30);
    expect(await indexSearchBacklog(m.db, m.blobs)).toBe(0);
    expect(await backlog()).toBe(0);
    expect(await indexed()).toBe(before + 130);
    const found = await searchMailbox(m.db, inbox.id, { key: 'body', value: 'duong giao thong xa dong tam' }, { blobs: m.blobs });
    expect(found.uids).toHaveLength(130);
  });

  it('a search does not wait for the indexer: it makes the text its folder lacks', async () => {
    const account = await m.account('eager');
    const inbox = await m.mailbox(account.id, 'INBOX');
    await m.append(inbox.id, message({ subject: 'Giấy mời họp', body: 'Kính mời đồng chí dự họp giao ban' }));
    expect(await backlog()).toBe(1);
    const found = await searchMailbox(m.db, inbox.id, { key: 'text', value: 'giao ban' }, { blobs: m.blobs });
    expect(found.uids).toEqual([1]);
    // the backlog row stays until the indexer passes; it then finds the text made and adds nothing
    expect(await indexSearchBacklog(m.db, m.blobs)).toBe(1);
    expect(await backlog()).toBe(0);
  });

  it('the background indexer drains the backlog while idle and only trickles while busy', async () => {
    const account = await m.account('background');
    const inbox = await m.mailbox(account.id, 'INBOX');
    for (let i = 0; i < 60; i++) await m.append(inbox.id, message({ subject: `Thông báo ${i}`, body: `Lịch trực tuần ${i}` }));
    let busy = true;
    const indexer = startSearchIndexer({ db: m.db, blobs: m.blobs, log: silentLogger, busy: () => busy, intervalMs: 20, busyIntervalMs: 60_000, minAgeMs: 0 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      // busy: one trickle batch of 25 at most
      expect(await backlog()).toBe(35);
      busy = false;
      const deadline = Date.now() + 5000;
      while ((await backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await backlog()).toBe(0);
    } finally {
      await indexer.stop();
    }
  });

  it('the indexer leaves mail younger than its minimum age, and skips a blob no message points at any more', async () => {
    const account = await m.account('shortlived');
    const inbox = await m.mailbox(account.id, 'INBOX');
    await m.append(inbox.id, message({ subject: 'Bản nháp 1', body: 'Bản nháp lưu tự động' }));
    const draft = await m.append(inbox.id, message({ subject: 'Bản nháp 2', body: 'Bản nháp lưu lần nữa' }));
    expect(await backlog()).toBe(2);
    // fresh: not yet
    expect(await indexSearchBacklog(m.db, m.blobs, 100, 3600)).toBe(0);
    expect(await backlog()).toBe(2);
    // the second one is saved over (expunged) before the indexer comes: no text made for it
    await storeFlags(m.db, { mailboxId: inbox.id, uids: [[draft.uids[0]!, draft.uids[0]!]], action: 'add', flags: ['\\Deleted'] });
    expect((await expungeMessages(m.db, inbox.id)).uids).toEqual(draft.uids);
    const before = await indexed();
    expect(await indexSearchBacklog(m.db, m.blobs, 100, 0)).toBe(2);
    expect(await backlog()).toBe(0);
    expect(await indexed()).toBe(before + 1);
  });
});
