import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency, findAgency, type Agency } from '../../../src/identity/agencies.js';
import { findAccount } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';
import { queryAudit } from '../../../src/audit/query.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';
const agencies: Record<string, Agency> = {};

const HEADER = 'Mã cán bộ,Họ và tên,Chức vụ,Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên';
const SHEET = [
  HEADER,
  'NV001,Nguyễn Văn An,Chuyên viên,SNV,Sở Nội vụ,',
  'NV002,Đặng Thị Thu Hà,Trưởng phòng,SNV-TCCB,Phòng Tổ chức cán bộ,SNV',
  'TC001,Trần Thị Bình,Kế toán,STC,Sở Tài chính,',
  ',Không Có Mã,Chuyên viên,SNV,Sở Nội vụ,',
].join('\r\n');

async function loggedIn(address: string): Promise<WebClient> {
  const web = new WebClient(base);
  expect((await web.login(address, PASSWORD)).status).toBe(303);
  return web;
}

/** Uploads a sheet as the officer and returns the review page's path. */
async function upload(web: WebClient, filename: string, type: string, content: Buffer | string): Promise<string> {
  await web.get('/admin/provisioning');
  const res = await web.postMultipart('/admin/provisioning/plan', {}, [{ field: 'sheet', filename, type, content }]);
  expect(res.status).toBe(303);
  expect(res.location).toMatch(/^\/admin\/provisioning\/runs\/\d+$/);
  return res.location!;
}

/** Applies the reviewed plan and waits for its job to report 100%. */
async function applyAndWait(web: WebClient, review: string): Promise<string> {
  await web.get(review);
  const res = await web.postForm(`${review}/apply`, {});
  expect(res.status).toBe(303);
  const job = res.location!;
  expect(job).toBe(review.replace('/runs/', '/jobs/'));
  const first = await web.get(job);
  expect(first.text).toMatch(/<progress id="progress" max="100" value="\d+">/);
  const status = await eventually(async () => {
    const s = JSON.parse((await web.get(`${job}/status`)).text) as { state: string; percent: number };
    return s.state === 'done' || s.state === 'failed' ? s : undefined;
  }, 20_000, 'the apply job to finish');
  expect(status).toMatchObject({ state: 'done', percent: 100 });
  return job;
}

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'provisioning.domain': 'yenbai.gov.vn' }, ['web', 'worker']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  agencies.SNV = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  agencies.STC = await addAgency(db, { code: 'STC', name: 'Sở Tài chính' });
  const hr = await addTestAccount(db, config, 'tochuc@yenbai.gov.vn', { name: 'Cán Bộ Tổ Chức', password: PASSWORD });
  await grantRole(db, { accountId: hr.id, role: 'agency-admin', agencyId: agencies.SNV.id, grantedBy: 'test' });
  const superadmin = await addTestAccount(db, config, 'quantri@yenbai.gov.vn', { name: 'Quản Trị Viên', password: PASSWORD });
  await grantRole(db, { accountId: superadmin.id, role: 'superadmin', grantedBy: 'test' });
  const other = await addTestAccount(db, config, 'tctc@yenbai.gov.vn', { name: 'Tổ Chức Tài Chính', password: PASSWORD });
  await grantRole(db, { accountId: other.id, role: 'agency-admin', agencyId: agencies.STC.id, grantedBy: 'test' });
});
afterAll(async () => {
  await env?.stop();
});

