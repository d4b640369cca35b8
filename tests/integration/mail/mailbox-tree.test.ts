import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailEnv, message, type MailEnv } from './mail-env.js';
import type { Account } from '../../../src/identity/accounts.js';
import { createMailbox, deleteMailbox, renameMailbox, subscribeMailbox, unsubscribeMailbox } from '../../../src/mail/mailbox-tree.js';
import { listMailboxNames, type ListEntry } from '../../../src/mail/mailbox-list.js';
import { findMailbox, getMailbox } from '../../../src/mail/mailboxes.js';
import { mailboxStatus, mailboxStatusByName } from '../../../src/mail/status.js';
import { mailboxSnapshot } from '../../../src/mail/snapshot.js';

let m: MailEnv;
let an: Account;

beforeAll(async () => {
  m = await createMailEnv();
  an = await m.account('annv');
});
afterAll(async () => m?.stop());

const list = async (pattern: string, options: Partial<Parameters<typeof listMailboxNames>[2]> = {}, account = an) =>
  listMailboxNames(m.db, account.id, { patterns: [pattern], ...options });
const names = (entries: ListEntry[]) => entries.map((e) => e.name);
const attrs = (entries: ListEntry[], name: string) => entries.find((e) => e.name === name)?.attributes;
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

describe('CREATE', () => {
  it('makes the missing superior names of a/b/c as ordinary folders (RFC 9051 §6.3.4)', async () => {
    const created = await createMailbox(m.db, an.id, 'Công văn/2024/Quý 1');
    expect(created.name).toBe('Công văn/2024/Quý 1');
    for (const name of ['Công văn', 'Công văn/2024']) {
      const parent = await findMailbox(m.db, an.id, name);
      expect(parent?.noselect).toBe(false);
    }
  });

  it('CREATE INBOX in any case is already-exists (RFC 9051 §6.3.4)', async () => {
    expect(await codeOf(createMailbox(m.db, an.id, 'inbox'))).toBe('already-exists');
    expect(await codeOf(createMailbox(m.db, an.id, 'Sent'))).toBe('already-exists');
  });

  it('puts children of INBOX under the canonical INBOX whatever the case', async () => {
    const child = await createMailbox(m.db, an.id, 'iNbOx/Phòng Tổ chức');
    expect(child.name).toBe('INBOX/Phòng Tổ chức');
  });

  it('drops one trailing separator and normalises to NFC', async () => {
    const made = await createMailbox(m.db, an.id, 'Dự án/'.normalize('NFD'));
    expect(made.name).toBe('Dự án');
    expect(await codeOf(createMailbox(m.db, an.id, 'Dự án'))).toBe('already-exists');
  });

  it.each([
    ['', 'empty'],
    ['a//b', 'empty level'],
    ['/a', 'leading separator'],
    ['a*b', 'wildcard *'],
    ['a%b', 'wildcard %'],
    ['a\u0007b', 'control character'],
    ['x'.repeat(501), 'too long'],
    [Array.from({ length: 17 }, () => 'l').join('/'), 'too deep'],
  ])('refuses the name %j (%s) with bad-mailbox-name', async (name) => {
    expect(await codeOf(createMailbox(m.db, an.id, name))).toBe('bad-mailbox-name');
  });

  it('CREATE with a special use (RFC 6154 §3) lists it; an unknown use is refused', async () => {
    await createMailbox(m.db, an.id, 'Lưu trữ 2023', { specialUse: '\\Archive' });
    expect(attrs(await list('Lưu trữ 2023'), 'Lưu trữ 2023')).toContain('\\Archive');
    expect(await codeOf(createMailbox(m.db, an.id, 'X', { specialUse: '\\Important' }))).toBe('bad-special-use');
  });

  it('concurrent CREATEs of one name: one wins, the rest are already-exists', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => codeOf(createMailbox(m.db, an.id, 'Đua/Nhau'))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'already-exists')).toHaveLength(5);
  });
});

