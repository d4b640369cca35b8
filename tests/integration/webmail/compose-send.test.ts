import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSignature } from '../../../src/identity/preferences.js';
import { fieldValue, openCompose, readOverImap, startComposeEnv, waitForMessage, type ComposeEnv } from './compose-fixtures.js';
import { messagesIn } from '../../support/fixtures.js';

let c: ComposeEnv;

beforeAll(async () => {
  c = await startComposeEnv();
});
afterAll(async () => {
  await c?.env.stop();
});

describe('webmail compose: sending', () => {
  it('shows a form with the own address in From and the signature under a "-- " line (RFC 3676 §4.3)', async () => {
    await setSignature(c.server.runtime.db, c.an.id, 'Nguyễn Văn An\nVăn phòng UBND tỉnh', { actor: 'annv@yenbai.gov.vn', source: 'test' });
    const web = await c.login('annv@yenbai.gov.vn');
    const page = await openCompose(web, '?to=binhtt%40yenbai.gov.vn');
    expect(page.status).toBe(200);
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect(fieldValue(page.text, 'from')).toBe('annv@yenbai.gov.vn');
    expect(fieldValue(page.text, 'to')).toBe('binhtt@yenbai.gov.vn');
    expect(fieldValue(page.text, 'body')).toBe('\n\n-- \nNguyễn Văn An\nVăn phòng UBND tỉnh\n');
  });

  it('sends to a local account: a Vietnamese subject and an attachment with a Vietnamese name arrive byte-exact over IMAP, and a copy is in Sent', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256))]);
    const subject = 'Báo cáo tháng 11 — Sở Nội vụ';
    const res = await web.postMultipart(
      '/mail/compose',
      { from: 'annv@yenbai.gov.vn', to: 'Trần Thị Bình <binhtt@yenbai.gov.vn>', cc: '', bcc: 'cuongld@yenbai.gov.vn', subject, body: 'Kính gửi chị Bình,\nGửi chị báo cáo.\n', intent: 'send' },
      [{ field: 'attachments', filename: 'Báo cáo tổng hợp.pdf', type: 'application/pdf', content: pdf }],
    );
    expect(res.status).toBe(303);
    expect(res.location).toBe('/mail/?notice=sent');

    await waitForMessage(c.server, c.binh, subject);
    const { mail } = await readOverImap(c.server, 'binhtt@yenbai.gov.vn', 'INBOX', subject);
    expect(mail.subject).toBe(subject);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Nguyễn Văn An', address: 'annv@yenbai.gov.vn' });
    expect(mail.text).toContain('Gửi chị báo cáo.');
    expect(mail.headers.get('bcc')).toBeUndefined();
    expect(mail.messageId).toMatch(/@mx\.hopthu\.test>$/);
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.filename).toBe('Báo cáo tổng hợp.pdf');
    expect(Buffer.compare(mail.attachments[0]!.content, pdf)).toBe(0);

    // the Bcc recipient gets it too; the Sent copy keeps the Bcc and is \Seen
    await waitForMessage(c.server, c.cuong, subject);
    const sent = (await messagesIn(c.server.runtime.db, c.an.id, 'Sent')).find((m) => m.subject === subject);
    expect(sent?.flags).toContain('\\Seen');
    const copy = await readOverImap(c.server, 'annv@yenbai.gov.vn', 'Sent', subject);
    expect(copy.mail.bcc && 'value' in copy.mail.bcc ? copy.mail.bcc.value[0]?.address : undefined).toBe('cuongld@yenbai.gov.vn');
    expect(copy.mail.messageId).toBe(mail.messageId);
  });

  it('refuses an unknown local recipient and shows the form again with everything typed kept', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const typed = { from: 'annv@yenbai.gov.vn', to: 'Bình <binhtt@yenbai.gov.vn>, khongco@yenbai.gov.vn', cc: 'cuongld@yenbai.gov.vn', bcc: '', subject: 'Lịch họp giao ban', body: 'Thứ Hai tuần sau, 8 giờ.\nPhòng họp số 2.', intent: 'send' };
    const res = await web.postMultipart('/mail/compose', typed);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Không có hộp thư «khongco@yenbai.gov.vn» trên hệ thống.');
    expect(fieldValue(res.text, 'to')).toBe(typed.to);
    expect(fieldValue(res.text, 'cc')).toBe(typed.cc);
    expect(fieldValue(res.text, 'subject')).toBe(typed.subject);
    expect(fieldValue(res.text, 'body')).toBe(typed.body);
    expect((await messagesIn(c.server.runtime.db, c.binh.id)).some((m) => m.subject === typed.subject)).toBe(false);
  });

  it('refuses a form without recipients, and an address that is not one', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const none = await web.postMultipart('/mail/compose', { from: 'annv@yenbai.gov.vn', to: '', subject: 'Không ai', body: 'x', intent: 'send' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Hãy nhập ít nhất một người nhận.');
    const bad = await web.postMultipart('/mail/compose', { from: 'annv@yenbai.gov.vn', to: 'Bình, binhtt@yenbai.gov.vn', subject: 'Sai', body: 'x', intent: 'send' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Địa chỉ «Bình» không hợp lệ.');
  });

  it('refuses a From address that is not the user\'s', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const res = await web.postMultipart('/mail/compose', { from: 'binhtt@yenbai.gov.vn', to: 'cuongld@yenbai.gov.vn', subject: 'Giả danh', body: 'x', intent: 'send' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Bạn không được gửi thư với địa chỉ «binhtt@yenbai.gov.vn».');
  });

  it('answers a POST without the CSRF token with 403 and sends nothing', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const res = await web.postMultipart('/mail/compose', { _csrf: '', from: 'annv@yenbai.gov.vn', to: 'binhtt@yenbai.gov.vn', subject: 'Không token', body: 'x', intent: 'send' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Biểu mẫu đã hết hạn');
  });

  it('speaks English to an English reader', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await web.get('/mail/language/en?next=/mail/compose');
    const page = await openCompose(web);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('Save draft');
    expect(page.text).toContain('Separate addresses with commas');
  });
});
