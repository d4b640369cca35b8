import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { fieldValue, fieldValues, folderId, openCompose, readOverImap, startComposeEnv, waitForMessage, type ComposeEnv } from './compose-fixtures.js';
import { eventually, messagesIn } from '../../support/fixtures.js';

let c: ComposeEnv;

/** A message from outside the province, through the MX port, with Reply-To, Cc and an attachment. */
async function receiveFromOutside(subject: string, extra: Record<string, unknown> = {}) {
  const mx = nodemailer.createTransport({ host: '127.0.0.1', port: c.server.ports.mx!, secure: false, ignoreTLS: true, name: 'mail.sender.test' });
  await mx.sendMail({
    from: 'Phạm Minh Hải <hai@bogiaoduc.test>',
    to: 'Trần Thị Bình <binhtt@yenbai.gov.vn>, Lê Đức Cường <cuongld@yenbai.gov.vn>',
    cc: 'Nguyễn Văn An <annv@yenbai.gov.vn>, thuky@bogiaoduc.test',
    subject,
    text: 'Kính gửi các đồng chí,\nĐề nghị báo cáo trước ngày 30.\n',
    messageId: `<${Date.now()}.goc@bogiaoduc.test>`,
    references: '<truoc.1@bogiaoduc.test>',
    attachments: [{ filename: 'Mẫu báo cáo.xlsx', content: Buffer.from('bảng tính giả lập'), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
    ...extra,
  });
  mx.close();
  const stored = await waitForMessage(c.server, c.binh, subject);
  return { ref: `${await folderId(c.server, c.binh, 'INBOX')}:${stored.uid}` };
}

beforeAll(async () => {
  c = await startComposeEnv();
});
afterAll(async () => {
  await c?.env.stop();
});

describe('webmail compose: reply, reply all, forward', () => {
  it('a reply goes to Reply-To (RFC 5322 §3.6.3) with one "Re: ", a quoted body, In-Reply-To and References (§3.6.4), and flags the original \\Answered', async () => {
    const { ref } = await receiveFromOutside('Re: Báo cáo quý IV', { replyTo: 'Văn thư <vanthu@bogiaoduc.test>' });
    const web = await c.login('binhtt@yenbai.gov.vn');
    const page = await openCompose(web, `?reply=${ref}`);
    expect(page.status).toBe(200);
    expect(fieldValue(page.text, 'to')).toBe('Văn thư <vanthu@bogiaoduc.test>');
    expect(fieldValue(page.text, 'cc')).toBe('');
    expect(fieldValue(page.text, 'subject')).toBe('Re: Báo cáo quý IV');
    const body = fieldValue(page.text, 'body')!;
    expect(body).toMatch(/Vào .+, Phạm Minh Hải đã viết:\n> Kính gửi các đồng chí,\n> Đề nghị báo cáo trước ngày 30\./);
    const inReplyTo = fieldValue(page.text, 'inReplyTo')!;
    expect(inReplyTo).toMatch(/^<\d+\.goc@bogiaoduc\.test>$/);
    expect(fieldValue(page.text, 'references')).toBe(`<truoc.1@bogiaoduc.test> ${inReplyTo}`);

    // sent to a colleague instead (the sink of the outside world is not under test here)
    const res = await web.postMultipart('/mail/compose', {
      from: 'binhtt@yenbai.gov.vn', to: 'cuongld@yenbai.gov.vn', subject: 'Re: Báo cáo quý IV', body: `Đã nhận.\n${body}`,
      inReplyTo, references: fieldValue(page.text, 'references')!, answers: fieldValue(page.text, 'answers')!, intent: 'send',
    });
    expect(res.status).toBe(303);
    const arrived = await eventually(async () => {
      const newest = await readOverImap(c.server, 'cuongld@yenbai.gov.vn', 'INBOX', 'Re: Báo cáo quý IV');
      return newest.mail.inReplyTo ? newest : undefined;
    }, 15_000, 'the reply in the INBOX');
    expect(arrived.mail.inReplyTo).toBe(inReplyTo);
    expect(arrived.mail.references).toEqual(['<truoc.1@bogiaoduc.test>', inReplyTo]);
    const original = (await messagesIn(c.server.runtime.db, c.binh.id)).find((m) => String(m.uid) === ref.split(':')[1]);
    expect(original?.flags).toContain('\\Answered');
  });

  it('reply all adds the original To and Cc without the user\'s own address', async () => {
    const { ref } = await receiveFromOutside('Họp triển khai');
    const web = await c.login('binhtt@yenbai.gov.vn');
    const page = await openCompose(web, `?replyAll=${ref}`);
    expect(fieldValue(page.text, 'to')).toBe('Phạm Minh Hải <hai@bogiaoduc.test>, Lê Đức Cường <cuongld@yenbai.gov.vn>');
    expect(fieldValue(page.text, 'cc')).toBe('Nguyễn Văn An <annv@yenbai.gov.vn>, thuky@bogiaoduc.test');
    expect(fieldValue(page.text, 'subject')).toBe('Re: Họp triển khai');
  });

  it('forward carries the original attachment by reference and sends it on', async () => {
    const { ref } = await receiveFromOutside('Fwd: Mẫu biểu');
    const web = await c.login('binhtt@yenbai.gov.vn');
    const page = await openCompose(web, `?forward=${ref}`);
    expect(fieldValue(page.text, 'subject')).toBe('Fwd: Mẫu biểu');
    expect(fieldValue(page.text, 'body')).toContain('-------- Thư chuyển tiếp --------');
    const keep = fieldValues(page.text, 'keep');
    expect(keep).toEqual([`${ref}:0`]);
    expect(page.text).toContain('Mẫu báo cáo.xlsx');
    const res = await web.postMultipart('/mail/compose', { from: 'binhtt@yenbai.gov.vn', to: 'annv@yenbai.gov.vn', subject: 'Fwd: Mẫu biểu', body: fieldValue(page.text, 'body')!, keep, intent: 'send' });
    expect(res.status).toBe(303);
    await waitForMessage(c.server, c.an, 'Fwd: Mẫu biểu');
    const { mail } = await readOverImap(c.server, 'annv@yenbai.gov.vn', 'INBOX', 'Fwd: Mẫu biểu');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['Mẫu báo cáo.xlsx']);
    expect(mail.attachments[0]!.content.toString()).toBe('bảng tính giả lập');
  });

  it('a message of someone else\'s folder cannot be answered: 404', async () => {
    const { ref } = await receiveFromOutside('Thư riêng');
    const web = await c.login('annv@yenbai.gov.vn');
    expect((await openCompose(web, `?reply=${ref}`)).status).toBe(404);
    expect((await openCompose(web, '?forward=abc')).status).toBe(404);
    // nor can its attachment be taken by reference
    await openCompose(web);
    const res = await web.postMultipart('/mail/compose', { from: 'annv@yenbai.gov.vn', to: 'annv@yenbai.gov.vn', subject: 'Lấy trộm', body: 'x', keep: `${ref}:0`, intent: 'send' });
    expect(res.status).toBe(404);
  });
});

describe('webmail compose: drafts', () => {
  it('saves a draft with its attachment in Drafts (\\Draft \\Seen), reopens it, and sending it removes it', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const typed = { from: 'annv@yenbai.gov.vn', to: 'Trần Thị Bình <binhtt@yenbai.gov.vn>', cc: '', bcc: 'cuongld@yenbai.gov.vn', subject: 'Dự thảo kế hoạch', body: 'Bản nháp, còn sửa.\nDòng hai.', intent: 'draft' };
    const saved = await web.postMultipart('/mail/compose', typed, [{ field: 'attachments', filename: 'Kế hoạch.docx', type: 'application/octet-stream', content: 'nội dung kế hoạch' }]);
    expect(saved.status).toBe(303);
    expect(saved.location).toMatch(/^\/mail\/compose\?draft=\d+:\d+&saved=1$/);
    const drafts = await messagesIn(c.server.runtime.db, c.an.id, 'Drafts');
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.flags).toEqual(expect.arrayContaining(['\\Draft', '\\Seen']));

    const page = await web.get(saved.location!);
    expect(page.text).toContain('Đã lưu thư nháp.');
    expect(fieldValue(page.text, 'to')).toBe(typed.to);
    expect(fieldValue(page.text, 'bcc')).toBe(typed.bcc);
    expect(fieldValue(page.text, 'subject')).toBe(typed.subject);
    expect(fieldValue(page.text, 'body')).toBe(typed.body);
    const keep = fieldValues(page.text, 'keep');
    expect(keep).toHaveLength(1);
    expect(page.text).toContain('Kế hoạch.docx');

    // saved again: the new draft replaces the old one
    const again = await web.postMultipart('/mail/compose', { ...typed, body: 'Bản nháp lần hai.', keep, draft: fieldValue(page.text, 'draft')!, intent: 'draft' });
    expect(again.status).toBe(303);
    expect(await messagesIn(c.server.runtime.db, c.an.id, 'Drafts')).toHaveLength(1);
    const second = await web.get(again.location!);
    expect(fieldValue(second.text, 'body')).toBe('Bản nháp lần hai.');

    const sent = await web.postMultipart('/mail/compose', { ...typed, body: 'Bản chính thức.', keep: fieldValues(second.text, 'keep'), draft: fieldValue(second.text, 'draft')!, intent: 'send' });
    expect(sent.status).toBe(303);
    expect(await messagesIn(c.server.runtime.db, c.an.id, 'Drafts')).toHaveLength(0);
    await waitForMessage(c.server, c.binh, typed.subject);
    const { mail } = await readOverImap(c.server, 'binhtt@yenbai.gov.vn', 'INBOX', typed.subject);
    expect(mail.text?.trim()).toBe('Bản chính thức.');
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['Kế hoạch.docx', 'nội dung kế hoạch']]);
  });
});

