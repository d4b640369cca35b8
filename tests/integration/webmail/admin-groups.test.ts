import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { addGroup, findGroup, groupMembers } from '../../../src/identity/groups.js';
import { message, officer, OFFICER_PASSWORD, tableRows } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let admin: WebClient;
let domainAdmin: WebClient;

const members = async (address: string) => (await groupMembers(server.runtime.db, (await findGroup(server.runtime.db, address))!)).map((a) => a.address);

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  const { domain: yenbai } = await addTestDomain(db, 'yenbai.gov.vn');
  await addTestDomain(db, 'laocai.gov.vn');
  const stp = await addAgency(db, { code: 'STP', name: 'Sở Tư pháp' });
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  await officer(db, config, 'tenmien@yenbai.gov.vn', 'domain-admin', { domainId: yenbai.id });
  await officer(db, config, 'kiemtoan@yenbai.gov.vn', 'auditor');
  for (const a of ['annv', 'binhtt', 'cuongld']) await officer(db, config, `${a}@yenbai.gov.vn`);
  const staff = await officer(db, config, 'hoa@yenbai.gov.vn');
  await db.query('UPDATE accounts SET agency_id = $2 WHERE id = $1', [staff.id, stp.id]);
  await officer(db, config, 'ngoai@laocai.gov.vn');
  await addGroup(db, { address: 'lanhdao@laocai.gov.vn', name: 'Lãnh đạo Lào Cai' });
  admin = new WebClient(base);
  await admin.login('quantri@yenbai.gov.vn', OFFICER_PASSWORD);
  domainAdmin = new WebClient(base);
  await domainAdmin.login('tenmien@yenbai.gov.vn', OFFICER_PASSWORD);
});
afterAll(async () => {
  await env?.stop();
});

