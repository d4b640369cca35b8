import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { grantRole } from '../../../src/identity/roles.js';
import { listInspections } from '../../../src/identity/inspections.js';
import { findMailbox } from '../../../src/mail/mailboxes.js';
import { appendFromClient } from '../../../src/mail/imap-append.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Thác Bà mùa nước nổi 2026';
const REASON = 'Quyết định thanh tra số 45/QĐ-TTr';

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const add = (address: string, name: string) => addTestAccount(db, config, address, { name, password: PASSWORD });
  const admin1 = await add('quantri1@yenbai.gov.vn', 'Quản trị Một');
  const admin2 = await add('quantri2@yenbai.gov.vn', 'Quản trị Hai');
  const auditor = await add('thanhtra@yenbai.gov.vn', 'Thanh tra viên');
  const ketoan = await add('ketoan@yenbai.gov.vn', 'Kế toán');
  const inbox = (await findMailbox(db, ketoan.id, 'INBOX'))!;
  const blob = await server.runtime.blobs.put([Buffer.from('From: giamdoc@yenbai.gov.vn\r\nTo: ketoan@yenbai.gov.vn\r\nSubject: =?UTF-8?B?' + Buffer.from('Báo cáo quyết toán quý III').toString('base64') + '?=\r\nMessage-ID: <qt3@yenbai.gov.vn>\r\n\r\nSố liệu đính kèm.\r\n', 'utf8')]);
  await appendFromClient(db, server.runtime.blobs, { mailboxId: inbox.id, quota: null, messages: [{ blobHash: blob.hash, size: blob.size, flags: [], internalDate: new Date() }] });
  await add('nhanvien@yenbai.gov.vn', 'Nhân viên');
  await grantRole(db, { accountId: admin1.id, role: 'superadmin', grantedBy: 'test' });
  await grantRole(db, { accountId: admin2.id, role: 'superadmin', grantedBy: 'test' });
  await grantRole(db, { accountId: auditor.id, role: 'auditor', grantedBy: 'test' });
});
afterAll(async () => {
  await env?.stop();
});

async function as(address: string) {
  const web = new WebClient(base);
  expect((await web.login(address, PASSWORD)).status).toBe(303);
  return web;
}

describe('security inspections in the console', () => {
  it('is closed to staff without a console role', async () => {
    const web = await as('nhanvien@yenbai.gov.vn');
    expect((await web.get('/admin/inspections')).status).toBe(403);
  });

  it('needs a second administrator: the one who asked cannot approve', async () => {
    const admin1 = await as('quantri1@yenbai.gov.vn');
    const page = await admin1.get('/admin/inspections');
    expect(page.text).toContain('Thanh tra hộp thư');
    const bad = await admin1.postForm('/admin/inspections', { mailbox: 'khongco@yenbai.gov.vn', auditor: 'thanhtra@yenbai.gov.vn', hours: '8', reason: REASON });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Không có tài khoản khongco@yenbai.gov.vn.');
    expect(bad.text).toContain(REASON); // what was typed is kept
    const asked = await admin1.postForm('/admin/inspections', { mailbox: 'ketoan@yenbai.gov.vn', auditor: 'thanhtra@yenbai.gov.vn', hours: '8', reason: REASON });
    expect(asked.location).toBe('/admin/inspections?done=requested');
    const [inspection] = await listInspections(server.runtime.db);
    expect(inspection).toMatchObject({ state: 'pending', requestedBy: 'quantri1@yenbai.gov.vn', auditor: 'thanhtra@yenbai.gov.vn' });
    const list = await admin1.get('/admin/inspections?done=requested');
    expect(list.text).toContain('Chờ phê duyệt');
    expect(list.text).not.toContain(`/admin/inspections/${inspection!.id}/approve`);
    const self = await admin1.postForm(`/admin/inspections/${inspection!.id}/approve`, {});
    expect(self.status).toBe(400);
    expect(self.text).toContain('Cần một quản trị viên khác');

    const auditor = await as('thanhtra@yenbai.gov.vn');
    expect((await auditor.get('/admin/inspections')).status).toBe(200);
    expect((await auditor.postForm(`/admin/inspections/${inspection!.id}/approve`, {})).status).toBe(403);

    const admin2 = await as('quantri2@yenbai.gov.vn');
    expect((await admin2.get('/admin/inspections')).text).toContain(`/admin/inspections/${inspection!.id}/approve`);
    expect((await admin2.postForm(`/admin/inspections/${inspection!.id}/approve`, {})).location).toBe('/admin/inspections?done=approved');
    const opened = await auditor.get('/admin/inspections');
    expect(opened.text).toContain('Đang hiệu lực');
    const inbox = /href="(\/mail\/f\/\d+)">Mở hộp thư/.exec(opened.text)![1]!;

    // the auditor reads, read-only; each message opened is an audit event
    const folderPage = await auditor.get(inbox);
    expect(folderPage.status).toBe(200);
    expect(folderPage.text).toContain('Báo cáo quyết toán quý III');
    const messageUrl = /href="(\/mail\/m\/\d+\/\d+)"/.exec(folderPage.text)![1]!;
    expect((await auditor.get(messageUrl)).status).toBe(200);
    const { rows } = await server.runtime.db.query<{ actor: string; data: { inspection: number; subject: string } }>("SELECT actor, data FROM audit_events WHERE action = 'inspection.open'");
    expect(rows).toEqual([expect.objectContaining({ actor: 'thanhtra@yenbai.gov.vn', data: expect.objectContaining({ inspection: inspection!.id, subject: 'Báo cáo quyết toán quý III' }) })]);
    const mailboxId = inbox.split('/').pop()!;
    const uid = messageUrl.split('/').pop()!;
    expect((await auditor.postForm(`/mail/f/${mailboxId}/actions`, { action: 'delete', uid })).status).toBe(403);
    const { rows: flags } = await server.runtime.db.query<{ flags: string[] }>('SELECT flags FROM messages WHERE mailbox_id = $1', [Number(mailboxId)]);
    expect(flags[0]!.flags).not.toContain('\\Seen');

    expect((await auditor.postForm(`/admin/inspections/${inspection!.id}/end`, {})).location).toBe('/admin/inspections?done=ended');
    expect((await listInspections(server.runtime.db))[0]!.state).toBe('ended');
    expect((await auditor.get(inbox)).status).toBe(404);
  });
});