describe('DELETE', () => {
  it('refuses INBOX (RFC 9051 §6.3.5) and a name that does not exist', async () => {
    expect(await codeOf(deleteMailbox(m.db, an.id, 'INBOX'))).toBe('cannot');
    expect(await codeOf(deleteMailbox(m.db, an.id, 'Không có'))).toBe('no-such-mailbox');
  });

  it('leaves a folder with children as \\Noselect, its messages gone (RFC 9051 §6.3.5)', async () => {
    const parent = await createMailbox(m.db, an.id, 'Cha');
    await createMailbox(m.db, an.id, 'Cha/Con');
    await m.append(parent.id, message({ subject: 'trong Cha' }));
    const { changes } = await deleteMailbox(m.db, an.id, 'Cha');
    expect(changes).toEqual([{ type: 'deleted', mailboxId: parent.id }]);
    const listed = await list('Cha*');
    expect(attrs(listed, 'Cha')).toEqual(['\\Noselect', '\\HasChildren']);
    expect(attrs(listed, 'Cha/Con')).toEqual(['\\HasNoChildren']);
    const placeholder = await findMailbox(m.db, an.id, 'Cha');
    expect(await codeOf(mailboxSnapshot(m.db, placeholder!.id))).toBe('noselect');
    expect(await codeOf(m.append(placeholder!.id, message()))).toBe('noselect');
    // RFC 9051 §6.3.5: deleting a \Noselect name with inferior names is an error
    expect(await codeOf(deleteMailbox(m.db, an.id, 'Cha'))).toBe('has-children');
    await deleteMailbox(m.db, an.id, 'Cha/Con');
    // the \Noselect level stays until deleted itself (the RFC's example)
    expect(attrs(await list('Cha'), 'Cha')).toEqual(['\\Noselect', '\\HasNoChildren']);
    await deleteMailbox(m.db, an.id, 'Cha');
    expect(await list('Cha*')).toEqual([]);
  });

  it('CREATE of a \\Noselect level makes it a folder again, with a new UIDVALIDITY', async () => {
    await createMailbox(m.db, an.id, 'Tạm/Con');
    const before = await findMailbox(m.db, an.id, 'Tạm');
    await deleteMailbox(m.db, an.id, 'Tạm');
    const again = await createMailbox(m.db, an.id, 'Tạm');
    expect(again.noselect).toBe(false);
    expect(again.uidValidity).not.toBe(before!.uidValidity);
  });

  it('releases the blob references of the deleted messages', async () => {
    const box = await createMailbox(m.db, an.id, 'Xoá tôi');
    const raw = message({ subject: 'blob riêng của thư mục Xoá tôi' });
    await m.append(box.id, raw);
    const { hash } = await m.put(raw);
    const refcount = async () => (await m.db.query<{ refcount: number }>('SELECT refcount FROM blobs WHERE hash = $1', [hash])).rows[0]?.refcount;
    expect(await refcount()).toBe(1);
    await deleteMailbox(m.db, an.id, 'Xoá tôi');
    expect(await refcount()).toBe(0);
  });
});

describe('RENAME', () => {
  it('moves the children, keeps UIDs and UIDVALIDITY, and makes the new superior names (RFC 9051 §6.3.6)', async () => {
    const box = await createMailbox(m.db, an.id, 'Cũ');
    await createMailbox(m.db, an.id, 'Cũ/Con/Cháu');
    await m.append(box.id, message({ subject: 'thư trong Cũ' }));
    await subscribeMailbox(m.db, an.id, 'Cũ/Con');
    const { mailbox, changes } = await renameMailbox(m.db, an.id, 'Cũ', 'Mới/Hơn');
    expect(mailbox.id).toBe(box.id);
    expect(mailbox.uidValidity).toBe(box.uidValidity);
    expect(mailbox.messageCount).toBe(1);
    expect(names(await list('Mới*'))).toEqual(['Mới', 'Mới/Hơn', 'Mới/Hơn/Con', 'Mới/Hơn/Con/Cháu']);
    expect(await list('Cũ*')).toEqual([]);
    expect(changes.map((c) => c.type === 'renamed' && c.name).sort()).toEqual(['Mới/Hơn', 'Mới/Hơn/Con', 'Mới/Hơn/Con/Cháu']);
    // subscriptions follow the folder
    expect(names(await list('*', { subscribedOnly: true }))).toContain('Mới/Hơn/Con');
  });

  it('refuses an existing target, a missing source, INBOX as target, and a move inside itself', async () => {
    await createMailbox(m.db, an.id, 'R1/Con');
    await createMailbox(m.db, an.id, 'R2');
    expect(await codeOf(renameMailbox(m.db, an.id, 'R1', 'R2'))).toBe('already-exists');
    expect(await codeOf(renameMailbox(m.db, an.id, 'Không có', 'R3'))).toBe('no-such-mailbox');
    expect(await codeOf(renameMailbox(m.db, an.id, 'R1', 'inbox'))).toBe('already-exists');
    expect(await codeOf(renameMailbox(m.db, an.id, 'R1', 'R1/Con/Sâu'))).toBe('cannot');
  });

  it('RENAME INBOX moves its messages to a new folder and leaves INBOX empty, its children in place (RFC 9051 §6.3.6)', async () => {
    const ha = await m.account('hadtt');
    const inbox = await m.mailbox(ha.id, 'INBOX');
    await createMailbox(m.db, ha.id, 'INBOX/Con');
    await m.append(inbox.id, message({ subject: 'một' }), { flags: ['\\Seen'] });
    await m.append(inbox.id, message({ subject: 'hai' }));
    const { mailbox, changes } = await renameMailbox(m.db, ha.id, 'INBOX', 'Thư cũ 2023');
    expect(mailbox.name).toBe('Thư cũ 2023');
    expect(mailbox.uidValidity).not.toBe(inbox.uidValidity);
    expect(await mailboxStatus(m.db, mailbox.id)).toMatchObject({ messages: 2, unseen: 1, uidNext: 3 });
    const after = await mailboxStatus(m.db, inbox.id);
    expect(after).toMatchObject({ messages: 0, unseen: 0, size: 0, uidNext: 3, uidValidity: inbox.uidValidity });
    expect(changes).toEqual([
      { type: 'expunge', mailboxId: inbox.id, uids: [1, 2], modseq: expect.any(Number) },
      { type: 'exists', mailboxId: mailbox.id, uid: 2, modseq: expect.any(Number) },
    ]);
    expect(names(await list('INBOX*', {}, ha))).toEqual(['INBOX', 'INBOX/Con']);
  });
});