describe('groups', () => {
  it('creates a static group and shows it in the list', async () => {
    await admin.get('/admin/groups');
    const res = await admin.postForm('/admin/groups', { address: 'VanPhong@yenbai.gov.vn', name: 'Văn phòng UBND', kind: 'static', post_rule: 'members' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/groups/vanphong%40yenbai.gov.vn?done=created&address=vanphong%40yenbai.gov.vn');
    const page = await admin.get(res.location!);
    expect(message(page.text, 'notice')).toBe('Đã tạo nhóm vanphong@yenbai.gov.vn.');
    const list = tableRows((await admin.get('/admin/groups')).text, 'groups');
    expect(list.map((r) => r.slice(0, 2))).toEqual([['lanhdao@laocai.gov.vn', 'Lãnh đạo Lào Cai'], ['vanphong@yenbai.gov.vn', 'Văn phòng UBND']]);
  });

  it('adds and removes members of a static group', async () => {
    await admin.get('/admin/groups/vanphong@yenbai.gov.vn');
    const add = await admin.postForm('/admin/groups/vanphong@yenbai.gov.vn/members', { addresses: 'annv@yenbai.gov.vn\nBinhTT@yenbai.gov.vn, cuongld@yenbai.gov.vn' });
    expect(add.status).toBe(303);
    expect(message((await admin.get(add.location!)).text, 'notice')).toBe('Đã thêm 3 thành viên.');
    expect(await members('vanphong@yenbai.gov.vn')).toEqual(['annv@yenbai.gov.vn', 'binhtt@yenbai.gov.vn', 'cuongld@yenbai.gov.vn']);
    const page = await admin.get('/admin/groups/vanphong@yenbai.gov.vn');
    expect(tableRows(page.text, 'members').map((r) => r[0])).toEqual(['annv <annv@yenbai.gov.vn>', 'binhtt <binhtt@yenbai.gov.vn>', 'cuongld <cuongld@yenbai.gov.vn>']);
    const remove = await admin.postForm('/admin/groups/vanphong@yenbai.gov.vn/members/remove', { member: 'binhtt@yenbai.gov.vn' });
    expect(message((await admin.get(remove.location!)).text, 'notice')).toBe('Đã bớt binhtt@yenbai.gov.vn khỏi nhóm.');
    expect(await members('vanphong@yenbai.gov.vn')).toEqual(['annv@yenbai.gov.vn', 'cuongld@yenbai.gov.vn']);
    const unknown = await admin.postForm('/admin/groups/vanphong@yenbai.gov.vn/members', { addresses: 'khongco@yenbai.gov.vn' });
    expect(unknown.status).toBe(400);
    expect(message(unknown.text, 'error')).toBe('Không có tài khoản nào mang địa chỉ “khongco@yenbai.gov.vn”.');
  });

  it('changes who may post, refusing an agency rule without its agency', async () => {
    await admin.get('/admin/groups/vanphong@yenbai.gov.vn');
    const bad = await admin.postForm('/admin/groups/vanphong@yenbai.gov.vn', { name: 'Văn phòng UBND', post_rule: 'agency', post_agency: '' });
    expect(bad.status).toBe(400);
    expect(message(bad.text, 'error')).toBe('the posting rule "agency" needs the agency whose staff may post');
    const ok = await admin.postForm('/admin/groups/vanphong@yenbai.gov.vn', { name: 'Văn phòng Ủy ban', post_rule: 'agency', post_agency: 'STP' });
    expect(ok.status).toBe(303);
    const g = (await findGroup(server.runtime.db, 'vanphong@yenbai.gov.vn'))!;
    expect([g.name, g.postRule]).toEqual(['Văn phòng Ủy ban', 'agency']);
    const page = await admin.get('/admin/groups/vanphong@yenbai.gov.vn');
    expect(page.text).toMatch(/<option value="agency" selected>/);
    expect(page.text).toContain('id="post_agency" name="post_agency" value="STP"');
  });

  it('creates a dynamic group of an agency’s staff, which shows how many it reaches', async () => {
    const res = await admin.postForm('/admin/groups', { address: 'stp@yenbai.gov.vn', name: 'Cán bộ Sở Tư pháp', kind: 'agency-staff', agency: 'STP', include_subagencies: '1', post_rule: 'domain' });
    expect(res.status).toBe(303);
    const page = await admin.get('/admin/groups/stp@yenbai.gov.vn');
    expect(page.text).toContain('hiện có 1 người nhận');
    const noAgency = await admin.postForm('/admin/groups', { address: 'sai@yenbai.gov.vn', kind: 'agency-staff', post_rule: 'members' });
    expect(noAgency.status).toBe(400);
    expect(message(noAgency.text, 'error')).toBe('an agency-staff group needs the agency whose staff it reaches');
    expect(noAgency.text).toContain('value="sai@yenbai.gov.vn"');
  });

  it('deletes a group behind a confirmation, and audits every change', async () => {
    const page = await admin.get('/admin/groups/stp@yenbai.gov.vn');
    expect(page.text).toContain('data-confirm="Xóa nhóm stp@yenbai.gov.vn? Thành viên vẫn giữ tài khoản của mình."');
    const res = await admin.postForm('/admin/groups/stp@yenbai.gov.vn/delete', {});
    expect(res.location).toBe('/admin/groups?done=deleted&address=stp%40yenbai.gov.vn');
    expect(message((await admin.get(res.location!)).text, 'notice')).toBe('Đã xóa nhóm stp@yenbai.gov.vn.');
    expect(await findGroup(server.runtime.db, 'stp@yenbai.gov.vn')).toBeUndefined();
    const { rows } = await server.runtime.db.query<{ action: string; target: string }>("SELECT action, target FROM audit_events WHERE action LIKE 'group.%' AND actor = 'quantri@yenbai.gov.vn' ORDER BY id");
    expect(rows.map((r) => r.action)).toEqual(['group.add', 'group.members.add', 'group.members.remove', 'group.update', 'group.add', 'group.remove']);
  });
});

describe('a domain admin sees the groups of their domain only', () => {
  it('lists only their domain’s groups and cannot open another domain’s', async () => {
    const list = tableRows((await domainAdmin.get('/admin/groups')).text, 'groups');
    expect(list.map((r) => r[0])).toEqual(['vanphong@yenbai.gov.vn']);
    expect((await domainAdmin.get('/admin/groups/lanhdao@laocai.gov.vn')).status).toBe(404);
    expect((await domainAdmin.postForm('/admin/groups/lanhdao@laocai.gov.vn/delete', {})).status).toBe(404);
    expect(await findGroup(server.runtime.db, 'lanhdao@laocai.gov.vn')).toBeDefined();
  });

  it('cannot create a group in another domain, nor add an account of another domain', async () => {
    await domainAdmin.get('/admin/groups');
    const other = await domainAdmin.postForm('/admin/groups', { address: 'moi@laocai.gov.vn', kind: 'static', post_rule: 'members' });
    expect(other.status).toBe(400);
    expect(message(other.text, 'error')).toBe('laocai.gov.vn nằm ngoài phạm vi quản trị của bạn.');
    expect(await findGroup(server.runtime.db, 'moi@laocai.gov.vn')).toBeUndefined();
    const outsider = await domainAdmin.postForm('/admin/groups/vanphong@yenbai.gov.vn/members', { addresses: 'ngoai@laocai.gov.vn' });
    expect(outsider.status).toBe(400);
    expect(message(outsider.text, 'error')).toBe('ngoai@laocai.gov.vn nằm ngoài phạm vi quản trị của bạn.');
    const own = await domainAdmin.postForm('/admin/groups/vanphong@yenbai.gov.vn/members', { addresses: 'hoa@yenbai.gov.vn' });
    expect(own.status).toBe(303);
  });

  it('is refused to an auditor', async () => {
    const auditor = new WebClient(base);
    await auditor.login('kiemtoan@yenbai.gov.vn', OFFICER_PASSWORD);
    expect((await auditor.get('/admin/groups')).status).toBe(403);
    expect((await auditor.postForm('/admin/groups', { address: 'x@yenbai.gov.vn' })).status).toBe(403);
  });
});
