import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency, type Agency } from '../../../src/identity/agencies.js';
import { getAccount, updateAccount } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';
import { queryAudit } from '../../../src/audit/query.js';
import { mustChangePassword } from '../../../src/identity/password-change.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';
const agencies: Record<string, Agency> = {};

/** The newest audit event of an action on a target. */
async function lastEvent(action: string, target: string) {
  const { events } = await queryAudit(server.runtime.db, { action, target }, { limit: 1 });
  return events[0];
}

async function person(address: string, name: string, agency: string) {
  const { db, config } = server.runtime;
  const account = await addTestAccount(db, config, address, { name, password: PASSWORD });
  await updateAccount(db, account.id, { agencyId: agencies[agency]!.id });
}

async function loggedIn(address: string): Promise<WebClient> {
  const web = new WebClient(base);
  const res = await web.login(address, PASSWORD);
  expect(res.status).toBe(303);
  return web;
}

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'lockout.maxFailuresPerAccount': 3 }, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  agencies.SNV = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  agencies['SNV-TCCB'] = await addAgency(db, { code: 'SNV-TCCB', name: 'Phòng Tổ chức cán bộ', parentId: agencies.SNV.id });
  agencies.STC = await addAgency(db, { code: 'STC', name: 'Sở Tài chính' });
  const superadmin = await addTestAccount(db, config, 'quantri@yenbai.gov.vn', { name: 'Quản Trị Viên', password: PASSWORD });
  await grantRole(db, { accountId: superadmin.id, role: 'superadmin', grantedBy: 'test' });
  const hr = await addTestAccount(db, config, 'tochuc@yenbai.gov.vn', { name: 'Cán Bộ Tổ Chức', password: PASSWORD });
  await grantRole(db, { accountId: hr.id, role: 'agency-admin', agencyId: agencies.SNV.id, grantedBy: 'test' });
  const auditor = await addTestAccount(db, config, 'kiemtoan@yenbai.gov.vn', { name: 'Kiểm Toán', password: PASSWORD });
  await grantRole(db, { accountId: auditor.id, role: 'auditor', grantedBy: 'test' });
  await person('annv@yenbai.gov.vn', 'Nguyễn Văn An', 'SNV-TCCB');
  await person('hadtt@yenbai.gov.vn', 'Đặng Thị Thu Hà', 'SNV');
  await person('binhtt@yenbai.gov.vn', 'Trần Thị Bình', 'STC');
  await person('khoalv@yenbai.gov.vn', 'Lò Văn Khóa', 'SNV');
});
afterAll(async () => {
  await env?.stop();
});

