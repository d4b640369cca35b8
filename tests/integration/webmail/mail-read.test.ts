import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { eventually } from '../../support/fixtures.js';
import { setDelegation } from '../../../src/identity/delegations.js';
import { addAgencies, addOrgAccount } from '../identity/org-fixtures.js';
import type { Account } from '../../../src/identity/accounts.js';
import { messageFrameCsp } from '../../../src/webmail/sanitize/index.js';
import { deliver, folder, loggedIn, PASSWORD, setupMail, type MailTestSetup } from './mail-setup.js';

let s: MailTestSetup;
let inboxId: number;
let plainUid: number;
let htmlUid: number;
let fileUid: number;
let vanthu: Account;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const imap = (user = 'annv@yenbai.gov.vn') =>
  new ImapFlow({ host: '127.0.0.1', port: s.server.ports.imap!, secure: false, doSTARTTLS: false, auth: { user, pass: PASSWORD }, logger: false });

beforeAll(async () => {
  s = await setupMail();
  inboxId = (await folder(s, s.an, 'INBOX')).id;
  plainUid = await deliver(s, s.an, { subject: 'Họp giao ban tuần 48', text: 'Kính gửi anh An,\nĐề nghị anh dự họp giao ban sáng thứ Hai tại phòng 204.\n' });
  htmlUid = await deliver(s, s.an, {
    subject: 'Bản tin Sở Nội vụ',
    html: '<p>Xin chào <b>các đồng chí</b></p><img src="https://tracker.example/pixel.png" alt="t"><img src="cid:logo@sonoivu" alt="logo"><script>alert(1)</script>',
    attachments: [{ filename: 'logo.png', content: PNG, cid: 'logo@sonoivu', contentType: 'image/png' }],
  });
  fileUid = await deliver(s, s.an, {
    subject: 'Công văn số 123/SNV',
    text: 'Gửi kèm báo cáo.',
    attachments: [
      { filename: 'Báo cáo tháng 11 – Sở Nội vụ.pdf', content: Buffer.from('%PDF-1.4 thử'), contentType: 'application/pdf' },
      { filename: 'trang.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
    ],
  });
  const { db, config } = s.server.runtime;
  const ag = await addAgencies(db, [['SNV', 'Sở Nội vụ', null]]);
  vanthu = await addOrgAccount(db, config, 'vanthu@yenbai.gov.vn', { kind: 'agency', agency: ag.SNV });
  await db.query("UPDATE accounts SET display_name = 'Văn thư Sở Nội vụ' WHERE id = $1", [vanthu.id]);
  await setDelegation(db, vanthu, s.an, { canRead: true, canSend: true }, 'cli:test');
  await setDelegation(db, vanthu, s.binh, { canRead: true, canSend: false }, 'cli:test');
  await deliver(s, vanthu, { subject: 'Thư gửi văn thư', text: 'Nội dung cho văn thư.' });
}, 60_000);
afterAll(async () => {
  await s?.env.stop();
});

describe('webmail: reading', () => {
  it('GET /mail/ shows the INBOX with the special folders named in Vietnamese and unread counts', async () => {
    const web = await loggedIn(s);
    const res = await web.get('/mail/');
    expect(res.status).toBe(200);
    const names = [...res.text.matchAll(/<span class="name">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(names.slice(0, 6)).toEqual(['Hộp thư đến', 'Đã gửi', 'Thư nháp', 'Thùng rác', 'Thư rác', 'Lưu trữ']);
    expect(res.text).toMatch(new RegExp(`data-unread="${inboxId}"[^>]*>3<`));
    expect(res.text).toContain('<title>(3) Hộp thư đến');
    expect(res.text).toContain(`href="/mail/m/${inboxId}/${plainUid}"`);
    expect(res.text).toContain('Họp giao ban tuần 48');
    expect(res.text).toContain('Nguyễn Thị Lan');
    // the attachment marker on the message with files, not on the plain one
    const row = (uid: number) => res.text.split('<tr').find((r) => r.includes(`/mail/m/${inboxId}/${uid}"`))!;
    expect(row(fileUid)).toContain('class="clip"');
    expect(row(plainUid)).not.toContain('class="clip"');
    expect(row(plainUid)).toContain('class="unread"');
    // the switcher lists the agency mailbox delegated to An
    expect(res.text).toContain('Văn thư Sở Nội vụ');
  });

  it('speaks English to a reader who chose it', async () => {
    const web = await loggedIn(s);
    await web.get('/mail/language/en?next=/mail/');
    const res = await web.get('/mail/');
    const names = [...res.text.matchAll(/<span class="name">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(names.slice(0, 6)).toEqual(['Inbox', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive']);
    expect(res.text).toContain('>Mark read</button>');
    expect(res.text).toMatch(/1–\d of \d/);
  });

  it('shows a plain-text message, marks it \\Seen (seen over IMAP), and its frame has the strict CSP', async () => {
    const web = await loggedIn(s);
    const page = await web.get(`/mail/m/${inboxId}/${plainUid}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Họp giao ban tuần 48');
    expect(page.text).toContain('Nguyễn Thị Lan &lt;lan@sender.test&gt;');
    expect(page.text).toContain(`sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" data-fit src="/mail/m/${inboxId}/${plainUid}/body"`);
    expect(page.text).toContain(`href="/mail/compose?reply=${inboxId}:${plainUid}"`);
    expect(page.text).toContain(`href="/mail/compose?replyAll=${inboxId}:${plainUid}"`);
    expect(page.text).toContain(`href="/mail/compose?forward=${inboxId}:${plainUid}"`);
    const body = await web.get(`/mail/m/${inboxId}/${plainUid}/body`);
    expect(body.headers.get('content-security-policy')).toBe(messageFrameCsp({ allowRemoteImages: false }));
    expect(body.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(body.text).toContain('Đề nghị anh dự họp giao ban sáng thứ Hai tại phòng 204.');
    const client = imap();
    await client.connect();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const msg = await client.fetchOne(String(plainUid), { flags: true }, { uid: true });
      expect(msg && [...msg.flags!]).toContain('\\Seen');
    } finally {
      lock.release();
      await client.logout();
    }
  });

  it('shows an HTML message sanitized, with remote images blocked until asked for and the cid image through the part route', async () => {
    const web = await loggedIn(s);
    const page = await web.get(`/mail/m/${inboxId}/${htmlUid}`);
    expect(page.text).toContain('Ảnh từ Internet đã bị chặn');
    expect(page.text).toContain(`href="/mail/m/${inboxId}/${htmlUid}?images=1">Hiện ảnh</a>`);
    const body = await web.get(`/mail/m/${inboxId}/${htmlUid}/body`);
    expect(body.text).toContain('<b>các đồng chí</b>');
    expect(body.text).not.toContain('<script');
    expect(body.text).not.toContain('tracker.example');
    const cid = /src="(\/mail\/m\/\d+\/\d+\/part\/[\d.]+\?inline=1)"/.exec(body.text)?.[1];
    expect(cid).toBeTruthy();
    const image = await fetch(new URL(cid!.replaceAll('&amp;', '&'), s.base), { headers: { cookie: `hopthu_session=${web.cookie('hopthu_session')}` } });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
    const allowed = await web.get(`/mail/m/${inboxId}/${htmlUid}?images=1`);
    expect(allowed.text).not.toContain('Ảnh từ Internet đã bị chặn');
    expect(allowed.text).toContain(`src="/mail/m/${inboxId}/${htmlUid}/body?images=1"`);
    const remote = await web.get(`/mail/m/${inboxId}/${htmlUid}/body?images=1`);
    expect(remote.text).toContain('https://tracker.example/pixel.png');
    expect(remote.headers.get('content-security-policy')).toBe(messageFrameCsp({ allowRemoteImages: true }));
  });

  it('lists attachments and downloads them with an RFC 6266 UTF-8 filename, nosniff, and never as HTML', async () => {
    const web = await loggedIn(s);
    const page = await web.get(`/mail/m/${inboxId}/${fileUid}`);
    expect(page.text).toContain('Báo cáo tháng 11 – Sở Nội vụ.pdf');
    const links = [...page.text.matchAll(/href="(\/mail\/m\/\d+\/\d+\/part\/[\d.]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(2);
    const pdf = await web.get(links[0]!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(
      `attachment; filename="Bao cao thang 11 _ So Noi vu.pdf"; filename*=UTF-8''${encodeURIComponent('Báo cáo tháng 11 – Sở Nội vụ.pdf')}`,
    );
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdf.text).toBe('%PDF-1.4 thử');
    const htmlPart = await web.get(links[1]!);
    expect(htmlPart.headers.get('content-type')).toBe('application/octet-stream');
    expect(htmlPart.headers.get('content-disposition')).toMatch(/^attachment; filename="trang.html"/);
    expect((await web.get(`${links[1]!}?inline=1`)).headers.get('content-type')).toBe('application/octet-stream');
    expect((await web.get(`/mail/m/${inboxId}/${fileUid}/part/9`)).status).toBe(404);
  });

  it('flag, unread, move and delete from the web are seen over IMAP, and an IDLE session hears of them', async () => {
    const web = await loggedIn(s);
    const watcher = imap();
    await watcher.connect();
    await watcher.mailboxOpen('INBOX');
    const heard: string[][] = [];
    watcher.on('flags', (e: { flags: Set<string> }) => heard.push([...e.flags]));
    void watcher.idle().catch(() => {});
    await web.get(`/mail/f/${inboxId}`);
    const flag = await web.postForm(`/mail/f/${inboxId}/actions`, { action: 'flag', uid: [String(plainUid), String(htmlUid)], back: `/mail/f/${inboxId}` });
    expect(flag.status).toBe(303);
    expect(flag.location).toBe(`/mail/f/${inboxId}?done=flag&n=2`);
    expect((await web.get(flag.location!)).text).toContain('Đã gắn cờ 2 thư.');
    await eventually(async () => (heard.some((f) => f.includes('\\Flagged')) ? true : undefined), 5000, 'IDLE flags');
    // "mark unread" on a message's page goes back to the list (showing it again would read it)
    const message = await web.get(`/mail/m/${inboxId}/${plainUid}`);
    const fields = Object.fromEntries([...message.text.matchAll(/<input type="hidden" name="(uid|after|list|back)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]));
    const unread = await web.postForm(`/mail/f/${inboxId}/actions`, { ...fields, action: 'unread' });
    expect(unread.location).toBe(`/mail/f/${inboxId}?done=unread&n=1`);
    const client = imap();
    await client.connect();
    let lock = await client.getMailboxLock('INBOX');
    try {
      const msg = await client.fetchOne(String(plainUid), { flags: true }, { uid: true });
      const flags = msg ? [...msg.flags!] : [];
      expect(flags).toContain('\\Flagged');
      expect(flags).not.toContain('\\Seen');
    } finally {
      lock.release();
    }
    const archive = await folder(s, s.an, 'Archive');
    await web.get(`/mail/f/${inboxId}`);
    await web.postForm(`/mail/f/${inboxId}/actions`, { action: 'move', target: String(archive.id), uid: String(plainUid), back: `/mail/f/${inboxId}` });
    await web.postForm(`/mail/f/${inboxId}/actions`, { action: 'delete', uid: String(htmlUid), back: `/mail/f/${inboxId}` });
    lock = await client.getMailboxLock('Archive');
    try {
      const list = await client.fetchAll('1:*', { envelope: true });
      expect(list.map((m) => m.envelope!.subject)).toEqual(['Họp giao ban tuần 48']);
    } finally {
      lock.release();
    }
    const trash = await folder(s, s.an, 'Trash');
    lock = await client.getMailboxLock('Trash');
    try {
      expect((await client.fetchAll('1:*', { envelope: true })).map((m) => m.envelope!.subject)).toEqual(['Bản tin Sở Nội vụ']);
    } finally {
      lock.release();
    }
    // in Trash: delete for ever, after a confirmation in the browser
    const trashPage = await web.get(`/mail/f/${trash.id}`);
    expect(trashPage.text).toMatch(/value="destroy" data-confirm="[^"]+"/);
    const uid = Number(/name="uid" value="(\d+)"/.exec(trashPage.text)![1]);
    const gone = await web.postForm(`/mail/f/${trash.id}/actions`, { action: 'destroy', uid: String(uid), back: `/mail/f/${trash.id}` });
    expect(gone.location).toBe(`/mail/f/${trash.id}?done=destroy&n=1`);
    const status = await client.status('Trash', { messages: true });
    expect(status && status.messages).toBe(0);
    expect((await web.postForm(`/mail/f/${inboxId}/actions`, { action: 'destroy', uid: String(fileUid) })).status).toBe(400);
    await client.logout();
    await watcher.logout();
  });

  it('searches with and without diacritics, in one folder or all', async () => {
    const web = await loggedIn(s);
    const without = await web.get(`/mail/search?f=${inboxId}&q=${encodeURIComponent('cong van')}`);
    expect(without.status).toBe(200);
    expect(without.text).toContain('Công văn số 123/SNV');
    const accented = await web.get(`/mail/search?f=${inboxId}&q=${encodeURIComponent('Công văn')}`);
    expect(accented.text).toContain('Công văn số 123/SNV');
    const sender = await web.get(`/mail/search?f=${inboxId}&from=${encodeURIComponent('Nguyen Thi Lan')}`);
    expect(sender.text).toContain('Công văn số 123/SNV');
    // the message moved to Archive is found only when searching every folder
    expect((await web.get(`/mail/search?f=${inboxId}&q=giao+ban`)).text).toContain('Không tìm thấy thư nào.');
    const all = await web.get(`/mail/search?f=${inboxId}&q=giao+ban&all=1`);
    expect(all.text).toContain('Họp giao ban tuần 48');
    expect(all.text).toContain('class="in">Lưu trữ<');
    expect((await web.get(`/mail/search?f=${inboxId}&since=2026-13-40`)).status).toBe(400);
  });

  it('answers the live unread counts as JSON', async () => {
    await deliver(s, s.an, { subject: 'Thư mới đến', text: 'Chưa đọc.' });
    const web = await loggedIn(s);
    const res = await web.get(`/mail/counts.json?f=${inboxId}`);
    expect(res.headers.get('content-type')).toContain('application/json');
    const counts = JSON.parse(res.text) as { folders: Record<string, number>; inbox: number };
    expect(counts.inbox).toBe(counts.folders[inboxId]);
    expect(counts.inbox).toBe(1);
  });

  it('opens a delegated agency mailbox, audited once per folder page; a read-only delegate changes nothing', async () => {
    const { db } = s.server.runtime;
    const agencyInbox = await folder(s, vanthu, 'INBOX');
    const audits = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action = 'delegation.read'")).rows[0]!.n;
    const an = await loggedIn(s);
    const before = await audits();
    const page = await an.get(`/mail/f/${agencyInbox.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Thư gửi văn thư');
    expect(page.text).toContain('name="action" value="read"');
    expect(await audits()).toBe(before + 1);
    const { rows } = await db.query<{ actor: string; target: string; data: { folder: string } }>("SELECT actor, target, data FROM audit_events WHERE action = 'delegation.read' ORDER BY id DESC LIMIT 1");
    expect(rows[0]).toMatchObject({ actor: 'annv@yenbai.gov.vn', target: 'vanthu@yenbai.gov.vn', data: { folder: 'INBOX' } });

    const binh = await loggedIn(s, 'binhtt@yenbai.gov.vn');
    const readOnly = await binh.get(`/mail/f/${agencyInbox.id}`);
    expect(readOnly.status).toBe(200);
    expect(readOnly.text).not.toContain('name="action"');
    expect(readOnly.text).toContain('Bạn chỉ được đọc hộp thư này.');
    const uid = Number(new RegExp(`/mail/m/${agencyInbox.id}/(\\d+)"`).exec(readOnly.text)![1]);
    const message = await binh.get(`/mail/m/${agencyInbox.id}/${uid}`);
    expect(message.status).toBe(200);
    expect(message.text).not.toContain('name="action"');
    const refused = await binh.postForm(`/mail/f/${agencyInbox.id}/actions`, { action: 'flag', uid: String(uid) });
    expect(refused.status).toBe(403);
    // reading did not mark it \Seen for the agency
    const flags = await db.query<{ flags: string[] }>('SELECT flags FROM messages WHERE mailbox_id = $1 AND uid = $2', [agencyInbox.id, uid]);
    expect(flags.rows[0]!.flags).not.toContain('\\Seen');
  });

  it("answers another person's folder, message or part with 404, as if it did not exist", async () => {
    const binhInbox = await folder(s, s.binh, 'INBOX');
    const uid = await deliver(s, s.binh, { subject: 'Riêng tư', text: 'Chỉ Bình được đọc.' });
    const an = await loggedIn(s);
    for (const path of [`/mail/f/${binhInbox.id}`, `/mail/m/${binhInbox.id}/${uid}`, `/mail/m/${binhInbox.id}/${uid}/body`, `/mail/m/${binhInbox.id}/${uid}/part/1`, `/mail/counts.json?f=${binhInbox.id}`, `/mail/f/999999`, `/mail/f/abc`]) {
      const res = await an.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain('Chỉ Bình');
    }
    expect((await an.postForm(`/mail/f/${binhInbox.id}/actions`, { action: 'flag', uid: String(uid) })).status).toBe(404);
  });
});
