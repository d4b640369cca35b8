import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { appendAudit } from '../../../src/audit/audit-log.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { dayIn, message, officer, OFFICER_PASSWORD, tableRows } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let auditor: WebClient;
let zone: string;

/** The audit page's rows as [time, actor, action, target, source, agency, details]. */
async function auditRows(web: WebClient, query: string) {
  const res = await web.get(`/admin/audit?${query}`);
  expect(res.status).toBe(200);
  return tableRows(res.text, 'audit');
}

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  zone = config.web.timeZone;
  const { domain } = await addTestDomain(db, 'yenbai.gov.vn');
  const sotp = await addAgency(db, { code: 'STP', name: 'Sở Tư pháp' });
  await officer(db, config, 'kiemtoan@yenbai.gov.vn', 'auditor');
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  await officer(db, config, 'tochuc@yenbai.gov.vn', 'domain-admin', { domainId: domain.id });
  await officer(db, config, 'annv@yenbai.gov.vn');
  // changes from elsewhere: the CLI on the server, an API client on another network
  await appendAudit(db, { actor: 'cli:root', action: 'account.add', target: 'moi@yenbai.gov.vn', source: 'cli', agencyId: sotp.id, data: { after: { name: 'Người Mới' } } });
  await appendAudit(db, { actor: 'api:hr-sync', action: 'account.disable', target: 'cu@yenbai.gov.vn', source: '203.0.113.7', data: { before: 'active', after: 'disabled' } });
  await appendAudit(db, { actor: 'api:hr-sync', action: 'group.add', target: 'phong@yenbai.gov.vn', source: '198.51.100.9', data: {} });
  // a wrong password in the webmail: an auth.web.failure from loopback
  const stranger = new WebClient(base);
  await stranger.login('annv@yenbai.gov.vn', 'không phải mật khẩu');
  auditor = new WebClient(base);
  expect((await auditor.login('kiemtoan@yenbai.gov.vn', OFFICER_PASSWORD)).status).toBe(303);
});
afterAll(async () => {
  await env?.stop();
});

