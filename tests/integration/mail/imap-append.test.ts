import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';
import { holdBlob, InlineBlobStore } from '../../../src/store/inline-blob-store.js';
import type { Queryable } from '../../../src/store/db.js';
import { fetchMessages } from '../../../src/mail/fetch.js';
import { findMailbox, type Mailbox } from '../../../src/mail/mailboxes.js';
import type { BlobStore } from '../../../src/store/blob-store.js';

/**
 * appendFromClient writes the rows, the blob references, the descriptions and the folder's
 * new keywords in one statement: each of those must still land.
 */
let m: MailEnv;
let box: Mailbox;

beforeAll(async () => {
  m = await createMailEnv();
  const an = await m.account('themthu');
  box = await m.mailbox(an.id, 'INBOX');
});
afterAll(async () => m?.stop());

const row = async (hash: string) =>
  (await m.db.query<{ refcount: number; described: boolean; backlogged: boolean }>(
    `SELECT refcount, parsed IS NOT NULL AS described, EXISTS (SELECT 1 FROM search_backlog s WHERE s.hash = b.hash) AS backlogged
       FROM blobs b WHERE hash = $1`,
    [hash],
  )).rows[0];

describe('APPEND into the store (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND)', () => {
  it('adds one reference per message, describes a new blob once and puts it on the search backlog', async () => {
    const blob = await m.put(message({ subject: 'Công văn số 12' }));
    const r = await appendFromClient(m.db, m.blobs, { mailboxId: box.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size }, { blobHash: blob.hash, size: blob.size }] });
    expect(r.uids).toHaveLength(2);
    expect(await row(blob.hash)).toEqual({ refcount: 2, described: true, backlogged: true });
    // the same message again: one more reference, the description kept
    await appendFromClient(m.db, m.blobs, { mailboxId: box.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size }] });
    expect((await row(blob.hash))!.refcount).toBe(3);
    const fetched = await fetchMessages(m.db, box.id, [[r.uids[0]!, r.uids[0]!]], { envelope: true });
    expect(fetched[0]?.envelope).toBeTruthy();
  });

  it("adds a message's new keywords to the folder's list (RFC 9051 §7.3.5 FLAGS) and the flags to the message", async () => {
    const blob = await m.put(message({ subject: 'Từ khóa mới' }));
    const r = await appendFromClient(m.db, m.blobs, { mailboxId: box.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size, flags: ['\\Seen', '$Khan'] }] });
    expect((await findMailbox(m.db, box.accountId, 'INBOX'))!.keywords).toContain('$Khan');
    expect((await fetchMessages(m.db, box.id, [[r.uids[0]!, r.uids[0]!]]))[0]?.flags).toEqual(['\\Seen', '$Khan']);
    expect(r.changes).toEqual([{ type: 'exists', mailboxId: box.id, uid: r.uids[0], modseq: expect.any(Number), uids: r.uids, flags: [['\\Seen', '$Khan']] }]);
  });

  it("a keyword takes the folder's spelling, and MULTIAPPEND's new keywords join the list in the order first given", async () => {
    const blob = await m.put(message({ subject: 'Chính tả' }));
    const r = await appendFromClient(m.db, m.blobs, {
      mailboxId: box.id,
      quota: null,
      messages: [
        { blobHash: blob.hash, size: blob.size, flags: ['$KHAN', 'MoiMot'] },
        { blobHash: blob.hash, size: blob.size, flags: ['moimot', 'MoiHai'] },
      ],
    });
    expect(r.changes[0]).toMatchObject({ flags: [['$Khan', 'MoiMot'], ['MoiHai', 'MoiMot']] });
    const keywords = (await findMailbox(m.db, box.accountId, 'INBOX'))!.keywords;
    expect(keywords.slice(keywords.indexOf('$Khan'))).toEqual(['$Khan', 'MoiMot', 'MoiHai']);
  });

  it('a blob collected under it (its row made anew, its file gone) leaves no message behind: BlobVanishedError, store it again', async () => {
    const blob = await m.put(message({ subject: 'Vừa bị thu dọn' }));
    // the collector removes the file between the message's parsing and its row (a race
    // too narrow to hit on purpose): the store answers that the file is gone from then on
    const collected: BlobStore = Object.create(m.blobs, { has: { value: async () => false } });
    const before = (await findMailbox(m.db, box.accountId, 'INBOX'))!;
    await expect(appendFromClient(m.db, collected, { mailboxId: box.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size }] })).rejects.toThrow(/collected/);
    const { rows } = await m.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE blob_hash = $1', [blob.hash]);
    expect(rows[0]!.n).toBe(0);
    const after = (await findMailbox(m.db, box.accountId, 'INBOX'))!;
    expect(after.uidNext).toBeGreaterThan(before.uidNext); // the UID went and is never used again
  });

  it("an account's own folder by name (INBOX in any case) is found by the append's statement; a name with no folder writes nothing, held bytes included", async () => {
    const bytes = Buffer.from(message({ subject: 'Theo tên thư mục' }));
    let storeQueries = 0;
    const counted = { query: (...args: unknown[]) => (storeQueries++, (m.db.query as (...a: unknown[]) => unknown)(...args)) } as unknown as Queryable;
    const inline = new InlineBlobStore(counted, m.blobs, 128 * 1024);
    const held = await holdBlob(inline, [bytes]);
    expect(held.bytes).toBeTruthy();
    const item = { blobHash: held.hash, size: held.size, bytes: held.bytes! };
    const missing = appendFromClient(m.db, inline, { accountId: box.accountId, name: 'Chưa có', quota: null, messages: [item] });
    await expect(missing).rejects.toMatchObject({ code: 'no-such-mailbox' });
    expect((await m.db.query('SELECT 1 FROM blob_contents WHERE hash = $1', [held.hash])).rowCount).toBe(0);
    expect(await row(held.hash)).toBeUndefined();
    const r = await appendFromClient(m.db, inline, { accountId: box.accountId, name: 'inbox', quota: null, messages: [item] });
    expect(r.mailboxId).toBe(box.id);
    expect(r.changes[0]).toMatchObject({ type: 'exists', mailboxId: box.id, uid: r.uids[0] });
    expect((await fetchMessages(m.db, box.id, [[r.uids[0]!, r.uids[0]!]]))[0]?.blobHash).toBe(held.hash);
    expect((await m.db.query('SELECT 1 FROM blob_contents WHERE hash = $1', [held.hash])).rowCount).toBe(1);
    // written by the append's statement, and remembered as a put's bytes are: the next read asks nothing
    const queries = storeQueries;
    expect((await inline.read(held.hash)).equals(bytes)).toBe(true);
    expect(storeQueries).toBe(queries);
  });
});