describe('admin console: provisioning', () => {
  let review = '';
  let job = '';

  it('plans an HR officer’s CSV within their agency, with the other agency’s row and the bad row shown with reasons', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    review = await upload(web, 'danh-sach.csv', 'text/csv', SHEET);
    const page = await web.get(review);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kế hoạch đợt');
    expect(page.text).toMatch(/<span class="n">2<\/span>Tạo tài khoản/);
    expect(page.text).toMatch(/<span class="n">1<\/span>Tạo đơn vị/);
    const items = /<table class="list items">[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(items).toContain('annv@yenbai.gov.vn');
    expect(items).toContain('hadtt@yenbai.gov.vn');
    expect(items).not.toContain('binhtt@yenbai.gov.vn');
    // row 4 is Trần Thị Bình of STC; row 5 has no staff id
    expect(page.text).toMatch(/<td>dòng 4<\/td><td>đơn vị STC nằm ngoài phạm vi bạn quản lý: không áp dụng cho binhtt@yenbai.gov.vn/);
    expect(page.text).toMatch(/<td>dòng 5<\/td><td>no staff id/);
    expect(page.text).toContain('Áp dụng kế hoạch');
  });

  it('hides the run from an officer of another agency', async () => {
    const other = await loggedIn('tctc@yenbai.gov.vn');
    expect((await other.get(review)).status).toBe(404);
    expect((await other.get(review.replace('/runs/', '/jobs/'))).status).toBe(404);
    expect((await other.get(`${review}/credentials.csv?agency=STC`)).status).toBe(404);
  });

  it('applies the plan as a job whose progress reaches 100%; the accounts exist, the other agency’s person does not', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    job = await applyAndWait(web, review);
    const { db } = server.runtime;
    const an = await findAccount(db, 'annv@yenbai.gov.vn');
    const ha = await findAccount(db, 'hadtt@yenbai.gov.vn');
    expect(an).toMatchObject({ displayName: 'Nguyễn Văn An', agencyId: agencies.SNV!.id, externalId: 'NV001' });
    expect(ha!.agencyId).toBe((await findAgency(db, 'SNV-TCCB'))!.id);
    expect(await findAccount(db, 'binhtt@yenbai.gov.vn')).toBeUndefined();
    const { rows } = await db.query('SELECT 1 FROM accounts WHERE external_id = $1', ['TC001']);
    expect(rows).toHaveLength(0);
    const { events } = await queryAudit(db, { target: 'annv@yenbai.gov.vn', action: 'account.' }, { limit: 10 });
    expect(events.some((e) => e.actor === 'tochuc@yenbai.gov.vn')).toBe(true);
    const page = await web.get(job);
    expect(page.text).toContain('<progress id="progress" max="100" value="100">');
    expect(page.text).toContain('Đã áp dụng xong');
    expect(page.headers.get('refresh')).toBeNull();
    expect(page.text).toContain('Phiếu mã kích hoạt theo đơn vị');
  });

  it('downloads the activation sheets per agency, only the officer’s', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    const csv = await web.get(`${review}/credentials.csv?agency=SNV-TCCB`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    expect(csv.text).toContain('hadtt@yenbai.gov.vn');
    expect(csv.text).toMatch(/[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/);
    expect(csv.text).not.toContain('annv@yenbai.gov.vn');
    const sheet = await web.get(`${review}/credentials.html?agency=SNV`);
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('annv@yenbai.gov.vn');
    expect(sheet.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await web.get(`${review}/credentials.csv?agency=STC`)).status).toBe(404);
    expect((await web.get(`${review}/credentials.csv`)).status).toBe(404);
  });

  it('plans and applies an XLSX made with exceljs; a second apply changes nothing', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Danh sách');
    sheet.addRow(['DANH SÁCH CÁN BỘ SỞ NỘI VỤ']);
    for (const line of [HEADER, 'NV001,Nguyễn Văn An,Chuyên viên,SNV,Sở Nội vụ,', 'NV002,Đặng Thị Thu Hà,Trưởng phòng,SNV-TCCB,Phòng Tổ chức cán bộ,SNV', 'NV003,Lò Văn Páo,Văn thư,SNV-TCCB,Phòng Tổ chức cán bộ,SNV']) {
      sheet.addRow(line.split(','));
    }
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    const second = await upload(web, 'danh-sach.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes);
    const page = await web.get(second);
    expect(page.text).toMatch(/<span class="n">1<\/span>Tạo tài khoản/);
    expect(page.text).toContain('paolv@yenbai.gov.vn');
    expect(page.text).not.toContain('Khóa tài khoản');
    await applyAndWait(web, second);
    expect((await findAccount(server.runtime.db, 'paolv@yenbai.gov.vn'))!.externalId).toBe('NV003');
    const again = await web.postForm(`${second}/apply`, {});
    expect(again.location).toBe(second.replace('/runs/', '/jobs/'));
  });

  it('plans a superadmin’s sheet for every agency, and lets them open the officer’s runs', async () => {
    const web = await loggedIn('quantri@yenbai.gov.vn');
    const mine = await upload(web, 'toan-tinh.csv', 'text/csv', SHEET.replace('TC001,', 'TC009,'));
    const items = /<table class="list items">[\s\S]*?<\/table>/.exec((await web.get(mine)).text)![0];
    expect(items).toContain('Trần Thị Bình');
    expect((await web.get(review)).status).toBe(200);
    // the officer does not see the superadmin's run
    const officer = await loggedIn('tochuc@yenbai.gov.vn');
    expect((await officer.get(mine)).status).toBe(404);
    expect((await officer.get('/admin/provisioning')).text).not.toContain('toan-tinh.csv');
  });

  it('refuses a file that is not a spreadsheet with a sentence', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    await web.get('/admin/provisioning');
    const res = await web.postMultipart('/admin/provisioning/plan', {}, [{ field: 'sheet', filename: 'anh.png', type: 'image/png', content: Buffer.from('not a sheet') }]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Không đọc được tệp');
    const none = await web.postMultipart('/admin/provisioning/plan', {}, []);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Hãy chọn một tệp CSV hoặc XLSX.');
  });
});