describe('audit log page', () => {
  it('shows the auditor the log newest first, with readable labels and the raw action code', async () => {
    const res = await auditor.get('/admin/audit');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Nhật ký kiểm toán</h1>');
    expect(res.text).toContain('aria-current="page">Nhật ký kiểm toán</a>');
    const rows = tableRows(res.text, 'audit');
    const ids = [...res.text.matchAll(/<span class="muted">#(\d+)<\/span>/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const add = rows.find((r) => r[2]!.includes('account.add'))!;
    expect(add.slice(1, 6)).toEqual(['cli:root', 'Tạo tài khoản account.add', 'moi@yenbai.gov.vn', 'cli', 'STP']);
    expect(add[6]).toBe('{"after":{"name":"Người Mới"}}');
    const failed = rows.find((r) => r[2]!.includes('auth.web.failure'))!;
    expect(failed[2]).toBe('Đăng nhập thất bại (webmail) auth.web.failure');
    expect(failed[4]).toBe('127.0.0.1');
    expect(failed[6]).toContain('"reason":"bad-credentials"');
  });

  it('filters by action prefix, actor, target and agency', async () => {
    const accounts = await auditRows(auditor, 'action=account.');
    expect(accounts.map((r) => r[3])).toEqual(['cu@yenbai.gov.vn', 'moi@yenbai.gov.vn']);
    const logins = await auditRows(auditor, 'action=auth.web.');
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(logins.every((r) => r[2]!.includes('auth.web.'))).toBe(true);
    expect((await auditRows(auditor, 'actor=api:hr-sync')).map((r) => r[2])).toEqual(['Tạo nhóm thư group.add', 'Khóa tài khoản account.disable']);
    expect((await auditRows(auditor, 'target=MOI@yenbai.gov.vn')).map((r) => r[1])).toEqual(['cli:root']);
    expect((await auditRows(auditor, 'agency=STP')).map((r) => r[3])).toEqual(['moi@yenbai.gov.vn']);
  });

  it('filters by source address or CIDR block and refuses a malformed one with a sentence', async () => {
    expect((await auditRows(auditor, 'ip=203.0.113.0/24')).map((r) => r[2])).toEqual(['Khóa tài khoản account.disable']);
    expect((await auditRows(auditor, 'ip=198.51.100.9')).map((r) => r[3])).toEqual(['phong@yenbai.gov.vn']);
    const bad = await auditor.get('/admin/audit?ip=10.0.0.300');
    expect(bad.status).toBe(400);
    expect(message(bad.text, 'error')).toContain('"10.0.0.300" is not an IP address or CIDR block');
    expect(tableRows(bad.text, 'audit')).toEqual([]);
  });

  it('filters by days in the province time zone', async () => {
    const today = dayIn(zone);
    expect((await auditRows(auditor, `from=${today}&to=${today}&action=account.`)).length).toBe(2);
    expect(await auditRows(auditor, `from=${dayIn(zone, 1)}&action=account.`)).toEqual([]);
    expect(await auditRows(auditor, `to=${dayIn(zone, -1)}&action=account.`)).toEqual([]);
    const bad = await auditor.get('/admin/audit?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(message(bad.text, 'error')).toBe('Ngày “2026-02-30” không hợp lệ; hãy chọn ngày theo dạng năm-tháng-ngày.');
  });

  it('pages through a long result, newest first, by keyset', async () => {
    for (let i = 1; i <= 60; i++) await appendAudit(server.runtime.db, { actor: 'cli:root', action: 'test.page', target: `n${i}`, source: 'cli' });
    const first = await auditor.get('/admin/audit?action=test.page');
    const rows = tableRows(first.text, 'audit');
    expect(rows.map((r) => r[3])).toEqual(Array.from({ length: 50 }, (_, i) => `n${60 - i}`));
    const next = /<a href="(\/admin\/audit\?[^"]+)" rel="next">/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await auditor.get(next);
    expect(tableRows(second.text, 'audit').map((r) => r[3])).toEqual(Array.from({ length: 10 }, (_, i) => `n${10 - i}`));
    expect(second.text).not.toContain('rel="next"');
  });

  it('exports the filtered view as CSV with a dated file name, and records the export', async () => {
    const res = await auditor.get('/admin/audit/export?action=account.');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="audit-${dayIn(zone)}.csv"`);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,target,source,agency_id,data,prev_hash,hash');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,cli:root,account\.add,moi@yenbai\.gov\.vn,cli,\d+,"{""after"":{""name"":""Người Mới""}}",[0-9a-f]{64},[0-9a-f]{64}$/);
    expect(lines[2]).toContain(',api:hr-sync,account.disable,cu@yenbai.gov.vn,203.0.113.7,,');
    // for Excel: the UTF-8 byte order mark first (fetch's text() would hide it)
    const excel = await fetch(`${base}/admin/audit/export?actor=cli:root&action=account.&excel=1`, { headers: { cookie: `hopthu_session=${auditor.cookie('hopthu_session')}` } });
    const bytes = Buffer.from(await excel.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toMatch(/^id,at,actor,/);
    const recorded = await auditRows(auditor, 'action=audit.export');
    expect(recorded[0]!.slice(1, 5)).toEqual(['kiemtoan@yenbai.gov.vn', 'Xuất nhật ký kiểm toán audit.export', 'csv', '127.0.0.1']);
    expect(JSON.parse(recorded[0]![6]!)).toEqual({ filter: { action: 'account.', actor: 'cli:root' }, excel: true, via: 'web' });
    expect(JSON.parse(recorded[1]![6]!)).toEqual({ filter: { action: 'account.' }, excel: false, via: 'web' });
  });

  it('records each search of the log (its first page) as audit.view', async () => {
    await auditor.get('/admin/audit?target=cu@yenbai.gov.vn');
    const views = await auditRows(auditor, 'action=audit.view');
    // the newest is the search before this listing (a listing is recorded after it is read)
    expect(views[0]![1]).toBe('kiemtoan@yenbai.gov.vn');
    expect(JSON.parse(views[0]![6]!)).toEqual({ filter: { target: 'cu@yenbai.gov.vn' }, via: 'web' });
  });

  it('verifies the hash chain on request and says up to which event it is intact', async () => {
    const plain = await auditor.get('/admin/audit');
    expect(plain.text).toContain('Kiểm tra chuỗi băm');
    const { rows } = await server.runtime.db.query<{ id: number }>('SELECT max(id) AS id FROM audit_events');
    const res = await auditor.get('/admin/audit?verify=1');
    expect(message(res.text, 'notice')).toMatch(new RegExp(`^Chuỗi băm nguyên vẹn đến sự kiện số (\\d+) \\(\\d+ sự kiện đã kiểm tra, mất \\d+ ms\\)\\.$`));
    const upTo = Number(/sự kiện số (\d+)/.exec(message(res.text, 'notice'))![1]);
    expect(upTo).toBeGreaterThanOrEqual(rows[0]!.id);
  });

  it('shows a superadmin the log too, and the page in English for an English reader', async () => {
    const admin = new WebClient(base);
    await admin.login('quantri@yenbai.gov.vn', OFFICER_PASSWORD);
    await admin.get('/mail/language/en?next=/admin/audit');
    const res = await admin.get('/admin/audit?action=account.');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Audit log</h1>');
    expect(tableRows(res.text, 'audit').map((r) => r[2])).toEqual(['Account disabled account.disable', 'Account created account.add']);
  });
});

describe('what an auditor may not open', () => {
  it('refuses the superadmin pages (domains, queue) and groups with 403', async () => {
    for (const path of ['/admin/domains', '/admin/queue', '/admin/groups', '/admin/domains/yenbai.gov.vn']) {
      const res = await auditor.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text).toMatch(/Trang này dành cho: quản trị toàn hệ thống/);
    }
    const post = await auditor.postForm('/admin/domains', { name: 'lau.gov.vn' });
    expect(post.status).toBe(403);
    const unlock = await auditor.postForm('/admin/logins/unlock', { address: 'annv@yenbai.gov.vn' });
    expect(unlock.status).toBe(403);
  });

  it('refuses the audit log to staff without a role and to a domain admin', async () => {
    const staff = new WebClient(base);
    await staff.login('annv@yenbai.gov.vn', OFFICER_PASSWORD);
    expect((await staff.get('/admin/audit')).status).toBe(403);
    expect((await staff.get('/admin/audit/export')).status).toBe(403);
    const domainAdmin = new WebClient(base);
    await domainAdmin.login('tochuc@yenbai.gov.vn', OFFICER_PASSWORD);
    const res = await domainAdmin.get('/admin/audit/export');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect((await domainAdmin.get('/admin/logins')).status).toBe(403);
  });
});