describe('LIST', () => {
  let lan: Account;
  beforeAll(async () => {
    lan = await m.account('lanvt');
    for (const name of ['Công việc', 'Công việc/Dự án A', 'Công việc/Dự án B/2024', 'Cá nhân', 'INBOX/Lọc']) await createMailbox(m.db, lan.id, name);
  });

  it('"*" lists every folder, INBOX first, with \\HasChildren/\\HasNoChildren and special uses', async () => {
    const all = await list('*', {}, lan);
    expect(names(all)).toEqual([
      'INBOX', 'Archive', 'Cá nhân', 'Công việc', 'Công việc/Dự án A', 'Công việc/Dự án B', 'Công việc/Dự án B/2024',
      'Drafts', 'INBOX/Lọc', 'Junk', 'Sent', 'Trash',
    ]);
    expect(attrs(all, 'INBOX')).toEqual(['\\HasChildren']);
    expect(attrs(all, 'Sent')).toEqual(['\\HasNoChildren', '\\Sent']);
    expect(attrs(all, 'Công việc/Dự án B')).toEqual(['\\HasChildren']);
  });

  it('"%" stops at the separator (RFC 9051 §6.3.9)', async () => {
    expect(names(await list('Công việc/%', {}, lan))).toEqual(['Công việc/Dự án A', 'Công việc/Dự án B']);
    expect(names(await list('%', {}, lan))).toEqual(['INBOX', 'Archive', 'Cá nhân', 'Công việc', 'Drafts', 'Junk', 'Sent', 'Trash']);
    expect(names(await list('C%', {}, lan))).toEqual(['Cá nhân', 'Công việc']);
  });

  it('joins reference and pattern, matches INBOX in any case, and takes several patterns (RFC 5258)', async () => {
    expect(names(await listMailboxNames(m.db, lan.id, { reference: 'Công việc/', patterns: ['*'] }))).toEqual([
      'Công việc/Dự án A', 'Công việc/Dự án B', 'Công việc/Dự án B/2024',
    ]);
    expect(names(await list('inbox', {}, lan))).toEqual(['INBOX']);
    expect(names(await list('InBoX/*', {}, lan))).toEqual(['INBOX/Lọc']);
    expect(names(await listMailboxNames(m.db, lan.id, { patterns: ['Sent', 'Trash', 'nothing*'] }))).toEqual(['Sent', 'Trash']);
  });

  it('treats regular-expression characters in names and patterns literally', async () => {
    await createMailbox(m.db, lan.id, 'a.b (c)+[d]');
    await createMailbox(m.db, lan.id, 'Sở-KHĐT {2024} $1 ^x|y\\z');
    expect(names(await list('a.b (c)+[d]', {}, lan))).toEqual(['a.b (c)+[d]']);
    expect(names(await list('Sở-KHĐT {2024} $1 ^x|y\\z', {}, lan))).toEqual(['Sở-KHĐT {2024} $1 ^x|y\\z']);
    expect(names(await list('Sở-*', {}, lan))).toEqual(['Sở-KHĐT {2024} $1 ^x|y\\z']);
    expect(names(await list('a?b*', {}, lan))).toEqual([]);
  });

  it('SELECT (SUBSCRIBED) lists subscribed names, \\NonExistent for those without a folder; DELETE keeps the subscription', async () => {
    await subscribeMailbox(m.db, lan.id, 'Công việc/Dự án A');
    await subscribeMailbox(m.db, lan.id, 'Chưa tạo/Con');
    await createMailbox(m.db, lan.id, 'Sẽ xoá');
    await subscribeMailbox(m.db, lan.id, 'Sẽ xoá');
    await deleteMailbox(m.db, lan.id, 'Sẽ xoá');
    const subscribed = await list('*', { subscribedOnly: true }, lan);
    expect(attrs(subscribed, 'Công việc/Dự án A')).toEqual(['\\HasNoChildren', '\\Subscribed']);
    expect(attrs(subscribed, 'Chưa tạo/Con')).toEqual(['\\NonExistent', '\\HasNoChildren', '\\Subscribed']);
    expect(attrs(subscribed, 'Sẽ xoá')).toEqual(['\\NonExistent', '\\HasNoChildren', '\\Subscribed']);
    expect(names(subscribed)).not.toContain('Cá nhân');
    await unsubscribeMailbox(m.db, lan.id, 'Sẽ xoá');
    await unsubscribeMailbox(m.db, lan.id, 'Sẽ xoá'); // twice: not an error
    expect(names(await list('*', { subscribedOnly: true }, lan))).not.toContain('Sẽ xoá');
  });

  it('RECURSIVEMATCH lists a parent of a subscribed name with CHILDINFO (RFC 5258 §4)', async () => {
    const r = await list('%', { subscribedOnly: true, recursiveMatch: true }, lan);
    const parent = r.find((e) => e.name === 'Công việc');
    expect(parent).toEqual({ name: 'Công việc', attributes: ['\\HasChildren'], childInfo: ['SUBSCRIBED'] });
    expect(r.find((e) => e.name === 'Chưa tạo')).toMatchObject({ attributes: ['\\NonExistent', '\\HasNoChildren'], childInfo: ['SUBSCRIBED'] });
  });

  it('RETURN (SUBSCRIBED) marks subscribed folders; SELECT (SPECIAL-USE) lists only special-use folders', async () => {
    const r = await list('%', { returnSubscribed: true }, lan);
    expect(attrs(r, 'INBOX')).toContain('\\Subscribed');
    expect(attrs(r, 'Cá nhân')).not.toContain('\\Subscribed');
    expect(names(await list('*', { specialUseOnly: true }, lan))).toEqual(['Archive', 'Drafts', 'Junk', 'Sent', 'Trash']);
  });
});