describe('admin console: accounts', () => {
  it('shows a superadmin every account, names in Vietnamese order (Đ after D, before N)', async () => {
    const web = await loggedIn('quantri@yenbai.gov.vn');
    const res = await web.get('/admin/accounts');
    expect(res.status).toBe(200);
    for (const address of ['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn', 'binhtt@yenbai.gov.vn']) expect(res.text).toContain(address);
    const order = ['Đặng Thị Thu Hà', 'Lò Văn Khóa', 'Nguyễn Văn An', 'Trần Thị Bình'].map((n) => res.text.indexOf(n));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(res.text).toContain('1–7 trong 7');
  });

  it('shows an HR officer only their agency subtree, searchable with or without diacritics', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    const all = await web.get('/admin/accounts');
    expect(all.status).toBe(200);
    expect(all.text).toContain('annv@yenbai.gov.vn');
    expect(all.text).toContain('hadtt@yenbai.gov.vn');
    expect(all.text).not.toContain('binhtt@yenbai.gov.vn');
    // the agency select offers the subtree only
    expect(all.text).toContain('value="SNV-TCCB"');
    expect(all.text).not.toContain('value="STC"');
    const plain = await web.get('/admin/accounts?q=nguyen+van');
    expect(plain.text).toContain('annv@yenbai.gov.vn');
    expect(plain.text).not.toContain('hadtt@yenbai.gov.vn');
    const marked = await web.get(`/admin/accounts?q=${encodeURIComponent('Đặng thị')}`);
    expect(marked.text).toContain('hadtt@yenbai.gov.vn');
    const dang = await web.get('/admin/accounts?q=dang+thi');
    expect(dang.text).toContain('hadtt@yenbai.gov.vn');
    const other = await web.get('/admin/accounts?q=binh');
    expect(other.text).not.toContain('binhtt@yenbai.gov.vn');
    expect(other.text).toContain('Không có tài khoản nào khớp.');
    const browse = await web.get('/admin/accounts?agency=SNV-TCCB');
    expect(browse.text).toContain('annv@yenbai.gov.vn');
    expect(browse.text).not.toContain('hadtt@yenbai.gov.vn');
  });

  it('answers an HR officer 404 for another agency’s account, agency and changes', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    expect((await web.get('/admin/accounts/binhtt@yenbai.gov.vn')).status).toBe(404);
    expect((await web.get('/admin/accounts?agency=STC')).status).toBe(404);
    expect((await web.get('/admin/accounts/nobody@yenbai.gov.vn')).status).toBe(404);
    await web.get('/admin/accounts');
    const disable = await web.postForm('/admin/accounts/binhtt@yenbai.gov.vn/disable', {});
    expect(disable.status).toBe(404);
    expect((await getAccount(server.runtime.db, 'binhtt@yenbai.gov.vn')).status).toBe('active');
    const reset = await web.postForm('/admin/accounts/binhtt@yenbai.gov.vn/reset', { method: 'password' });
    expect(reset.status).toBe(404);
  });

  it('refuses the console to an auditor’s account pages and to staff without a role', async () => {
    const auditor = await loggedIn('kiemtoan@yenbai.gov.vn');
    expect((await auditor.get('/admin/accounts')).status).toBe(403);
    expect((await auditor.get('/admin/')).status).toBe(200);
    const staff = await loggedIn('annv@yenbai.gov.vn');
    expect((await staff.get('/admin/')).status).toBe(403);
  });

  it('creates an account with an address made from the name, audited with the officer as actor', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    const form = await web.get('/admin/accounts/new');
    expect(form.status).toBe(200);
    const res = await web.postForm('/admin/accounts/new', { name: 'Giàng A Páo', title: 'Chuyên viên', local: '', domain: 'yenbai.gov.vn', agency: 'SNV-TCCB', kind: 'person', quota: '500' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/accounts/paoga%40yenbai.gov.vn?done=created');
    const page = await web.get(res.location!);
    expect(page.text).toContain('Đã tạo tài khoản.');
    expect(page.text).toContain('Giàng A Páo');
    const account = await getAccount(server.runtime.db, 'paoga@yenbai.gov.vn');
    expect(account.agencyId).toBe(agencies['SNV-TCCB']!.id);
    expect(account.quotaBytes).toBe(500 * 1024 * 1024);
    const event = await lastEvent('account.add', 'paoga@yenbai.gov.vn');
    expect(event).toMatchObject({ actor: 'tochuc@yenbai.gov.vn', source: '127.0.0.1', agencyId: agencies['SNV-TCCB']!.id });
    expect(event!.data).toMatchObject({ via: 'console', role: 'agency-admin' });
    // a typed address, and a refusal for an agency outside the officer's
    const typed = await web.postForm('/admin/accounts/new', { name: 'Hoàng Văn Tư', local: 'tuhv.snv', domain: 'yenbai.gov.vn', agency: 'SNV', kind: 'person', quota: '0' });
    expect(typed.location).toBe('/admin/accounts/tuhv.snv%40yenbai.gov.vn?done=created');
    const outside = await web.postForm('/admin/accounts/new', { name: 'Vàng Thị Mỷ', local: '', domain: 'yenbai.gov.vn', agency: 'STC', kind: 'person', quota: '100' });
    expect(outside.status).toBe(403);
    expect(outside.text).toContain('Đơn vị STC nằm ngoài phạm vi bạn quản lý.');
    const taken = await web.postForm('/admin/accounts/new', { name: 'Nguyễn Văn An', local: 'annv', domain: 'yenbai.gov.vn', agency: 'SNV', kind: 'person', quota: '100' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('class="error"');
  });

  it('edits name, title, agency and quota, and refuses a move out of the subtree', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    await web.get('/admin/accounts/annv@yenbai.gov.vn');
    const res = await web.postForm('/admin/accounts/annv@yenbai.gov.vn/edit', { name: 'Nguyễn Văn Ân', title: 'Trưởng phòng', agency: 'SNV', quota: '2048' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/accounts/annv%40yenbai.gov.vn?done=saved');
    const account = await getAccount(server.runtime.db, 'annv@yenbai.gov.vn');
    expect(account).toMatchObject({ displayName: 'Nguyễn Văn Ân', title: 'Trưởng phòng', agencyId: agencies.SNV!.id, quotaBytes: 2048 * 1024 * 1024 });
    const event = await lastEvent('account.update', 'annv@yenbai.gov.vn');
    expect(event).toMatchObject({ actor: 'tochuc@yenbai.gov.vn', source: '127.0.0.1' });
    expect(event!.data).toMatchObject({ before: { agency: 'SNV-TCCB', displayName: 'Nguyễn Văn An' }, after: { agency: 'SNV', quotaBytes: 2048 * 1024 * 1024 }, via: 'console' });
    const away = await web.postForm('/admin/accounts/annv@yenbai.gov.vn/edit', { name: 'Nguyễn Văn Ân', title: '', agency: 'STC', quota: '2048' });
    expect(away.status).toBe(400);
    expect(away.text).toContain('Việc này nằm ngoài phạm vi bạn quản lý.');
    expect((await getAccount(server.runtime.db, 'annv@yenbai.gov.vn')).agencyId).toBe(agencies.SNV!.id);
    const bad = await web.postForm('/admin/accounts/annv@yenbai.gov.vn/edit', { name: 'Nguyễn Văn Ân', title: '', agency: 'SNV', quota: '-5' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Hạn mức dung lượng phải là số MB nguyên');
  });

  it('lets a superadmin keep an account outside every agency, and refuses “no agency” to an HR officer', async () => {
    const web = await loggedIn('quantri@yenbai.gov.vn');
    const page = await web.get('/admin/accounts/kiemtoan@yenbai.gov.vn');
    expect(page.text).toContain('<option value="">Không thuộc đơn vị nào</option>');
    const res = await web.postForm('/admin/accounts/kiemtoan@yenbai.gov.vn/edit', { name: 'Kiểm Toán Viên', title: '', agency: '', quota: '100' });
    expect(res.status).toBe(303);
    expect(await getAccount(server.runtime.db, 'kiemtoan@yenbai.gov.vn')).toMatchObject({ displayName: 'Kiểm Toán Viên', agencyId: null });
    const hr = await loggedIn('tochuc@yenbai.gov.vn');
    await hr.get('/admin/accounts/khoalv@yenbai.gov.vn');
    const refused = await hr.postForm('/admin/accounts/khoalv@yenbai.gov.vn/edit', { name: 'Lò Văn Khóa', title: '', agency: '', quota: '100' });
    expect(refused.status).toBe(400);
    expect((await getAccount(server.runtime.db, 'khoalv@yenbai.gov.vn')).agencyId).toBe(agencies.SNV!.id);
  });

  it('disables and enables an account, each audited', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    await web.get('/admin/accounts/hadtt@yenbai.gov.vn');
    const off = await web.postForm('/admin/accounts/hadtt@yenbai.gov.vn/disable', {});
    expect(off.location).toBe('/admin/accounts/hadtt%40yenbai.gov.vn?done=disabled');
    expect((await getAccount(server.runtime.db, 'hadtt@yenbai.gov.vn')).status).toBe('disabled');
    expect((await lastEvent('account.disable', 'hadtt@yenbai.gov.vn'))!.actor).toBe('tochuc@yenbai.gov.vn');
    const page = await web.get(off.location!);
    expect(page.text).toContain('Đã khóa tài khoản.');
    const on = await web.postForm('/admin/accounts/hadtt@yenbai.gov.vn/enable', {});
    expect(on.location).toBe('/admin/accounts/hadtt%40yenbai.gov.vn?done=enabled');
    expect((await getAccount(server.runtime.db, 'hadtt@yenbai.gov.vn')).status).toBe('active');
    expect((await lastEvent('account.enable', 'hadtt@yenbai.gov.vn'))!.data).toMatchObject({ before: { status: 'disabled' }, after: { status: 'active' } });
  });

  it('sets a temporary password shown once, which the person must change at login', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    await web.get('/admin/accounts/hadtt@yenbai.gov.vn');
    const res = await web.postForm('/admin/accounts/hadtt@yenbai.gov.vn/reset', { method: 'password' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const temporary = /<p class="code">([^<]+)<\/p>/.exec(res.text)![1]!;
    expect(temporary).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect((await lastEvent('account.password.reset', 'hadtt@yenbai.gov.vn'))).toMatchObject({ actor: 'tochuc@yenbai.gov.vn', source: '127.0.0.1' });
    const account = await getAccount(server.runtime.db, 'hadtt@yenbai.gov.vn');
    expect(await mustChangePassword(server.runtime.db, account.id)).toBe(true);
    const person = new WebClient(base);
    const login = await person.login('hadtt@yenbai.gov.vn', temporary);
    expect(login.location).toBe('/mail/password?next=%2Fmail%2F');
    // the account page afterwards does not show it again
    expect((await web.get('/admin/accounts/hadtt@yenbai.gov.vn')).text).not.toContain(temporary);
  });

  it('issues a new activation code instead, shown once and audited', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    await web.get('/admin/accounts/khoalv@yenbai.gov.vn');
    const res = await web.postForm('/admin/accounts/khoalv@yenbai.gov.vn/reset', { method: 'activation-code' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Mã kích hoạt mới (chỉ hiện một lần)');
    expect(res.text).toMatch(/<p class="code">[0-9A-Z]{5}(-[0-9A-Z]{5}){3}<\/p>/);
    expect(await lastEvent('account.activation.create', 'khoalv@yenbai.gov.vn')).toMatchObject({ actor: 'tochuc@yenbai.gov.vn', source: '127.0.0.1' });
  });

  it('shows a lock after failed logins, lifts it, and counts it on the overview', async () => {
    const attacker = new WebClient(base);
    await attacker.get('/mail/login');
    for (let i = 0; i < 3; i++) await attacker.postForm('/mail/login', { address: 'binhtt@yenbai.gov.vn', password: 'sai' });
    const web = await loggedIn('quantri@yenbai.gov.vn');
    const home = await web.get('/admin/');
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/<span class="n">1<\/span>đang bị tạm khóa/);
    const page = await web.get('/admin/accounts/binhtt@yenbai.gov.vn');
    expect(page.text).toMatch(/Đang bị khóa, còn khoảng \d+ phút/);
    const res = await web.postForm('/admin/accounts/binhtt@yenbai.gov.vn/unlock', {});
    expect(res.location).toBe('/admin/accounts/binhtt%40yenbai.gov.vn?done=unlocked');
    expect((await web.get(res.location!)).text).toContain('Đã gỡ tạm khóa đăng nhập.');
    expect((await lastEvent('account.unlock', 'binhtt@yenbai.gov.vn'))!.data).toMatchObject({ wasLocked: true, via: 'console', role: 'superadmin' });
    expect((await new WebClient(base).login('binhtt@yenbai.gov.vn', PASSWORD)).status).toBe(303);
  });

  it('gives an overview of roles and counts within the officer’s scope', async () => {
    const web = await loggedIn('tochuc@yenbai.gov.vn');
    const res = await web.get('/admin/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('agency SNV and its sub-agencies');
    // annv, hadtt, khoalv, paoga, tuhv.snv: five accounts in SNV's subtree
    expect(res.text).toMatch(/<span class="n">5<\/span>tài khoản bạn quản lý/);
    expect(res.text).toContain('href="/admin/provisioning"');
  });

  it('lets an officer of two agencies move a person between them', async () => {
    const { db, config } = server.runtime;
    const both = await addTestAccount(db, config, 'haidonvi@yenbai.gov.vn', { name: 'Cán Bộ Hai Đơn Vị', password: PASSWORD });
    await grantRole(db, { accountId: both.id, role: 'agency-admin', agencyId: agencies['SNV-TCCB']!.id, grantedBy: 'test' });
    await grantRole(db, { accountId: both.id, role: 'agency-admin', agencyId: agencies.STC!.id, grantedBy: 'test' });
    const web = await loggedIn('haidonvi@yenbai.gov.vn');
    const list = await web.get('/admin/accounts');
    expect(list.text).toContain('binhtt@yenbai.gov.vn');
    expect(list.text).not.toContain('hadtt@yenbai.gov.vn');
    await web.get('/admin/accounts/binhtt@yenbai.gov.vn');
    const res = await web.postForm('/admin/accounts/binhtt@yenbai.gov.vn/edit', { name: 'Trần Thị Bình', title: '', agency: 'SNV-TCCB', quota: '100' });
    expect(res.status).toBe(303);
    expect((await getAccount(db, 'binhtt@yenbai.gov.vn')).agencyId).toBe(agencies['SNV-TCCB']!.id);
  });
});
