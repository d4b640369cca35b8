import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { mailboxSnapshot } from '../../../src/mail/snapshot.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';
import { deliverToMailboxes } from '../../../src/mail/deliver.js';
import { transaction } from '../../../src/store/db.js';
import { addBlobRef } from '../../../src/store/blob-refs.js';
import type { Mailbox } from '../../../src/mail/mailboxes.js';

let m: MailEnv;
let inbox: Mailbox;
/** one pool per simulated IMAP process, each with its own connections */
let pools: Db[];

const PROCESSES = 6;
const SESSIONS_PER_PROCESS = 4;
const APPENDS_PER_SESSION = 15;

beforeAll(async () => {
  m = await createMailEnv();
  const an = await m.account('annv');
  inbox = await m.mailbox(an.id, 'INBOX');
  pools = Array.from({ length: PROCESSES }, () => createPool(m.env.databaseUrl, SESSIONS_PER_PROCESS));
});
afterAll(async () => {
  for (const p of pools ?? []) await p.end();
  await m?.stop();
});

describe('concurrent appends', () => {
  it(`${PROCESSES * SESSIONS_PER_PROCESS} sessions in ${PROCESSES} pools appending at once get unique UIDs that ascend in commit order`, async () => {
    const blobs = await Promise.all(Array.from({ length: 8 }, (_, i) => m.put(message({ subject: `song song ${i}` }))));
    /** every append, with the UID it got and the order its commit was seen in */
    const log: { uid: number; modseq: number; session: number }[] = [];
    const sessions = pools.flatMap((pool, p) =>
      Array.from({ length: SESSIONS_PER_PROCESS }, async (_, s) => {
        const session = p * SESSIONS_PER_PROCESS + s;
        const mine: number[] = [];
        for (let i = 0; i < APPENDS_PER_SESSION; i++) {
          const blob = blobs[(session + i) % blobs.length]!;
          const r = await appendFromClient(pool, m.blobs, {
            mailboxId: inbox.id,
            quota: null,
            messages: [{ blobHash: blob.hash, size: blob.size, flags: i % 2 ? ['\\Seen'] : [] }],
          });
          mine.push(r.uids[0]!);
          log.push({ uid: r.uids[0]!, modseq: (r.changes[0] as { modseq: number }).modseq, session });
        }
        // a session sees its own appends in increasing UID order
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }),
    );
    await Promise.all(sessions);

    const total = PROCESSES * SESSIONS_PER_PROCESS * APPENDS_PER_SESSION;
    const uids = log.map((l) => l.uid);
    expect(new Set(uids).size).toBe(total);
    expect(Math.min(...uids)).toBe(1);
    expect(Math.max(...uids)).toBe(total); // no gaps: no UID was taken by a rolled-back append
    // MODSEQs are unique and ascend with the UIDs (both come from the same row lock)
    const byUid = [...log].sort((a, b) => a.uid - b.uid);
    for (let i = 1; i < byUid.length; i++) expect(byUid[i]!.modseq).toBeGreaterThan(byUid[i - 1]!.modseq);

    const snap = await mailboxSnapshot(m.db, inbox.id);
    expect(snap.uids).toEqual(byUid.map((l) => l.uid));
    const status = await mailboxStatus(m.db, inbox.id);
    expect(status).toMatchObject({ messages: total, uidNext: total + 1, unseen: PROCESSES * SESSIONS_PER_PROCESS * Math.ceil(APPENDS_PER_SESSION / 2) });
    const { rows } = await m.db.query<{ refs: number }>('SELECT sum(refcount)::int AS refs FROM blobs');
    expect(rows[0]!.refs).toBe(total);
  });

  it('appends, flag changes and expunges racing on one folder keep the counters exact', async () => {
    const before = await mailboxStatus(m.db, inbox.id);
    const work = pools.map(async (pool, p) => {
      for (let i = 0; i < 10; i++) {
        if (p % 3 === 0) {
          const blob = await m.put(message({ subject: `đua ${p}-${i}` }));
          await appendFromClient(pool, m.blobs, { mailboxId: inbox.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size }] });
        } else if (p % 3 === 1) {
          const uid = 1 + ((p * 37 + i * 11) % before.uidNext);
          await storeFlags(pool, { mailboxId: inbox.id, uids: [[uid, uid + 5]], action: i % 2 ? 'add' : 'remove', flags: ['\\Seen', '\\Deleted'] });
        } else {
          await expungeMessages(pool, inbox.id);
        }
      }
    });
    await Promise.all(work);
    const { rows } = await m.db.query<{ n: number; unseen: number; bytes: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT '\\Seen' = ANY (flags))::int AS unseen, COALESCE(sum(size), 0)::int AS bytes
         FROM messages WHERE mailbox_id = $1`,
      [inbox.id],
    );
    const status = await mailboxStatus(m.db, inbox.id);
    expect({ messages: status.messages, unseen: status.unseen, size: status.size }).toEqual({ messages: rows[0]!.n, unseen: rows[0]!.unseen, size: rows[0]!.bytes });
    const { rows: refs } = await m.db.query<{ refs: number; msgs: number }>(
      'SELECT (SELECT sum(refcount) FROM blobs)::int AS refs, (SELECT count(*) FROM messages)::int AS msgs',
    );
    expect(refs[0]!.refs).toBe(refs[0]!.msgs);
  });

  it('deliveries (deliverToMailboxes under the row lock) interleave with IMAP appends without duplicate UIDs', async () => {
    const blob = await m.put(message({ subject: 'giao thư' }));
    await addBlobRef(m.db, m.blobs, blob.hash, blob.size, 20); // what delivery does beside deliverToMailboxes
    const delivered = Array.from({ length: 20 }, (_, i) =>
      transaction(pools[i % PROCESSES]!, async (client: pg.PoolClient) => {
        const [r] = await deliverToMailboxes(client, [
          {
            accountId: inbox.accountId,
            folder: 'INBOX',
            blobHash: blob.hash,
            size: blob.size,
            flags: [],
            internalDate: new Date(),
            summary: { subject: 'giao thư', from: null, to: null, date: null, messageId: null },
            deliveryKey: `spool:${i}`,
            enforceQuota: false,
          },
        ]);
        if (r?.status !== 'stored') throw new Error(`delivery ${i}: ${r?.status}`);
        return r;
      }),
    );
    const imap = Array.from({ length: 20 }, (_, i) =>
      appendFromClient(pools[i % PROCESSES]!, m.blobs, { mailboxId: inbox.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size }] }),
    );
    const [a, b] = await Promise.all([Promise.all(delivered), Promise.all(imap)]);
    const uids = [...a.map((x) => x!.uid), ...b.map((x) => x.uids[0]!)];
    expect(new Set(uids).size).toBe(40);
  });
});
