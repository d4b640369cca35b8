import type { StatusObject } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, messagesIn, rawMessage } from '../../support/fixtures.js';
import { imapClient, sendViaMx, setupImap, type ImapTestSetup } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
  await sendViaMx(t.server, 'Báo cáo tháng 11', 'Đồng chí Nguyễn Văn Bình gửi báo cáo.');
  await sendViaMx(t.server, 'Lịch công tác tuần', 'Không có nội dung đặc biệt.');
  await eventually(async () => ((await messagesIn(t.server.runtime.db, t.an.id)).length === 2 ? true : undefined), 10_000, 'delivery');
});

afterAll(async () => {
  await t?.env.stop();
});

describe('STORE, SEARCH, EXPUNGE, COPY, MOVE, APPEND', () => {
  it('STORE adds and removes flags and keywords (RFC 9051 §6.4.6)', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen('INBOX');
    expect(await client.messageFlagsAdd('1', ['\\Flagged', 'QuanTrong'])).toBe(true);
    let msg = await client.fetchOne('1', { flags: true });
    expect(msg && [...msg.flags!]).toEqual(expect.arrayContaining(['\\Flagged', 'QuanTrong']));
    await client.messageFlagsRemove('1', ['\\Flagged']);
    msg = await client.fetchOne('1', { flags: true });
    expect(msg && msg.flags!.has('\\Flagged')).toBe(false);
    await client.messageFlagsSet('2', ['\\Seen'], { uid: false });
    msg = await client.fetchOne('2', { flags: true });
    expect(msg && [...msg.flags!]).toEqual(['\\Seen']);
    await client.logout();
  });

  it('SEARCH finds "Nguyen" in "Nguyễn" without diacritics, by subject, flag and UID', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen('INBOX');
    expect(await client.search({ body: 'Nguyen Van Binh' })).toEqual([1]);
    expect(await client.search({ subject: 'bao cao' })).toEqual([1]);
    expect(await client.search({ subject: 'Lịch công tác' })).toEqual([2]);
    expect(await client.search({ seen: true })).toEqual([2]);
    expect(await client.search({ seen: false })).toEqual([1]);
    expect(await client.search({ keyword: 'QuanTrong' })).toEqual([1]);
    const uids = await client.search({ all: true }, { uid: true });
    expect(uids).toHaveLength(2);
    expect(await client.search({ or: [{ subject: 'lich' }, { body: 'nguyen' }] })).toEqual([1, 2]);
    await client.logout();
  });

  it('APPEND streams a message into a folder and answers APPENDUID (RFC 4315 §3)', async () => {
    const client = imapClient(t.server);
    await client.connect();
    const raw = rawMessage({ from: 'annv@yenbai.gov.vn', to: ['hadtt@yenbai.gov.vn'], subject: 'Bản nháp tờ trình' });
    const res = await client.append('Drafts', raw, ['\\Draft', '\\Seen']);
    expect(res && res.uid).toBeGreaterThan(0);
    expect(res && res.uidValidity).toBeDefined();
    const box = await client.mailboxOpen('Drafts');
    expect(box.exists).toBe(1);
    const msg = await client.fetchOne('1', { flags: true, envelope: true, source: true });
    expect(msg && msg.envelope?.subject).toBe('Bản nháp tờ trình');
    expect(msg && [...msg.flags!].sort()).toEqual(['\\Draft', '\\Seen']);
    expect(msg && msg.source?.toString()).toBe(raw);
    await expect(client.append('Khong co', raw)).rejects.toThrow();
    await client.logout();
  });

  it('COPY and MOVE answer COPYUID; MOVE expunges the source (RFC 6851)', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen('INBOX');
    const copied = await client.messageCopy('1', 'Archive');
    expect(copied && copied.uidMap?.size).toBe(1);
    const moved = await client.messageMove('2', 'Trash');
    expect(moved && moved.uidMap?.size).toBe(1);
    expect(client.mailbox && client.mailbox.exists).toBe(1);
    const trash = (await client.status('Trash', { messages: true })) as StatusObject;
    expect(trash.messages).toBe(1);
    const archive = (await client.status('Archive', { messages: true })) as StatusObject;
    expect(archive.messages).toBe(1);
    await client.logout();
  });

  it('EXPUNGE removes \\Deleted messages, UID EXPUNGE only the given ones (RFC 4315 §2.1)', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen('Archive');
    const [uid] = (await client.search({ all: true }, { uid: true })) as number[];
    expect(await client.messageDelete(String(uid), { uid: true })).toBe(true);
    const box = await client.mailboxOpen('Archive');
    expect(box.exists).toBe(0);
    await client.logout();
  });
});