describe('STATUS and delivery folders', () => {
  it('counts messages, unseen, deleted and size (RFC 9051 §6.3.11)', async () => {
    const binh = await m.account('binhlv');
    const inbox = await m.mailbox(binh.id, 'INBOX');
    const [a, b, c] = ['a', 'b', 'c'].map((subject) => message({ subject }));
    await m.append(inbox.id, a!, { flags: ['\\Seen'] });
    await m.append(inbox.id, b!, { flags: ['\\Deleted'] });
    await m.append(inbox.id, c!);
    const s = await mailboxStatusByName(m.db, binh.id, 'inbox');
    expect(s).toMatchObject({ messages: 3, unseen: 2, deleted: 1, uidNext: 4, uidValidity: inbox.uidValidity });
    expect(s.size).toBe(Buffer.byteLength(a!) + Buffer.byteLength(b!) + Buffer.byteLength(c!));
    expect(s.highestModseq).toBeGreaterThan(inbox.highestModseq);
  });

  it('a Sent copy goes to the folder that carries \\Sent after the user renamed it (RFC 6154)', async () => {
    const hung = await m.account('hungpq');
    const sent = await m.mailbox(hung.id, 'Sent');
    await renameMailbox(m.db, hung.id, 'Sent', 'Thư đã gửi');
    expect((await getMailbox(m.db, hung.id, 'Sent')).id).toBe(sent.id);
    await deleteMailbox(m.db, hung.id, 'Thư đã gửi');
    const remade = await getMailbox(m.db, hung.id, 'Sent');
    expect(remade).toMatchObject({ name: 'Sent', specialUse: '\\Sent', noselect: false });
  });
});
