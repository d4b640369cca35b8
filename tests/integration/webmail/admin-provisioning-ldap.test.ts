import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attribute, Change, Client } from 'ldapts';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually } from '../../support/fixtures.js';
import { startSlapd, type TestSlapd } from '../../support/slapd.js';
import { generateDirectory, type GeneratedDirectory } from '../../support/directory-generator.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { findAgencyByExternalId } from '../../../src/identity/agencies.js';
import { grantRole } from '../../../src/identity/roles.js';

let env: TestEnv;
let slapd: TestSlapd;
let server: RunningServer;
let dir: GeneratedDirectory;
let base: string;
const PASSWORD = 'Sông Hồng chảy về xuôi 2026';

async function loggedIn(address: string): Promise<WebClient> {
  const web = new WebClient(base);
  expect((await web.login(address, PASSWORD)).status).toBe(303);
  return web;
}

/** Runs the directory sync from the console and returns the review page's path. */
async function sync(web: WebClient): Promise<string> {
  await web.get('/admin/provisioning');
  const res = await web.postForm('/admin/provisioning/sync', {});
  expect(res.status).toBe(303);
  return res.location!;
}

beforeAll(async () => {
  env = await createTestEnv();
  dir = generateDirectory({ seed: 5, people: 60 });
  slapd = await startSlapd({ ldif: dir.ldif, sizeLimit: 100 });
  server = await env.start({
    'provisioning.domain': 'tinh.gov.vn',
    'provisioning.ldap': {
      url: slapd.url,
      startTls: true,
      caFile: slapd.caFile,
      bindDn: slapd.readerDn,
      bindPassword: slapd.readerPassword,
      people: { baseDn: dir.unitsDn },
      agencies: { baseDn: dir.unitsDn },
      groups: { baseDn: dir.groupsDn },
      attributes: { groupMail: 'description' },
    },
  }, ['web', 'worker']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  await addTestDomain(db, 'tinh.gov.vn');
  const admin = await addTestAccount(db, config, 'quantri@tinh.gov.vn', { name: 'Quản Trị Viên', password: PASSWORD });
  await grantRole(db, { accountId: admin.id, role: 'superadmin', grantedBy: 'test' });
});
afterAll(async () => {
  await server?.stop();
  await slapd?.stop();
  await env?.stop();
});

describe('admin console: directory sync', () => {
  it('a superadmin reads the directory, reviews and applies the plan', async () => {
    const web = await loggedIn('quantri@tinh.gov.vn');
    expect((await web.get('/admin/provisioning')).text).toContain('Đọc danh bạ và lập kế hoạch');
    const review = await sync(web);
    const page = await web.get(review);
    expect(page.text).toMatch(new RegExp(`<span class="n">${dir.people.length}</span>Tạo tài khoản`));
    await web.postForm(`${review}/apply`, {});
    const job = review.replace('/runs/', '/jobs/');
    const status = await eventually(async () => {
      const s = JSON.parse((await web.get(`${job}/status`)).text) as { state: string; percent: number };
      return s.state === 'done' || s.state === 'failed' ? s : undefined;
    }, 30_000, 'the sync to be applied');
    expect(status).toMatchObject({ state: 'done', percent: 100 });
  });

  it('limits an HR officer’s sync to their agency: a change elsewhere is left out with its reason', async () => {
    const { db, config } = server.runtime;
    const [mine, theirs] = [dir.people[0]!, dir.people.find((p) => p.agencyDn !== dir.people[0]!.agencyDn && !p.agencyDn.endsWith(dir.people[0]!.agencyDn))!];
    const agency = await findAgencyByExternalId(db, dir.agencies.find((a) => a.dn === mine.agencyDn)!.uuid);
    const hr = await addTestAccount(db, config, 'tochuc@tinh.gov.vn', { name: 'Cán Bộ Tổ Chức', password: PASSWORD });
    await grantRole(db, { accountId: hr.id, role: 'agency-admin', agencyId: agency!.id, grantedBy: 'test' });
    const ldap = new Client({ url: slapd.url });
    await ldap.bind(slapd.rootDn, slapd.rootPassword);
    for (const p of [mine, theirs]) await ldap.modify(p.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Phó Giám đốc'] }) })]);
    await ldap.unbind();
    const web = await loggedIn('tochuc@tinh.gov.vn');
    const page = await web.get(await sync(web));
    expect(page.text).toMatch(/<span class="n">1<\/span>Cập nhật thông tin/);
    const items = /<table class="list items">[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(items).toContain('Phó Giám đốc');
    expect((items.match(/<tr><td>/g) ?? []).length).toBe(1);
    expect(page.text).toContain('nằm ngoài phạm vi bạn quản lý: không áp dụng cho');
    expect(page.text).not.toContain('Khóa tài khoản</td>');
  });
});
