import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import type { Account } from '../../../src/identity/accounts.js';
import { createMailbox, deleteMailbox, renameMailbox } from '../../../src/mail/mailbox-tree.js';
import { storeFlags } from '../../../src/mail/store-flags.js';
import { expungeMessages } from '../../../src/mail/expunge.js';
import { moveMessages } from '../../../src/mail/copy-move.js';
import { mailboxSnapshot } from '../../../src/mail/snapshot.js';
import { mailboxStatus } from '../../../src/mail/status.js';
import { ALL_UIDS } from '../../../src/mail/uid-set.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';

let m: MailEnv;
let an: Account;

beforeAll(async () => {
  m = await createMailEnv();
  an = await m.account('annv');
});
afterAll(async () => m?.stop());

describe('UIDs (RFC 9051 §2.3.1.1)', () => {
  it('strictly ascend and are never reused after EXPUNGE of the last message', async () => {
    const box = await createMailbox(m.db, an.id, 'Tăng dần');
    const first = await m.append(box.id, message({ subject: '1' }));
    const second = await m.append(box.id, message({ subject: '2' }));
    expect([first.uids, second.uids]).toEqual([[1], [2]]);
    await storeFlags(m.db, { mailboxId: box.id, uids: ALL_UIDS, action: 'add', flags: ['\\Deleted'] });
    expect((await expungeMessages(m.db, box.id)).uids).toEqual([1, 2]);
    const third = await m.append(box.id, message({ subject: '3' }));
    expect(third.uids).toEqual([3]);
    expect((await mailboxSnapshot(m.db, box.id)).uids).toEqual([3]);
    expect((await mailboxStatus(m.db, box.id)).uidNext).toBe(4);
  });

  it('a message moved out and back gets a new, higher UID', async () => {
    const a = await createMailbox(m.db, an.id, 'Đi');
    const b = await createMailbox(m.db, an.id, 'Về');
    await m.append(a.id, message());
    await moveMessages(m.db, { sourceMailboxId: a.id, uids: ALL_UIDS, targetMailboxId: b.id });
    const back = await moveMessages(m.db, { sourceMailboxId: b.id, uids: ALL_UIDS, targetMailboxId: a.id });
    expect(back.targetUids).toEqual([2]);
  });

  it('a folder deleted and made again under the same name gets a new UIDVALIDITY and starts again at UID 1', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const box = await createMailbox(m.db, an.id, 'Tái tạo');
      expect(seen.has(box.uidValidity)).toBe(false);
      seen.add(box.uidValidity);
      expect((await m.append(box.id, message())).uids).toEqual([1]);
      await deleteMailbox(m.db, an.id, 'Tái tạo');
    }
  });

  it('UIDVALIDITY is unique across every folder ever made, even those made in the same second', async () => {
    const { rows } = await m.db.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT uidvalidity)::int AS distinct FROM mailboxes',
    );
    expect(rows[0]!.distinct).toBe(rows[0]!.n);
    const { rows: max } = await m.db.query<{ v: number }>('SELECT max(uidvalidity) AS v FROM mailboxes');
    expect(max[0]!.v).toBeLessThan(2 ** 32);
  });

  it('a renamed folder keeps its UIDVALIDITY; a folder made under the old name gets another', async () => {
    const box = await createMailbox(m.db, an.id, 'Tên cũ');
    const renamed = await renameMailbox(m.db, an.id, 'Tên cũ', 'Tên mới');
    expect(renamed.mailbox.uidValidity).toBe(box.uidValidity);
    const again = await createMailbox(m.db, an.id, 'Tên cũ');
    expect(again.uidValidity).not.toBe(box.uidValidity);
  });

  it('default folders made by createDefaultMailboxes get distinct UIDVALIDITY values', async () => {
    const hoa = await m.account('hoant');
    await createDefaultMailboxes(m.db, hoa.id); // a second time adds nothing
    const { rows } = await m.db.query<{ uidvalidity: number }>('SELECT uidvalidity FROM mailboxes WHERE account_id = $1', [hoa.id]);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.uidvalidity)).size).toBe(6);
  });
});
